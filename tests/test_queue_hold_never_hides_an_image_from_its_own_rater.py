"""A rater's own hold never hides an image from them (ratings.selectors counts only *other* raters' holds): the last
slot of an image shown to them is shown again on a reload, and the image their card preloaded is the next card they
get, though its one slot left is held, by them."""

from __future__ import annotations

import pytest

from ratings_site.raters.models import Rater
from ratings_site.ratings.services import rate_image
from tests.check_helpers import card_form, shown_on
from tests.conftest import DEMO_KEY, csrf_token
from tests.helpers import upcoming_id

pytestmark = pytest.mark.usefixtures("no_captchas")


@pytest.fixture
def last_slots(make_images, settings):
    """Two images with one slot left each, first and second in the queue, and others below them."""
    settings.RATINGS_PER_IMAGE = 2
    settings.RATING_HOLD_SECONDS = 120
    [first] = make_images(1, priority=3.0)
    [second] = make_images(1, priority=2.0)
    make_images(3, priority=0.0)
    early = Rater.objects.create(username="Early#7200", horde_id=7200)
    for image in (first, second):
        rate_image(rater=early, image=image, rating=6)
    return first, second


def test_a_reload_shows_the_held_image_again(login, last_slots):
    first, _ = last_slots
    client = login(DEMO_KEY)
    assert shown_on(client.get("/rate/").content.decode()) == first

    assert shown_on(client.get("/rate/").content.decode()) == first


def test_the_preloaded_image_is_the_next_card(login, last_slots):
    first, second = last_slots
    client = login(DEMO_KEY)
    page = client.get("/rate/")
    html = page.content.decode()
    assert shown_on(html) == first
    assert upcoming_id(html, page.wsgi_request.user) == str(second.public_id)

    headers = {"HX-Request": "true", "X-CSRFToken": csrf_token(client)}
    answer = client.post(f"/images/{first.public_id}/rate/", card_form(html, first), headers=headers)

    assert answer.status_code == 200
    assert shown_on(answer.content.decode()) == second
