"""An image one rating short of RATINGS_PER_IMAGE, shown to rater A, holds its last slot for A for
RATING_HOLD_SECONDS (ratings.selectors, ratings.models.ServedImage): rater B is not served it, on the page nor on the
API, until A answers it (a skip frees the slot) or the hold expires. So two raters are rarely served the same last
slot, and B is rarely told "already has all the ratings it needs" after entering a rating."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from ratings_site.raters.models import Rater
from ratings_site.ratings.models import ServedImage
from ratings_site.ratings.services import rate_image
from tests.check_helpers import shown_on
from tests.conftest import DEMO_KEY, SECOND_KEY, csrf_token
from tests.helpers import upcoming_id
from tests.rating_api_helpers import api_get

pytestmark = pytest.mark.usefixtures("no_captchas")


@pytest.fixture
def last_slot(make_images, settings):
    """An image with one slot left, first in the queue, and other images below it."""
    settings.RATINGS_PER_IMAGE = 2
    settings.RATING_HOLD_SECONDS = 120
    [last] = make_images(1, priority=2.0)
    make_images(4, priority=0.0)
    rate_image(rater=Rater.objects.create(username="Early#7100", horde_id=7100), image=last, rating=6)
    return last


def _served_by_page(client) -> list[str]:
    """The public ids of the card's image and of the one it preloads."""
    page = client.get("/rate/")
    html = page.content.decode()
    return [str(shown_on(html).public_id), upcoming_id(html, page.wsgi_request.user)]


def test_the_last_slot_shown_to_one_rater_is_not_served_to_another(login, last_slot):
    first = login(DEMO_KEY)
    assert shown_on(first.get("/rate/").content.decode()) == last_slot

    second = login(SECOND_KEY)
    assert str(last_slot.public_id) not in _served_by_page(second)
    assert api_get("/api/v1/rating/new", apikey=SECOND_KEY).json()["id"] != str(last_slot.public_id)


def test_the_slot_is_served_to_another_once_the_first_rater_skips_it(login, last_slot):
    first = login(DEMO_KEY)
    assert shown_on(first.get("/rate/").content.decode()) == last_slot
    second = login(SECOND_KEY)
    assert str(last_slot.public_id) not in _served_by_page(second)

    skipped = first.post(f"/images/{last_slot.public_id}/skip/", {"csrfmiddlewaretoken": csrf_token(first)})

    assert skipped.status_code == 302
    assert not ServedImage.objects.filter(image=last_slot).exists()
    assert shown_on(second.get("/rate/").content.decode()) == last_slot


def test_the_slot_is_served_to_another_once_the_hold_expires(login, last_slot, settings):
    first = login(DEMO_KEY)
    assert shown_on(first.get("/rate/").content.decode()) == last_slot
    second = login(SECOND_KEY)
    assert str(last_slot.public_id) not in _served_by_page(second)

    expired = timezone.now() - timedelta(seconds=settings.RATING_HOLD_SECONDS + 1)
    ServedImage.objects.filter(image=last_slot).update(served_at=expired)

    assert shown_on(second.get("/rate/").content.decode()) == last_slot


def test_an_image_handed_out_by_the_api_is_held_too(login, last_slot):
    assert api_get("/api/v1/rating/new", apikey=DEMO_KEY).json()["id"] == str(last_slot.public_id)

    assert str(last_slot.public_id) not in _served_by_page(login(SECOND_KEY))
