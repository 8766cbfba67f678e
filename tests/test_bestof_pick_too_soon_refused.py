"""The server's look-time floor holds on the best-of page too: a pick sent sooner than RATING_MIN_SECONDS after its
card was served (the serve time signed into the card) is refused with 429 and a clear message, the same card is
shown again with the selection kept and its look time going on, and nothing is stored; a check group alike. A pick
without its card, while the floor is on, is refused as out of date (400), the same images shown again."""

from __future__ import annotations

from datetime import timedelta

import pytest

from ratings_site.bestof import cards
from ratings_site.bestof.models import BestPick, CheckGroup
from ratings_site.bestof.selectors import GroupToPick
from ratings_site.kudos.models import KudosReward
from ratings_site.raters.models import Rater
from ratings_site.ratings.models import CaptchaAnswer, ServedImage
from tests.bestof_check_helpers import (
    best_checks,
    best_url,
    make_file_groups,
    media,  # noqa: F401 (fixture)
    post_card,
    shown_group,
    shown_images,
    tokens,
)
from tests.bestof_helpers import make_prompt_groups
from tests.conftest import DEMO_KEY, csrf_token

TOO_SOON = "please take at least 30 s to look at them. Nothing was saved: pick again."


@pytest.fixture(autouse=True)
def floor(settings):
    settings.RATING_MIN_SECONDS = 30.0
    settings.CAPTCHA_RATE = 0.0


def _checked(page: str) -> str:
    """The value of the selected radio button, if any."""
    for value in [*(str(image.public_id) for image in shown_images(page)), "none"]:
        if f'value="{value}" checked' in page:
            return value
    return ""


def _older(page: str, rater: Rater, seconds: float) -> str:
    """The page's card as the server signs it, served `seconds` earlier (as if the rater had looked that long)."""
    served_at = cards.card_from(tokens(page)["card"], rater, shown_group(page).pk).served_at
    shown = GroupToPick(group=shown_group(page), images=shown_images(page))
    return cards.card_token(rater, shown, served_at - timedelta(seconds=seconds))


def test_a_pick_sooner_than_the_floor_is_refused_and_the_card_shown_again(login):
    make_prompt_groups(3, size=3)
    client = login(DEMO_KEY)
    rater = Rater.objects.get(horde_id=1001)
    page = client.get("/rate/best-set/best/").content.decode()
    winner = str(shown_images(page)[1].public_id)

    refused = post_card(client, page, "pick", winner=winner)

    assert refused.status_code == 429
    body = refused.content.decode()
    assert "That pick came 0." in body and TOO_SOON in body
    assert shown_group(body) == shown_group(page) and shown_images(body) == shown_images(page)
    assert _checked(body) == winner, "the selection kept"
    assert not BestPick.objects.exists() and not KudosReward.objects.exists()
    # Shown again with its first serve time: its look time goes on.
    assert (
        cards.card_from(tokens(body)["card"], rater, shown_group(page).pk).served_at
        == cards.card_from(tokens(page)["card"], rater, shown_group(page).pk).served_at
    )

    saved = post_card(client, page, "pick", winner=winner, card=_older(page, rater, 31))

    assert saved.status_code == 200
    assert "Saved: image 2 is best" in saved.content.decode()
    assert BestPick.objects.get().winner.public_id.hex == winner.replace("-", "")


def test_a_check_group_is_held_to_the_same_floor(login, settings, media):
    make_file_groups(2, size=3)
    (check,) = best_checks(1)
    client = login(DEMO_KEY)
    rater = Rater.objects.get(horde_id=1001)
    settings.CAPTCHA_RATE = 1.0
    page = client.get(best_url()).content.decode()
    settings.CAPTCHA_RATE = 0.0

    refused = post_card(client, page, "pick", winner="none")

    assert refused.status_code == 429
    body = refused.content.decode()
    assert TOO_SOON in body
    assert shown_images(body) == shown_images(page) and _checked(body) == "none"
    assert not CaptchaAnswer.objects.exists()
    assert CheckGroup.objects.get().passed is None
    assert ServedImage.objects.filter(rater=rater, image=check).exists()

    saved = post_card(client, page, "pick", winner=str(check.public_id), card=_older(page, rater, 31))
    assert "Saved: image" in saved.content.decode()
    assert CheckGroup.objects.get().passed is True


def test_a_pick_without_its_card_is_out_of_date_while_the_floor_is_on(login):
    (only,) = make_prompt_groups(1, size=2)
    client = login(DEMO_KEY)
    client.get("/rate/best-set/best/")
    winner = str(only.images[0].public_id)

    response = client.post(
        f"/rate/best-set/best/{only.group.pk}/pick/",
        {"winner": winner},
        headers={"HX-Request": "true", "X-CSRFToken": csrf_token(client)},
    )

    assert response.status_code == 400
    body = response.content.decode()
    assert "This card was out of date, so nothing was saved." in body
    assert shown_group(body) == only.group and _checked(body) == winner
    assert not BestPick.objects.exists()
    assert tokens(body)["card"], "a fresh card, whose look time starts now"
