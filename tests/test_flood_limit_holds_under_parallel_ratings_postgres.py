"""One rater's parallel requests (many tabs, a script) cannot beat the flood limit or the captcha pause:
the rater's rating decisions run one at a time, so exactly RATINGS_PER_MINUTE_MAX ratings are stored and paid
(the one that reaches the limit among them) and the rest are refused with the pause.

Real concurrency needs PostgreSQL (SQLite serialises writers), so this runs only there.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection

from ratings_site.datasets.models import Image
from ratings_site.kudos.models import KudosReward
from ratings_site.raters.models import Rater
from ratings_site.ratings.models import CaptchaAnswer, Rating, Skip
from ratings_site.ratings.services import RatingPaused, rate_image, skip_image

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL for real concurrency"),
    pytest.mark.django_db(transaction=True),
]

LIMIT = 30
PARALLEL = 34


def _in_parallel(calls: list[Callable[[], object]]) -> list[object]:
    """Run every call at the same moment, each in its own thread and database connection."""
    barrier = threading.Barrier(len(calls))
    outcomes: list[object] = [None] * len(calls)

    def attempt(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            outcomes[index] = calls[index]()
        except Exception as exc:  # recorded and checked by the test
            outcomes[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a request hung"
    return outcomes


def _rating_of(rater_pk: int, image_pk: int) -> Callable[[], object]:
    def call() -> object:
        # Each request loads its own copy of the rater, as a view's request.user is.
        return rate_image(rater=Rater.objects.get(pk=rater_pk), image=Image.objects.get(pk=image_pk), rating=6)

    return call


def test_parallel_ratings_of_different_images_store_exactly_the_limit(make_images, settings):
    settings.RATINGS_PER_MINUTE_MAX = LIMIT
    settings.CAPTCHA_RATE = 0.0
    images = make_images(PARALLEL)
    rater = Rater.objects.create(username="Flood#4242", horde_id=4242)

    outcomes = _in_parallel([_rating_of(rater.pk, image.pk) for image in images])

    stored = [o for o in outcomes if not isinstance(o, Exception)]
    paused = [o for o in outcomes if isinstance(o, RatingPaused)]
    assert [o for o in outcomes if isinstance(o, Exception) and not isinstance(o, RatingPaused)] == []
    assert (len(stored), len(paused)) == (LIMIT, PARALLEL - LIMIT)
    assert Rating.objects.filter(rater=rater).count() == LIMIT
    assert KudosReward.objects.filter(rater=rater).count() == LIMIT
    assert sum(image.ratings_count for image in Image.objects.filter(pk__in=[i.pk for i in images])) == LIMIT
    assert sum(1 for o in stored if o.paused_until is not None) == 1, "the rating that reached the limit paused"
    rater.refresh_from_db()
    assert rater.active_pause() is not None


def test_parallel_wrong_captcha_answers_pause_at_the_limit(make_images, settings):
    settings.CAPTCHA_FAILS_TIMEOUT = 3
    captchas = make_images(8, dataset="captcha-pool", is_captcha=True, captcha_answer=7)
    rater = Rater.objects.create(username="Guess#4343", horde_id=4343)

    outcomes = _in_parallel([_rating_of(rater.pk, captcha.pk) for captcha in captchas])

    answered = [o for o in outcomes if not isinstance(o, Exception)]
    assert len([o for o in outcomes if isinstance(o, RatingPaused)]) == 8 - 3
    assert len(answered) == 3
    assert CaptchaAnswer.objects.filter(rater=rater, passed=False).count() == 3
    rater.refresh_from_db()
    assert rater.active_pause() is not None


def test_parallel_reports_stop_at_the_pause(make_images, settings):
    settings.RATINGS_PER_MINUTE_MAX = 3
    settings.CAPTCHA_RATE = 0.0
    rated, reported = make_images(3), make_images(6)
    rater = Rater.objects.create(username="Report#4444", horde_id=4444)

    def report(image_pk: int) -> Callable[[], object]:
        return lambda: skip_image(rater=Rater.objects.get(pk=rater.pk), image=Image.objects.get(pk=image_pk), reason="nsfw")

    outcomes = _in_parallel([_rating_of(rater.pk, i.pk) for i in rated] + [report(i.pk) for i in reported])

    assert [o for o in outcomes if isinstance(o, Exception) and not isinstance(o, RatingPaused)] == []
    assert Rating.objects.filter(rater=rater).count() == 3
    # Whatever the order, nothing was decided after the pause began: each report either came before it or was refused.
    rater.refresh_from_db()
    paused_at = Rating.objects.filter(rater=rater).order_by("-created_at").first().created_at
    assert not Skip.objects.filter(rater=rater, created_at__gt=paused_at).exists()
    refused = sum(isinstance(o, RatingPaused) for o in outcomes)
    assert Skip.objects.filter(rater=rater).count() == 6 - refused
