"""A line stuck in `sending` is marked for a moderator with a reason, listed by pay_pending_kudos and in the admin,
and never sent again by itself (the Horde may have paid it: at most once)."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from ratings_site.horde.client import award_kudos
from ratings_site.kudos.models import KudosReward
from tests.conftest import DEMO_KEY, SECOND_KEY, THIRD_KEY
from tests.helpers import rate_via_page, run_due_payment

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def ledger(login, make_images, settings):
    """Three raters' lines: one stuck since long ago (the worker died after the Horde recorded the award), one sent
    before lines recorded their start, and one whose call is still under way."""
    lines = {}
    for name, key in [("stuck", DEMO_KEY), ("unknown start", SECOND_KEY), ("under way", THIRD_KEY)]:
        rate_via_page(login(key), make_images(1)[0])
        lines[name] = KudosReward.objects.latest("id")
    long_ago = timezone.now() - timedelta(seconds=2 * settings.HORDE_TIMEOUT + 60)
    award_kudos(username=lines["stuck"].rater.username, amount=lines["stuck"].amount)
    for name, since in [("stuck", long_ago), ("unknown start", None), ("under way", timezone.now())]:
        KudosReward.objects.filter(pk=lines[name].pk).update(
            status=KudosReward.Status.SENDING, attempts=1, sending_since=since
        )
    return lines


def test_the_safety_net_command_lists_stuck_lines_with_a_reason_and_sends_nothing_again(ledger, horde):
    out = io.StringIO()
    call_command("pay_pending_kudos", stdout=out)
    run_due_payment()

    report = out.getvalue()
    assert "2 lines wait for a moderator" in report
    assert f"line {ledger['stuck'].pk}: 5 kudos to DemoRater#1001" in report
    assert f"line {ledger['unknown start'].pk}:" in report
    assert f"line {ledger['under way'].pk}:" not in report
    stuck = KudosReward.objects.get(pk=ledger["stuck"].pk)
    assert stuck.status == KudosReward.Status.SENDING
    assert "the worker stopped mid-call, and the Horde may have paid" in stuck.last_error
    assert "since before starts were recorded" in KudosReward.objects.get(pk=ledger["unknown start"].pk).last_error
    assert KudosReward.objects.get(pk=ledger["under way"].pk).last_error == ""
    assert [award["amount"] for award in horde.awards] == [5]  # the award the dead worker sent, and no other


def test_the_admin_lists_stuck_lines_with_their_reason(ledger, moderator_client):
    page = moderator_client.get("/admin/kudos/kudosreward/?waiting=yes").content.decode()

    assert "Waiting for a moderator" in page
    assert "the worker stopped mid-call, and the Horde may have paid" in page
    assert f"/admin/kudos/kudosreward/{ledger['stuck'].pk}/change/" in page
    assert f"/admin/kudos/kudosreward/{ledger['unknown start'].pk}/change/" in page
    assert f"/admin/kudos/kudosreward/{ledger['under way'].pk}/change/" not in page


def test_a_timed_out_call_keeps_its_own_reason(login, make_images, horde, settings):
    from ratings_site.kudos.payments import pay_rewards_for

    settings.HORDE_TIMEOUT = 0.3
    client = login(DEMO_KEY)
    rate_via_page(client, make_images(1)[0])
    horde.delay_seconds = 0.8
    assert pay_rewards_for(KudosReward.objects.get().rater_id).status == "unknown"

    out = io.StringIO()
    call_command("pay_pending_kudos", stdout=out)

    assert "1 line waits for a moderator" in out.getvalue()
    assert "The Horde did not answer in time" in KudosReward.objects.get().last_error
