"""Check images answered count towards RATINGS_PER_MINUTE_MAX like any rating: to the rater they are ratings, so
a run with checks in it is paused after as many cards as a run without (which also tells nothing apart)."""

from __future__ import annotations

import pytest

from ratings_site.raters.models import Rater
from ratings_site.ratings.services import rate_image
from tests.check_helpers import plain_checks

pytestmark = pytest.mark.usefixtures("no_captchas")


def test_a_minute_of_checks_and_images_reaches_the_limit(login, make_images, settings):
    settings.RATINGS_PER_MINUTE_MAX = 3
    [image] = make_images(1)
    checks = plain_checks(2)
    login()
    rater = Rater.objects.get(horde_id=1001)

    for check in checks:
        assert rate_image(rater=rater, image=check, rating=check.captcha_answer).paused_until is None
    outcome = rate_image(rater=rater, image=image, rating=6)

    assert outcome.paused_until is not None
    assert "You rated 3 images in the last minute" in outcome.message
