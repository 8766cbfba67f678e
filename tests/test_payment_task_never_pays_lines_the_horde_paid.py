"""A ledger line the Horde paid itself (a rated generation set) is written paid, and our payment task never
sends it to the Horde's kudos/award: only the rater's pending lines are paid."""

import io
import uuid

import pytest
from django.core.management import call_command
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from ratings_site.generations.models import GenerationSet, Source
from ratings_site.kudos.models import KudosReward
from ratings_site.kudos.payments import pay_rewards_for
from ratings_site.kudos.services import record_horde_paid
from ratings_site.raters.models import Rater
from tests.conftest import DEMO_KEY
from tests.helpers import rate_via_page, run_due_payment

pytestmark = pytest.mark.django_db(transaction=True)


def _set_of(rater: Rater) -> GenerationSet:
    return GenerationSet.objects.create(request_id=str(uuid.uuid4()), rater=rater, source=Source.PAGE)


def test_the_payment_pays_the_pending_line_and_not_the_one_the_horde_paid(login, make_images, horde):
    client = login(DEMO_KEY)
    rate_via_page(client, make_images(1)[0])  # a pending line of 5, its payment scheduled
    rater = Rater.objects.get(horde_id=1001)
    generation_set = _set_of(rater)
    with transaction.atomic():
        horde_line = record_horde_paid(rater=rater, generation_set=generation_set, amount=12)
    paid_at = horde_line.paid_at

    run_due_payment()

    assert [a["amount"] for a in horde.awards] == [5]
    assert horde.balance("DemoRater#1001") == 1005
    horde_line.refresh_from_db()
    assert (horde_line.status, horde_line.attempts, horde_line.paid_at) == (KudosReward.Status.HORDE, 0, paid_at)
    assert KudosReward.objects.get(kind=KudosReward.Kind.RATING).status == KudosReward.Status.PAID


def test_a_rater_with_only_a_line_the_horde_paid_has_nothing_to_pay(login, horde):
    login(DEMO_KEY)
    rater = Rater.objects.get(horde_id=1001)

    record_horde_paid(rater=rater, generation_set=_set_of(rater), amount=12)

    assert DBTaskResult.objects.count() == 0  # no payment scheduled for it
    assert pay_rewards_for(rater.pk).status == "nothing to pay"
    out = io.StringIO()
    call_command("pay_pending_kudos", stdout=out)
    run_due_payment()
    assert "Scheduled payments for 0 raters." in out.getvalue()
    assert horde.awards == []


def test_the_line_is_written_paid_by_the_horde_for_the_set(login):
    login(DEMO_KEY)
    rater = Rater.objects.get(horde_id=1001)
    generation_set = _set_of(rater)

    line = record_horde_paid(rater=rater, generation_set=generation_set, amount=12)

    line.refresh_from_db()
    assert (line.kind, line.subject, line.generation_set, line.amount) == (
        KudosReward.Kind.GENERATION_SET,
        generation_set.request_id,
        generation_set,
        12,
    )
    assert (line.status, line.reason) == (KudosReward.Status.HORDE, "Rating your generations (paid by the Horde)")
    assert line.paid_at is not None
    assert (line.rating, line.image) == (None, None)


def test_recording_the_same_set_again_returns_the_first_line(login):
    login(DEMO_KEY)
    rater = Rater.objects.get(horde_id=1001)
    generation_set = _set_of(rater)
    first = record_horde_paid(rater=rater, generation_set=generation_set, amount=12)

    again = record_horde_paid(rater=rater, generation_set=generation_set, amount=20)

    assert again.pk == first.pk
    assert list(KudosReward.objects.values_list("amount", flat=True)) == [12]


def test_nothing_is_written_when_the_horde_paid_nothing_or_the_set_has_no_rater(login):
    login(DEMO_KEY)
    rater = Rater.objects.get(horde_id=1001)
    generation_set = _set_of(rater)

    assert record_horde_paid(rater=rater, generation_set=generation_set, amount=0) is None
    assert record_horde_paid(rater=rater, generation_set=generation_set, amount=-3) is None
    assert record_horde_paid(rater=None, generation_set=generation_set, amount=12) is None
    assert KudosReward.objects.count() == 0


def test_a_moderator_cannot_mark_it_paid_by_us_nor_send_it_again(login, moderator_client, horde):
    login(DEMO_KEY)
    rater = Rater.objects.get(horde_id=1001)
    line = record_horde_paid(rater=rater, generation_set=_set_of(rater), amount=12)

    for action, said in (("mark_paid", "0 lines marked paid."), ("send_again", "0 lines will be sent again.")):
        response = moderator_client.post(
            "/admin/kudos/kudosreward/", {"action": action, "_selected_action": [line.pk]}, follow=True
        )
        assert said in response.content.decode()
    run_due_payment()

    line.refresh_from_db()
    assert line.status == KudosReward.Status.HORDE
    assert horde.awards == []
