"""The worker pays all of a rater's pending lines with ONE award call to the Horde, and marks each line paid."""

import io
import signal
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from ratings_site.kudos.models import KudosReward
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


def test_three_ratings_are_paid_with_one_award_of_fifteen(login, make_images, horde, settings):
    images = make_images(3)
    client = login(DEMO_KEY)
    for image in images:
        _rate(client, image)
    assert KudosReward.objects.filter(status=KudosReward.Status.PENDING).count() == 3
    assert DBTaskResult.objects.count() == 1  # the later lines ride on the first one's payment

    _let_deferred_tasks_fall_due()
    _run_worker()

    assert [(a["username"], a["amount"]) for a in horde.awards] == [("DemoRater#1001", 15)]
    assert horde.awards[0]["client_agent"] == settings.HORDE_CLIENT_AGENT
    assert horde.balance("DemoRater#1001") == 1000 + 15
    for line in KudosReward.objects.all():
        assert line.status == KudosReward.Status.PAID
        assert line.paid_at is not None
        assert (line.attempts, line.last_error) == (1, "")
    task = DBTaskResult.objects.get()
    assert task.status == TaskResultStatus.SUCCESSFUL
    assert task.return_value == {"paid": 15, "lines": 3, "status": "paid"}


def test_the_deferred_payment_waits_for_the_batch_window(login, make_images, horde):
    images = make_images(2)
    client = login(DEMO_KEY)
    for image in images:
        _rate(client, image)

    _run_worker()  # run_after is still KUDOS_BATCH_SECONDS away

    assert horde.awards == []
    assert KudosReward.objects.filter(status=KudosReward.Status.PENDING).count() == 2
    assert DBTaskResult.objects.get().status == TaskResultStatus.READY


def test_a_rating_after_a_paid_batch_starts_a_new_batch(login, make_images, horde):
    first, second, third = make_images(3)
    client = login(DEMO_KEY)
    _rate(client, first)
    _rate(client, second)
    _let_deferred_tasks_fall_due()
    _run_worker()

    _rate(client, third)

    assert DBTaskResult.objects.filter(status=TaskResultStatus.READY).count() == 1
    _let_deferred_tasks_fall_due()
    _run_worker()
    assert [a["amount"] for a in horde.awards] == [10, 5]
    assert horde.balance("DemoRater#1001") == 1015
    assert not KudosReward.objects.exclude(status=KudosReward.Status.PAID).exists()


def test_each_rater_is_paid_their_own_batch(login, make_images, horde):
    images = make_images(3)
    first = login(DEMO_KEY)
    second = login("demo-rater-0006")
    _rate(first, images[0])
    _rate(first, images[1])
    _rate(second, images[0])
    _rate(second, images[2])
    _rate(second, images[1])

    _let_deferred_tasks_fall_due()
    _run_worker()

    assert sorted((a["username"], a["amount"]) for a in horde.awards) == [
        ("DemoRater#1001", 10),
        ("SecondRater#1006", 15),
    ]
