"""A rating by a rater who earns kudos writes one pending ledger line and schedules its payment."""

from datetime import timedelta

import pytest
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from ratings_site.kudos.models import KudosReward
from ratings_site.raters.models import Rater
from ratings_site.ratings.models import Rating
from tests.conftest import DEMO_KEY
from tests.helpers import rate_via_page

# Transactional: the payment is scheduled on commit, as in production.
pytestmark = pytest.mark.django_db(transaction=True)


def test_a_rating_writes_one_pending_reward_of_kudos_per_rating(login, make_images, settings, horde):
    assert settings.KUDOS_PER_RATING == 5
    [image] = make_images(1)
    client = login(DEMO_KEY)

    rate_via_page(client, image)

    rater = Rater.objects.get(horde_id=1001)
    rating = Rating.objects.get(rater=rater, image=image)
    reward = KudosReward.objects.get()
    assert (reward.rater, reward.rating, reward.amount) == (rater, rating, 5)
    assert reward.status == KudosReward.Status.PENDING
    assert (reward.attempts, reward.paid_at, reward.last_error) == (0, None, "")
    assert horde.awards == []  # paid later, in a batch, by the worker


def test_a_rating_enqueues_a_deferred_pay_rewards_task(login, make_images, settings):
    [image] = make_images(1)
    client = login(DEMO_KEY)

    rate_via_page(client, image)

    rater = Rater.objects.get(horde_id=1001)
    task = DBTaskResult.objects.get()
    assert task.task_path == "ratings_site.kudos.tasks.pay_rewards"
    assert task.args_kwargs == {"args": [rater.pk], "kwargs": {}}
    assert task.status == TaskResultStatus.READY
    deferral = task.run_after - task.enqueued_at
    assert timedelta(seconds=settings.KUDOS_BATCH_SECONDS - 1) <= deferral <= timedelta(seconds=settings.KUDOS_BATCH_SECONDS)


def test_the_amount_follows_the_kudos_per_rating_setting(login, make_images, settings):
    settings.KUDOS_PER_RATING = 3
    [image] = make_images(1)
    client = login(DEMO_KEY)

    rate_via_page(client, image)

    assert KudosReward.objects.get().amount == 3


def test_the_same_rating_sent_twice_writes_one_line_and_one_task(login, make_images):
    [image] = make_images(1)
    client = login(DEMO_KEY)

    rate_via_page(client, image, rating=9)
    rate_via_page(client, image, rating=9)  # a double click

    assert Rating.objects.count() == 1
    assert KudosReward.objects.count() == 1
    assert DBTaskResult.objects.count() == 1
