"""RATING_HOLD_SECONDS = 0 turns holds off, as before they were: the pages note no dataset image as served, and an
image with one slot left shown to one rater is served to the next rater too (the save's claim still refuses the later
one: ratings.services.rate_image)."""

from __future__ import annotations

import pytest

from ratings_site.raters.models import Rater
from ratings_site.ratings.models import ServedImage
from ratings_site.ratings.services import rate_image
from tests.check_helpers import shown_on
from tests.conftest import DEMO_KEY, SECOND_KEY

pytestmark = pytest.mark.usefixtures("no_captchas")


def test_the_last_slot_is_served_to_every_rater_and_nothing_is_noted(login, make_images, settings):
    settings.RATINGS_PER_IMAGE = 2
    settings.RATING_HOLD_SECONDS = 0
    [last] = make_images(1, priority=2.0)
    make_images(4, priority=0.0)
    rate_image(rater=Rater.objects.create(username="Early#7300", horde_id=7300), image=last, rating=6)

    assert shown_on(login(DEMO_KEY).get("/rate/").content.decode()) == last
    assert shown_on(login(SECOND_KEY).get("/rate/").content.decode()) == last
    assert not ServedImage.objects.exists()
