"""`resume_generation_work` decides what is left from our own rows (a set's pending submission, images waiting
for their copy), never from the task engine's tables; so it may enqueue work that a task already covers. That is
harmless: a send is claimed once and a copy is kept only while its image waits, so twice enqueued is done once."""

from io import StringIO

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from ratings_site.demo.standin import DEMO_SET_FOUR
from ratings_site.generations.models import GenerationImage, GenerationSet
from tests.conftest import DEMO_KEY
from tests.generation_helpers import open_set, rate_calls, submit
from tests.helpers import let_deferred_tasks_fall_due, run_worker

pytestmark = pytest.mark.django_db(transaction=True)


def resume_as_if_for_the_first_time() -> str:
    cache.clear()  # the command's note of what it enqueued lately is forgotten (a cache may forget at any time)
    out = StringIO()
    call_command("resume_generation_work", stdout=out)
    return out.getvalue()


def test_a_pending_set_enqueued_beside_its_retry_is_sent_once(login, horde):
    client = login(DEMO_KEY)
    open_set(client, DEMO_SET_FOUR)
    ids = horde.generation_ids(DEMO_SET_FOUR)
    horde.fail("/v2/generate/rate", 1, 503)
    submit(client, DEMO_SET_FOUR, {ids[0]: 9, ids[1]: 4})
    run_worker()  # the first try (if the page left it to the worker) fails: a retry waits for its back-off
    assert GenerationSet.objects.get().submission == GenerationSet.Submission.PENDING

    assert "Scheduled 1 pending set rating" in resume_as_if_for_the_first_time()
    assert "Scheduled 1 pending set rating" in resume_as_if_for_the_first_time()
    assert DBTaskResult.objects.filter(status=TaskResultStatus.READY, task_path__endswith="send_pending_set").count() >= 3
    for _ in range(3):
        let_deferred_tasks_fall_due()
        run_worker()

    assert GenerationSet.objects.get().submission == GenerationSet.Submission.SENT
    assert len(horde.rated) == 1 and len(rate_calls(horde)) == 2  # the failed call, then one that went through


def test_copies_enqueued_twice_copy_each_image_once(login, horde, settings):
    settings.ALLOW_PRIVATE_IMAGE_URLS = True  # the stand-in Horde serves its images on 127.0.0.1
    client = login(DEMO_KEY)
    open_set(client, DEMO_SET_FOUR)  # its copies are enqueued

    assert "the copies of 1 set." in resume_as_if_for_the_first_time()
    run_worker()

    images = list(GenerationImage.objects.all())
    assert [image.copy_state for image in images] == [GenerationImage.CopyState.COPIED] * 4
    assert [image.copy_attempts for image in images] == [1] * 4  # the second task found nothing waiting
