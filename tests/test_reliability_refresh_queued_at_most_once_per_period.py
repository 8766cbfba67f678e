"""The reliability job (`refresh_reliability`: agreement, then weights) is queued by `request_refresh` when the
figures are older than REFRESH_MAX_AGE and nobody asked within that time, once whatever the number of callers;
the worker of the "exports" queue runs it; the `refresh_reliability` command runs it now (`--full` rebuilds)."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from ratings_site.ratings.models import Rating
from ratings_site.reliability.models import AgreementProgress, DatasetAgreement, RaterWeight
from ratings_site.reliability.tasks import REFRESH_MAX_AGE, request_refresh
from tests.helpers import run_worker
from tests.moderation_helpers import horde_rater, rate

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("no_captchas")]

TASK = "ratings_site.reliability.tasks.refresh_reliability"


@pytest.fixture(autouse=True)
def quick_ratings(settings):
    settings.RATING_MIN_SECONDS = 0


def _enqueued() -> int:
    return DBTaskResult.objects.filter(task_path=TASK).count()


def _rated(make_images) -> list:
    raters = [horde_rater() for _ in range(3)]
    for image in make_images(2):
        for score, rater in zip((3, 4, 9), raters, strict=True):
            rate(rater, image, score)
    return raters


def test_it_is_queued_once_run_by_the_worker_and_queued_again_when_old(make_images):
    raters = _rated(make_images)

    assert request_refresh() is True
    assert request_refresh() is False  # asked already
    assert _enqueued() == 1

    run_worker("exports")

    assert set(RaterWeight.objects.values_list("rater_id", flat=True)) == {rater.pk for rater in raters}
    assert request_refresh() is False  # fresh
    later = timezone.now() + REFRESH_MAX_AGE + timedelta(seconds=1)
    assert request_refresh(now=later) is True
    assert request_refresh(now=later) is False
    assert _enqueued() == 2


def test_the_command_rebuilds_the_agreement_and_weighs_the_raters(make_images):
    _rated(make_images)
    AgreementProgress.objects.create(pk=1)
    AgreementProgress.objects.update(last_rating_id=10**9)  # as if every rating were taken in: --full starts over
    out = io.StringIO()

    # The ratings are seconds old: younger than the safety lag, so even a full rebuild leaves them for later.
    call_command("refresh_reliability", "--full", "--no-progress", stdout=out)
    assert AgreementProgress.objects.get().last_rating_id == 0
    assert "Weights: 3 raters" in out.getvalue()

    Rating.objects.update(created_at=timezone.now() - timedelta(minutes=5))
    call_command("refresh_reliability", stdout=out)
    assert "6 new ratings taken in" in out.getvalue()
    assert DatasetAgreement.objects.get().rating_histogram == [0, 0, 2, 2, 0, 0, 0, 0, 2, 0]
