"""The page's card signs when it was served (ratings.cards); a rating sent sooner than RATING_MIN_SECONDS after
that is refused with a clear message, earns nothing and stores nothing, and the same image comes back with what
the rater chose, its look time going on, so the same rating a moment later is saved. A check image is held to it
alike (its answer reads the same), and a card without a valid token is refused too (the next card is shown: the
posted image is not shown again, or a client could ask for any image by id)."""

from __future__ import annotations

import re
import time

import pytest

from ratings_site.kudos.models import KudosReward
from ratings_site.ratings.models import CaptchaAnswer, Rating
from tests.check_helpers import CARD, card_form, plain_checks, shown_on
from tests.conftest import DEMO_KEY, csrf_token

FLOOR = 0.6

pytestmark = pytest.mark.usefixtures("no_captchas")


@pytest.fixture(autouse=True)
def floor(settings):
    settings.RATING_MIN_SECONDS = FLOOR


def _post(client, image, form, *, htmx=True):
    headers = {"HX-Request": "true", "X-CSRFToken": csrf_token(client)} if htmx else {}
    data = form if htmx else {**form, "csrfmiddlewaretoken": csrf_token(client)}
    return client.post(f"/images/{image.public_id}/rate/", data, headers=headers)


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain form"])
def test_too_soon_is_refused_then_the_same_rating_saves(login, make_images, htmx):
    make_images(3)
    client = login(DEMO_KEY)
    html = client.get("/rate/").content.decode()
    image = shown_on(html)
    form = {**card_form(html, image), "rating": "8", "artifacts": "2"}

    refused = _post(client, image, form, htmx=htmx)

    assert refused.status_code == 429
    page = refused.content.decode()
    assert "Nothing was saved: rate it again." in page and "take at least 0.6 s" in page
    assert shown_on(page) == image
    assert re.search(r'name="rating" value="8"\s+checked', page) and re.search(r'name="artifacts" value="2"\s+checked', page)
    assert not Rating.objects.exists() and not KudosReward.objects.exists()

    time.sleep(FLOOR)
    saved = _post(client, image, {**form, "card": CARD.search(page).group(1)}, htmx=htmx)
    assert saved.status_code == (200 if htmx else 302)
    assert Rating.objects.get().rating == 8


def test_a_check_image_too_soon_reads_as_any_image_too_soon(login, make_images, settings):
    make_images(3)
    [check] = plain_checks(1)
    client = login(DEMO_KEY)
    settings.CAPTCHA_RATE = 1.0
    html = client.get("/rate/").content.decode()
    assert shown_on(html) == check

    refused = _post(client, check, card_form(html, check))

    assert refused.status_code == 429
    assert "Nothing was saved: rate it again." in refused.content.decode()
    assert not CaptchaAnswer.objects.exists() and not KudosReward.objects.exists()


def test_a_card_without_its_token_is_refused(login, make_images):
    make_images(3)
    client = login(DEMO_KEY)
    html = client.get("/rate/").content.decode()
    image = shown_on(html)

    for token in ("", "forged", CARD.search(html).group(1)[:-2] + "xx"):
        refused = _post(client, image, {**card_form(html, image), "rating": "5", "card": token})
        assert refused.status_code == 400
        assert "That card was out of date, so nothing was saved. Here is the next image." in refused.content.decode()
        assert shown_on(refused.content.decode()) is not None
    assert not Rating.objects.exists()
