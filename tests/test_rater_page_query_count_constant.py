"""The rater page reads a constant number of queries whether the rater made N ratings or 3N, missed one check or
three, and was acted on once or three times: each figure is one bounded query over the rater's latest rows."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ratings_site.moderation import actions
from ratings_site.ratings.models import Rating
from tests.moderation_helpers import horde_rater, rate
from tests.rater_page_helpers import page_of

pytestmark = pytest.mark.usefixtures("no_captchas")


@pytest.fixture(autouse=True)
def no_pauses(settings):
    settings.RATINGS_PER_MINUTE_MAX = 10_000
    settings.CAPTCHA_FAILS_TIMEOUT = 100


def _rater_with(count: int, make_images):
    """A rater with `count` ratings (beside another rater's), `count // 5` missed checks and acts on them."""
    rater, other = horde_rater(), horde_rater()
    for image in make_images(count):
        rate(other, image, 7)
        rate(rater, image, 2)
    for check in make_images(count // 5, dataset="checks", is_captcha=True, captcha_answer=9):
        rate(rater, check, 1)
    for rating in Rating.objects.filter(rater=rater)[: count // 5]:
        actions.invalidate_rating(actor=None, rating=rating, reason="garbage")
    return rater


def _queries(client, rater) -> int:
    with CaptureQueriesContext(connection) as queries:
        page = client.get(page_of(rater))
    assert page.status_code == 200
    assert len(page.context["latest"].recent) == Rating.objects.filter(rater=rater).count()  # the figures are there
    assert page.context["history"] and page.context["missed"].answered_wrong
    return len(queries)


def test_the_page_costs_the_same_for_n_and_3n_ratings(make_images, moderator_client):
    few, many = _rater_with(5, make_images), _rater_with(15, make_images)
    _queries(moderator_client, few)  # warm the session and the content types

    assert _queries(moderator_client, few) == _queries(moderator_client, many)
