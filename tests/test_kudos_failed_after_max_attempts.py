"""After KUDOS_MAX_ATTEMPTS failed awards the lines are marked failed and no more payments are tried."""

import io

import pytest
from django.core.management import call_command
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from ratings_site.kudos.models import KudosReward
from tests.conftest import DEMO_KEY
from tests.helpers import (
    rate_via_page,
    run_due_payment,
)

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_lines_fail_after_the_last_attempt(login, make_images, horde, settings):
    settings.KUDOS_MAX_ATTEMPTS = 3
    horde.fail("/v2/kudos/award", 10)
    client = login(DEMO_KEY)
    for image in make_images(2):
        rate_via_page(client, image)

    run_due_payment()
    run_due_payment()
    assert set(KudosReward.objects.values_list("status", "attempts")) == {(KudosReward.Status.PENDING, 2)}
    run_due_payment()

    for line in KudosReward.objects.all():
        assert (line.status, line.attempts, line.paid_at) == (KudosReward.Status.FAILED, 3, None)
        assert line.last_error.startswith("Gave up after 3 attempts")
    assert not DBTaskResult.objects.filter(status=TaskResultStatus.READY).exists()
    assert horde.awards == []
    assert horde.balance("DemoRater#1001") == 1000


def test_failed_lines_are_not_paid_when_the_horde_comes_back(login, make_images, horde, settings):
    settings.KUDOS_MAX_ATTEMPTS = 1
    horde.fail("/v2/kudos/award", 1)
    client = login(DEMO_KEY)
    rate_via_page(client, make_images(1)[0])
    run_due_payment()
    assert KudosReward.objects.get().status == KudosReward.Status.FAILED

    call_command("pay_pending_kudos", stdout=io.StringIO())
    run_due_payment()

    assert horde.awards == []
    assert KudosReward.objects.get().status == KudosReward.Status.FAILED


def test_the_kudos_page_shows_the_failed_lines(login, make_images, horde, settings):
    settings.KUDOS_MAX_ATTEMPTS = 1
    horde.fail("/v2/kudos/award", 1)
    client = login(DEMO_KEY)
    rate_via_page(client, make_images(1)[0])
    run_due_payment()

    html = client.get("/kudos/").content.decode()

    assert '<span class="status failed">failed</span>' in html
    assert "Gave up after 1 attempt:" in html
    assert '<dd data-testid="failed">5</dd>' in html
    assert '<dd data-testid="pending">0</dd>' in html
