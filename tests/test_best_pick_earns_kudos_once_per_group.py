"""A best-of pick earns KUDOS_PER_BEST_PICK once per rater and prompt group, through the same ledger and the
same batched payment as ratings (`kudos.services.record_best_pick_reward`)."""

from datetime import timedelta

import pytest
from django.db import transaction
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from ratings_site.kudos.models import KudosReward
from ratings_site.kudos.services import kudos_for_best_pick, record_best_pick_reward
from ratings_site.raters.models import Rater
from tests.conftest import ANONYMOUS_KEY, DEMO_KEY
from tests.helpers import rate_via_page, run_due_payment

# Transactional: the payment is scheduled on commit, as in production.
pytestmark = pytest.mark.django_db(transaction=True)


def _pick(rater: Rater, subject: str) -> KudosReward | None:
    with transaction.atomic():  # the caller's transaction, as the pick's own
        return record_best_pick_reward(rater=rater, subject=subject)


@pytest.fixture
def rater(login) -> Rater:
    login(DEMO_KEY)
    return Rater.objects.get(horde_id=1001)


def test_a_pick_writes_a_pending_line_and_schedules_the_batched_payment(rater, settings, horde):
    assert settings.KUDOS_PER_BEST_PICK == 5

    line = _pick(rater, "group-a")

    line.refresh_from_db()
    assert (line.rater, line.kind, line.subject, line.amount) == (rater, KudosReward.Kind.BEST_PICK, "group-a", 5)
    assert (line.status, line.reason, line.rating, line.image) == (
        KudosReward.Status.PENDING,
        "Picking the best of a prompt group",
        None,
        None,
    )
    task = DBTaskResult.objects.get()
    assert task.task_path == "ratings_site.kudos.tasks.pay_rewards"
    assert task.args_kwargs == {"args": [rater.pk], "kwargs": {}}
    assert task.status == TaskResultStatus.READY
    assert task.run_after - task.enqueued_at >= timedelta(seconds=settings.KUDOS_BATCH_SECONDS - 1)
    assert horde.awards == []


def test_the_same_group_picked_again_earns_nothing_more(rater):
    _pick(rater, "group-a")

    assert _pick(rater, "group-a") is None

    assert KudosReward.objects.count() == 1
    assert DBTaskResult.objects.count() == 1


def test_picks_and_ratings_are_paid_together_in_one_batch_scheduled_once(rater, login, make_images, horde):
    client = login(DEMO_KEY)
    rate_via_page(client, make_images(1)[0])  # schedules the batch

    _pick(rater, "group-a")
    _pick(rater, "group-b")

    assert DBTaskResult.objects.count() == 1
    run_due_payment()
    assert [a["amount"] for a in horde.awards] == [15]
    assert set(KudosReward.objects.values_list("kind", "status")) == {
        (KudosReward.Kind.RATING, KudosReward.Status.PAID),
        (KudosReward.Kind.BEST_PICK, KudosReward.Status.PAID),
    }


def test_another_rater_earns_for_the_same_group(rater, login):
    login("demo-rater-0006")
    other = Rater.objects.get(horde_id=1006)

    assert _pick(rater, "group-a") is not None
    assert _pick(other, "group-a") is not None

    assert KudosReward.objects.filter(subject="group-a").count() == 2


def test_the_amount_follows_the_setting(rater, settings):
    settings.KUDOS_PER_BEST_PICK = 3

    assert _pick(rater, "group-a").amount == 3


def test_no_kudos_for_the_anonymous_key_or_a_flagged_rater(rater, login):
    login(ANONYMOUS_KEY)
    anonymous = Rater.objects.get(horde_id=0)
    Rater.objects.filter(pk=rater.pk).update(flagged=True)
    rater.refresh_from_db()

    assert (kudos_for_best_pick(anonymous), kudos_for_best_pick(rater)) == (0, 0)
    assert _pick(anonymous, "group-a") is None
    assert _pick(rater, "group-a") is None
    assert KudosReward.objects.count() == 0
    assert DBTaskResult.objects.count() == 0


def test_a_subject_that_does_not_fit_is_refused(rater):
    with pytest.raises(ValueError):
        _pick(rater, "x" * 101)
    with pytest.raises(ValueError):
        _pick(rater, "")
