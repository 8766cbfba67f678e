"""Check images for tests that rate many cards: rows of the captcha pool with an address instead of a drawn file
(the queue and the rules read the row, not the picture; drawing one takes a tenth of a second or more), and a way
to read a card as a careful rater does: which image it shows, its signed tokens, and the answer a check asks for."""

from __future__ import annotations

import re
import uuid

from ratings_site.datasets.captchas import captcha_dataset
from ratings_site.datasets.models import Image

SHOWN = re.compile(r'data-testid="image" data-image-id="([0-9a-f-]{36})"')
UPCOMING = re.compile(r'name="upcoming" value="([^"]*)"')
CARD = re.compile(r'name="card" value="([^"]*)"')


def plain_checks(count: int) -> list[Image]:
    """`count` check images (answers 1 to 10 in turn) at addresses like a dataset's, in the captcha pool."""
    pool = captcha_dataset()
    return Image.objects.bulk_create(
        Image(
            dataset=pool,
            url=f"https://images.example.org/checks/{uuid.uuid4().hex}.jpg",
            caption="a busy picture",
            dedupe_key=uuid.uuid4().hex,
            is_captcha=True,
            captcha_answer=1 + n % 10,
        )
        for n in range(count)
    )


def shown_on(html: str) -> Image | None:
    found = SHOWN.search(html)
    return Image.objects.get(public_id=found.group(1)) if found else None


def answer_for(image: Image) -> int:
    """What a careful rater rates this image: a check's asked-for rating, else a 6."""
    return image.captcha_answer if image.is_captcha else 6


def card_form(html: str, image: Image) -> dict[str, str]:
    """The rating form of the card as the page sends it: the rating a careful rater gives, and the card's tokens."""
    return {
        "rating": str(answer_for(image)),
        "dataset": "",
        "upcoming": UPCOMING.search(html).group(1),
        "card": CARD.search(html).group(1),
    }
