"""A ledger line is paid at most once, however often the worker or the task runs."""

import io

import pytest
from django.core.management import call_command
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from ratings_site.kudos.models import KudosReward
from ratings_site.kudos.tasks import pay_rewards
from ratings_site.raters.models import Rater
from tests.conftest import DEMO_KEY
from tests.helpers import let_deferred_tasks_fall_due, rate_via_page, run_worker

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def paid_rater(login, make_images, horde):
    """DemoRater#1001 with two ratings, paid 10 kudos by the worker."""
    client = login(DEMO_KEY)
    for image in make_images(2):
        rate_via_page(client, image)
    let_deferred_tasks_fall_due()
    run_worker()
    assert [a["amount"] for a in horde.awards] == [10]
    return Rater.objects.get(horde_id=1001)


def test_running_the_worker_again_pays_nothing(paid_rater, horde):
    let_deferred_tasks_fall_due()
    run_worker()
    run_worker()

    assert [a["amount"] for a in horde.awards] == [10]
    assert horde.balance("DemoRater#1001") == 1010


def test_running_the_task_again_pays_nothing(paid_rater, horde):
    paid_at = sorted(KudosReward.objects.values_list("paid_at", flat=True))

    pay_rewards.enqueue(paid_rater.pk)
    pay_rewards.enqueue(paid_rater.pk)
    run_worker()

    assert [a["amount"] for a in horde.awards] == [10]
    again = DBTaskResult.objects.filter(status=TaskResultStatus.SUCCESSFUL).order_by("enqueued_at")[1:]
    assert [task.return_value for task in again] == [{"paid": 0, "lines": 0, "status": "nothing to pay"}] * 2
    assert sorted(KudosReward.objects.values_list("paid_at", flat=True)) == paid_at


def test_the_safety_net_command_schedules_nothing_once_all_is_paid(paid_rater, horde):
    out = io.StringIO()
    call_command("pay_pending_kudos", stdout=out)
    run_worker()

    assert "Scheduled payments for 0 raters." in out.getvalue()
    assert [a["amount"] for a in horde.awards] == [10]


def test_two_payments_due_at_once_pay_the_lines_once(login, make_images, horde):
    client = login(DEMO_KEY)
    for image in make_images(3):
        rate_via_page(client, image)
    rater = Rater.objects.get(horde_id=1001)
    pay_rewards.enqueue(rater.pk)  # e.g. the safety-net command ran while the batch was pending

    let_deferred_tasks_fall_due()
    run_worker()

    assert DBTaskResult.objects.filter(status=TaskResultStatus.SUCCESSFUL).count() == 2
    assert [a["amount"] for a in horde.awards] == [15]
    assert horde.balance("DemoRater#1001") == 1015


def test_a_line_left_sending_by_a_dead_worker_is_not_sent_again(login, make_images, horde):
    client = login(DEMO_KEY)
    first, second = make_images(2)
    rate_via_page(client, first)
    rate_via_page(client, second)
    # The worker marked the first line "sending" and died: the Horde may or may not have paid it.
    stuck = KudosReward.objects.get(rating__image=first)
    KudosReward.objects.filter(pk=stuck.pk).update(status=KudosReward.Status.SENDING, attempts=1)

    let_deferred_tasks_fall_due()
    run_worker()

    assert [a["amount"] for a in horde.awards] == [5]
    stuck.refresh_from_db()
    assert stuck.status == KudosReward.Status.SENDING
    assert KudosReward.objects.get(rating__image=second).status == KudosReward.Status.PAID
