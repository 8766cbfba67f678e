"""A rater rates 300 cards one after another by keyboard, at CAPTCHA_RATE = 0.05, and meets between 5 and 30 check
images among them (15 expected): checks drawn as the preloaded image are shown, not dropped. The rater reads
each check and rates it as it asks (the test looks its answer up, as a person reads it off the picture), so no
pause interrupts the run; every check met is recorded as passed."""

from __future__ import annotations

import hashlib
import io
import time
import uuid

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image as Picture
from PIL import ImageDraw
from playwright.sync_api import Page, expect

from ratings_site.datasets.captchas import captcha_dataset
from ratings_site.datasets.models import Dataset, Image
from ratings_site.datasets.services import refresh_queue
from ratings_site.raters.models import Rater
from ratings_site.ratings.models import CaptchaAnswer, Rating
from tests.browser_fixtures import (  # noqa: F401 (fixtures)
    browser,
    expect_image_loaded,
    log_in,
    open_page,
    page,
    shown_image,
    shown_image_id,
)

CARDS = 300


def _pictures(dataset: Dataset, count: int, **fields) -> list[Image]:
    """`count` distinct small PNG files (a colour and a band each) in `dataset`, as an import stores them."""
    images = []
    for n in range(count):
        picture = Picture.new("RGB", (480, 360), (n * 37 % 256, n * 91 % 256, 120 + n % 100))
        ImageDraw.Draw(picture).rectangle((0, 240, 480, 240 + n % 100), fill=(255 - n % 256, 200, n // 3 % 256))
        out = io.BytesIO()
        picture.save(out, format="PNG")
        data = out.getvalue()
        name = default_storage.save(f"images/browser/{uuid.uuid4().hex}.png", ContentFile(data))
        digest = hashlib.sha256(data).hexdigest()
        images.append(Image(dataset=dataset, file=name, caption="A test picture", dedupe_key=digest, width=480, height=360,
                            **fields))
    images = Image.objects.bulk_create(images)
    refresh_queue(Image.objects.filter(pk__in=[image.pk for image in images]))  # checks never enter the queue
    return images


@pytest.fixture
def pools(db, settings):
    settings.CAPTCHA_RATE = 0.05
    settings.RATINGS_PER_MINUTE_MAX = 10_000
    _pictures(Dataset.objects.create(slug="browser-set", name="Browser set"), CARDS + 10)
    checks = _pictures(captcha_dataset(), 40, is_captcha=True)
    for n, check in enumerate(checks):
        Image.objects.filter(pk=check.pk).update(captcha_answer=1 + n % 10)


@pytest.mark.browser
def test_three_hundred_cards_by_keyboard_meet_the_check_images(page: Page, pools) -> None:
    log_in(page)
    started = time.monotonic()
    seen: list[Image] = []
    for _ in range(CARDS):
        expect_image_loaded(page)
        # The page takes keys once it has taken the card in (keys typed before are dropped, by design): its script
        # marks #card data-look="done" then. Without this wait a key can land between the swap and that moment.
        expect(page.locator("#card")).to_have_attribute("data-look", "done")
        image_id = shown_image_id(page)
        image = Image.objects.get(public_id=image_id)
        seen.append(image)
        answer = image.captcha_answer if image.is_captcha else 1 + len(seen) % 10
        page.keyboard.press("0" if answer == 10 else str(answer))
        page.keyboard.press("Enter")
        expect(shown_image(page)).not_to_have_attribute("data-image-id", image_id)
    elapsed = time.monotonic() - started

    checks = [image for image in seen if image.is_captcha]
    print(f"{len(checks)} check images in {CARDS} cards at CAPTCHA_RATE 0.05, {elapsed / CARDS * 1000:.0f} ms a card")
    assert 5 <= len(checks) <= 30
    rater = Rater.objects.get(horde_id=1001)
    assert Rating.objects.filter(rater=rater).count() + CaptchaAnswer.objects.filter(rater=rater).count() == CARDS
    assert CaptchaAnswer.objects.filter(rater=rater, passed=True).count() == len(checks)
