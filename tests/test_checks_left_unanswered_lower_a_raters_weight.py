"""A check image served and left unanswered counts as a missed check in the reliability weight, as it does in the
pause rule (ratings.services.left_checks): a rater who walks away from every check weighs less than one who answers
them, while a check still within its grace (the card on screen) counts for nothing yet."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from ratings_site.ratings.models import ServedImage
from ratings_site.ratings.services import UNANSWERED_CHECK_GRACE
from ratings_site.reliability.models import RaterWeight
from ratings_site.reliability.weights import refresh_weights
from tests.moderation_helpers import horde_rater, rate

pytestmark = pytest.mark.usefixtures("no_captchas")


@pytest.fixture(autouse=True)
def quick_ratings(settings):
    settings.RATING_MIN_SECONDS = 0
    settings.RATINGS_PER_MINUTE_MAX = 10_000
    settings.CAPTCHA_FAILS_TIMEOUT = 1_000


def _serve(rater, checks, *, ago: timedelta) -> None:
    ServedImage.objects.bulk_create(
        ServedImage(rater=rater, image=check, is_check=True, served_at=timezone.now() - ago) for check in checks
    )


def test_a_rater_who_leaves_every_check_weighs_less_than_one_who_answers(make_images):
    checks = make_images(12, dataset="checks", is_captcha=True, captcha_answer=8)
    answering = [horde_rater("Answers") for _ in range(3)]
    for rater in answering:
        for check in checks[:6]:
            rate(rater, check, 8)
    leaving = horde_rater("Leaves")
    _serve(leaving, checks[:6], ago=UNANSWERED_CHECK_GRACE + timedelta(minutes=1))

    refresh_weights()

    weights = dict(RaterWeight.objects.values_list("rater_id", "weight"))
    row = RaterWeight.objects.get(rater=leaving)
    assert (row.checks_passed, row.checks_answered) == (0, 6)
    assert weights[leaving.pk] < 0.7
    assert min(weights[rater.pk] for rater in answering) == 1.0


def test_a_check_still_on_screen_counts_for_nothing_yet(make_images):
    checks = make_images(6, dataset="checks", is_captcha=True, captcha_answer=8)
    rate(horde_rater("Answers"), checks[0], 8)
    looking = horde_rater("Looking")
    _serve(looking, checks[1:], ago=timedelta(seconds=30))

    refresh_weights()

    assert not RaterWeight.objects.filter(rater=looking).exists()
