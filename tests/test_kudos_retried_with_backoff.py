"""When the Horde fails an award, the lines stay pending and the payment is retried later, with a growing back-off."""


import pytest
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from ratings_site.kudos.models import KudosReward
from tests.conftest import DEMO_KEY
from tests.helpers import let_deferred_tasks_fall_due, rate_via_page, run_worker

pytestmark = pytest.mark.django_db(transaction=True)


def _run_due_payment() -> float | None:
    """Let the scheduled payment fall due and run the worker; the seconds until the retry it scheduled, if any."""
    let_deferred_tasks_fall_due()
    started = timezone.now()
    run_worker()
    retry = DBTaskResult.objects.filter(status=TaskResultStatus.READY).first()
    return None if retry is None else (retry.run_after - started).total_seconds()


def test_two_failures_then_one_payment(login, make_images, horde, settings):
    base = settings.KUDOS_RETRY_BASE_SECONDS
    horde.fail("/v2/kudos/award", 2)
    client = login(DEMO_KEY)
    for image in make_images(2):
        rate_via_page(client, image)

    first_retry_in = _run_due_payment()

    assert horde.awards == []
    for line in KudosReward.objects.all():
        assert (line.status, line.attempts, line.paid_at) == (KudosReward.Status.PENDING, 1, None)
        assert line.last_error == "Stand-in failure"
    assert first_retry_in is not None and base - 1 <= first_retry_in <= base + 10

    second_retry_in = _run_due_payment()

    assert horde.awards == []
    assert set(KudosReward.objects.values_list("status", "attempts")) == {(KudosReward.Status.PENDING, 2)}
    assert second_retry_in is not None and 2 * base - 1 <= second_retry_in <= 2 * base + 10
    assert second_retry_in > first_retry_in

    assert _run_due_payment() is None  # paid: nothing more scheduled

    assert [(a["username"], a["amount"]) for a in horde.awards] == [("DemoRater#1001", 10)]
    assert horde.balance("DemoRater#1001") == 1010
    for line in KudosReward.objects.all():
        assert (line.status, line.attempts, line.last_error) == (KudosReward.Status.PAID, 3, "")
        assert line.paid_at is not None


def test_a_retry_is_not_run_before_its_time(login, make_images, horde):
    horde.fail("/v2/kudos/award", 1)
    client = login(DEMO_KEY)
    rate_via_page(client, make_images(1)[0])
    let_deferred_tasks_fall_due()
    run_worker()

    run_worker()  # the retry is still in the future

    assert horde.awards == []
    assert KudosReward.objects.get().attempts == 1
    assert DBTaskResult.objects.filter(status=TaskResultStatus.READY).get().run_after > timezone.now()

