"""The worker pays all of a rater's pending lines with ONE award call to the Horde, and marks each line paid."""


import pytest
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from ratings_site.kudos.models import KudosReward
from tests.conftest import DEMO_KEY
from tests.helpers import let_deferred_tasks_fall_due, rate_via_page, run_worker

pytestmark = pytest.mark.django_db(transaction=True)


def test_three_ratings_are_paid_with_one_award_of_fifteen(login, make_images, horde, settings):
    images = make_images(3)
    client = login(DEMO_KEY)
    for image in images:
        rate_via_page(client, image)
    assert KudosReward.objects.filter(status=KudosReward.Status.PENDING).count() == 3
    assert DBTaskResult.objects.count() == 1  # the later lines ride on the first one's payment

    let_deferred_tasks_fall_due()
    run_worker()

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
        rate_via_page(client, image)

    run_worker()  # run_after is still KUDOS_BATCH_SECONDS away

    assert horde.awards == []
    assert KudosReward.objects.filter(status=KudosReward.Status.PENDING).count() == 2
    assert DBTaskResult.objects.get().status == TaskResultStatus.READY


def test_a_rating_after_a_paid_batch_starts_a_new_batch(login, make_images, horde):
    first, second, third = make_images(3)
    client = login(DEMO_KEY)
    rate_via_page(client, first)
    rate_via_page(client, second)
    let_deferred_tasks_fall_due()
    run_worker()

    rate_via_page(client, third)

    assert DBTaskResult.objects.filter(status=TaskResultStatus.READY).count() == 1
    let_deferred_tasks_fall_due()
    run_worker()
    assert [a["amount"] for a in horde.awards] == [10, 5]
    assert horde.balance("DemoRater#1001") == 1015
    assert not KudosReward.objects.exclude(status=KudosReward.Status.PAID).exists()


def test_each_rater_is_paid_their_own_batch(login, make_images, horde):
    images = make_images(3)
    first = login(DEMO_KEY)
    second = login("demo-rater-0006")
    rate_via_page(first, images[0])
    rate_via_page(first, images[1])
    rate_via_page(second, images[0])
    rate_via_page(second, images[2])
    rate_via_page(second, images[1])

    let_deferred_tasks_fall_due()
    run_worker()

    assert sorted((a["username"], a["amount"]) for a in horde.awards) == [
        ("DemoRater#1001", 10),
        ("SecondRater#1006", 15),
    ]
