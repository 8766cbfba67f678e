"""A rater whose Horde account is rejected: the award is refused, the lines fail with the Horde's message, no retry."""

import io
import signal
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from ratings_site.kudos.models import KudosReward
from ratings_site.raters.models import Rater
from tests.conftest import DEMO_KEY, csrf_token

pytestmark = pytest.mark.django_db(transaction=True)


def _rate(client, image, rating: int = 7) -> None:
    response = client.post(
        f"/images/{image.public_id}/rate/", {"rating": str(rating), "csrfmiddlewaretoken": csrf_token(client)}
    )
    assert response.status_code == 302, response.content.decode()[:500]


def _run_worker() -> None:
    """`manage.py db_worker --batch`: runs every task that is due, then exits."""
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    try:
        call_command("db_worker", batch=True, startup_delay=False, interval=0, reload=False, verbosity=0, stdout=io.StringIO())
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)


def _let_deferred_tasks_fall_due() -> None:
    DBTaskResult.objects.filter(status=TaskResultStatus.READY).update(run_after=timezone.now() - timedelta(seconds=1))


def test_the_horde_refusal_marks_the_lines_failed_with_its_message(login, make_images, horde):
    client = login(DEMO_KEY)
    for image in make_images(2):
        _rate(client, image)
    # Since the ratings, the account was flagged on the Horde (the stand-in's Flagged#1005 is refused).
    Rater.objects.filter(horde_id=1001).update(username="Flagged#1005")

    _let_deferred_tasks_fall_due()
    _run_worker()

    for line in KudosReward.objects.all():
        assert (line.status, line.attempts, line.paid_at) == (KudosReward.Status.FAILED, 1, None)
        assert "Target user is rejected" in line.last_error
    assert horde.awards == []
    assert horde.balance("Flagged#1005") == 100
    assert [r["path"] for r in horde.requests if r["method"] == "POST"] == ["/v2/kudos/award"]


def test_a_refused_payment_is_not_retried(login, make_images, horde):
    client = login(DEMO_KEY)
    _rate(client, make_images(1)[0])
    Rater.objects.filter(horde_id=1001).update(username="Flagged#1005")
    _let_deferred_tasks_fall_due()
    _run_worker()

    assert not DBTaskResult.objects.filter(status=TaskResultStatus.READY).exists()
    _let_deferred_tasks_fall_due()
    _run_worker()
    assert [r["path"] for r in horde.requests if r["method"] == "POST"] == ["/v2/kudos/award"]


def test_the_kudos_page_shows_the_horde_message(login, make_images, horde):
    client = login(DEMO_KEY)
    _rate(client, make_images(1)[0])
    Rater.objects.filter(horde_id=1001).update(username="Flagged#1005")
    _let_deferred_tasks_fall_due()
    _run_worker()

    html = client.get("/kudos/").content.decode()

    assert '<span class="status failed">failed</span>' in html
    assert "Target user is rejected" in html
