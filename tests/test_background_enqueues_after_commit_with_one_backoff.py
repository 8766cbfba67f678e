"""The one task layer (ratings_site.background): a task scheduled inside a transaction is enqueued only once it
commits (and never when it rolls back), with its `run_after` when delayed; a task named by its path is the task;
every retry waits the one back-off (base, doubled per try, capped)."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from ratings_site import background
from ratings_site.background import backoff_seconds, enqueue_after_commit
from ratings_site.figures.tasks import refresh_site_figures

pytestmark = pytest.mark.django_db(transaction=True)


def test_enqueued_only_when_the_transaction_commits():
    with transaction.atomic():
        enqueue_after_commit(refresh_site_figures)
        assert not DBTaskResult.objects.exists()

    assert DBTaskResult.objects.get().task_path == refresh_site_figures.module_path


def test_nothing_enqueued_when_the_transaction_rolls_back():
    with pytest.raises(RuntimeError), transaction.atomic():
        enqueue_after_commit(refresh_site_figures)
        raise RuntimeError("the change is undone")

    assert not DBTaskResult.objects.exists()


def test_a_delayed_task_runs_after_its_delay_and_a_path_names_the_task():
    before = timezone.now()
    enqueue_after_commit("ratings_site.kudos.tasks.pay_rewards", 7, delay_seconds=90)

    task = DBTaskResult.objects.get()
    assert task.task_path == "ratings_site.kudos.tasks.pay_rewards" and task.args_kwargs["args"] == [7]
    assert before + timedelta(seconds=89) <= task.run_after <= timezone.now() + timedelta(seconds=90)


def test_a_path_that_names_no_task_is_refused():
    with pytest.raises(TypeError):
        background.task_named("ratings_site.background.backoff_seconds")


def test_one_backoff_doubles_from_its_base_up_to_its_cap():
    assert [backoff_seconds(attempts, 30) for attempts in range(1, 10)] == [
        30, 60, 120, 240, 480, 960, 1920, 3600, 3600,
    ]
    assert backoff_seconds(0, 5) == 5 and backoff_seconds(3, 10, 25) == 25
