"""Kudos payments against a Horde that answers 500, sends garbage after paying, or closes the connection after
paying: the ledger loses nothing and never pays twice.

A 5xx means the Horde did not act: the lines stay owed and the worker pays them once it is back. An answer we
cannot read (an HTML page with a 2xx) or a connection closed before the answer came
means the Horde may have paid: the lines wait for a moderator (`sending`), never sent again by themselves.
"""

import pytest

from ratings_site.kudos.models import KudosReward
from ratings_site.kudos.payments import pay_rewards_for
from ratings_site.raters.models import Rater
from tests.conftest import DEMO_KEY
from tests.helpers import rate_via_page, run_due_payment

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("no_captchas")]


@pytest.fixture
def owed(login, make_images):
    """A rater with two ledger lines owed (5 kudos each), and their logged-in client."""
    client = login(DEMO_KEY)
    for image in make_images(2):
        rate_via_page(client, image)
    return client, Rater.objects.get(horde_id=1001)


@pytest.mark.parametrize("status", [500, 502])
def test_an_error_answer_keeps_the_lines_owed_and_the_worker_pays_them_once_the_horde_is_back(owed, horde, status):
    client, rater = owed
    horde.fail("/v2/kudos/award", 1, status)

    assert pay_rewards_for(rater.pk).status == "retrying"
    assert set(KudosReward.objects.values_list("status", flat=True)) == {KudosReward.Status.PENDING}
    assert not horde.awards

    run_due_payment()  # the Horde is back

    assert [award["amount"] for award in horde.awards] == [10]
    assert set(KudosReward.objects.values_list("status", flat=True)) == {KudosReward.Status.PAID}


def test_any_json_with_a_2xx_is_paid_once(owed, horde):
    client, rater = owed
    horde.misbehave("/v2/kudos/award", 1, "wrong-json")

    assert pay_rewards_for(rater.pk).status == "paid"  # the award's answer carries nothing we need
    run_due_payment()
    assert [award["amount"] for award in horde.awards] == [10]
    assert set(KudosReward.objects.values_list("status", flat=True)) == {KudosReward.Status.PAID}


@pytest.mark.parametrize("how", ["garbage", "close"])
def test_an_unreadable_or_missing_answer_after_paying_is_never_paid_again(owed, horde, how):
    client, rater = owed
    horde.misbehave("/v2/kudos/award", 1, how)

    result = pay_rewards_for(rater.pk)

    assert result.status == "unknown"
    assert [award["amount"] for award in horde.awards] == [10]  # the Horde did pay
    lines = KudosReward.objects.all()
    assert {line.status for line in lines} == {KudosReward.Status.SENDING}
    assert all("may have paid" in line.last_error for line in lines)

    run_due_payment()
    assert pay_rewards_for(rater.pk).status == "nothing to pay"
    assert [award["amount"] for award in horde.awards] == [10]  # never twice
    assert "being checked" in client.get("/kudos/").content.decode()
