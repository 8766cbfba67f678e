"""Without HORDE_SERVICE_API_KEY the ledger is kept, but nothing is scheduled nor paid, and /kudos/ says payments are off."""

import io

import pytest
from django.core.management import CommandError, call_command
from django_tasks_db.models import DBTaskResult

from ratings_site.demo.standin import SERVICE_API_KEY
from ratings_site.kudos.models import KudosReward
from tests.conftest import DEMO_KEY
from tests.helpers import rate_via_page, run_worker

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def payments_off(settings):
    settings.HORDE_SERVICE_API_KEY = ""


def test_rewards_stay_pending_and_no_task_is_enqueued(payments_off, login, make_images, horde):
    client = login(DEMO_KEY)
    for image in make_images(2):
        rate_via_page(client, image)

    assert list(KudosReward.objects.values_list("status", "amount")) == [(KudosReward.Status.PENDING, 5)] * 2
    assert not DBTaskResult.objects.exists()
    run_worker()
    assert horde.awards == []
    assert [r for r in horde.requests if r["path"] == "/v2/kudos/award"] == []
    assert set(KudosReward.objects.values_list("status", "attempts")) == {(KudosReward.Status.PENDING, 0)}


def test_the_kudos_page_says_payments_are_not_switched_on(payments_off, login, make_images):
    client = login(DEMO_KEY)
    rate_via_page(client, make_images(1)[0])

    html = client.get("/kudos/").content.decode()

    assert 'data-testid="payments-off"' in html
    assert "Kudos payments are not switched on" in html
    assert '<dd data-testid="pending">5</dd>' in html
    assert '<span class="status pending">pending</span>' in html


def test_the_page_does_not_say_so_when_payments_are_on(login, make_images):
    client = login(DEMO_KEY)
    rate_via_page(client, make_images(1)[0])

    html = client.get("/kudos/").content.decode()

    assert "Kudos payments are not switched on" not in html


def test_the_pending_lines_are_paid_once_payments_are_switched_on(payments_off, login, make_images, horde, settings):
    client = login(DEMO_KEY)
    for image in make_images(3):
        rate_via_page(client, image)
    with pytest.raises(CommandError):
        call_command("pay_pending_kudos", stdout=io.StringIO())

    settings.HORDE_SERVICE_API_KEY = SERVICE_API_KEY
    call_command("pay_pending_kudos", stdout=io.StringIO())
    run_worker()

    assert [(a["username"], a["amount"]) for a in horde.awards] == [("DemoRater#1001", 15)]
    assert set(KudosReward.objects.values_list("status", flat=True)) == {KudosReward.Status.PAID}
