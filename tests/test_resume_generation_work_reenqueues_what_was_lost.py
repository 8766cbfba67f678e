"""`manage.py resume_generation_work` (cron's safety net) re-enqueues what a lost task or a web process that
died mid-send left: a set rating still pending for the Horde is sent, once; images waiting for their copy are
copied. Work a queued task already covers is not enqueued twice."""

from io import StringIO

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from ratings_site.demo.standin import DEMO_SET_FOUR
from ratings_site.generations.models import GenerationImage, GenerationSet
from tests.conftest import DEMO_KEY
from tests.generation_helpers import open_set, rate_calls, submit
from tests.helpers import let_deferred_tasks_fall_due, run_worker

pytestmark = pytest.mark.django_db(transaction=True)


def resume() -> str:
    out = StringIO()
    call_command("resume_generation_work", stdout=out)
    return out.getvalue()


def test_a_pending_rating_whose_retry_was_lost_is_sent_once(login, horde):
    client = login(DEMO_KEY)
    open_set(client, DEMO_SET_FOUR)
    ids = horde.generation_ids(DEMO_SET_FOUR)
    horde.fail("/v2/generate/rate", 1, 503)
    submit(client, DEMO_SET_FOUR, {ids[0]: 9, ids[1]: 4})
    run_worker()  # the first try: the Horde is down
    assert GenerationSet.objects.get().submission == GenerationSet.Submission.PENDING
    DBTaskResult.objects.all().delete()  # the worker's queue lost the retry (and the copies)

    assert "Scheduled 1 pending set rating for the Horde" in resume()
    assert "Scheduled 0 pending set ratings" in resume()  # already queued: not twice
    let_deferred_tasks_fall_due()
    run_worker()

    generation_set = GenerationSet.objects.get()
    assert (generation_set.submission, generation_set.horde_reward) == (GenerationSet.Submission.SENT, 10)
    assert len(horde.rated) == 1 and len(rate_calls(horde)) == 2  # the failed call and the one that went through
    assert "Scheduled 0 pending set ratings" in resume()


def test_images_whose_copy_task_was_lost_are_copied(login, horde, settings):
    settings.ALLOW_PRIVATE_IMAGE_URLS = True  # the stand-in Horde serves its images on 127.0.0.1
    client = login(DEMO_KEY)
    open_set(client, DEMO_SET_FOUR)
    DBTaskResult.objects.all().delete()
    assert GenerationImage.objects.filter(copy_state=GenerationImage.CopyState.WAITING).count() == 4

    assert "the copies of 1 set." in resume()
    assert "the copies of 0 sets." in resume()
    run_worker()

    assert GenerationImage.objects.filter(copy_state=GenerationImage.CopyState.COPIED).count() == 4
    assert "the copies of 0 sets." in resume()
