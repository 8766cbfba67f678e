"""Kudos payments and set submissions are never queued behind copies of generation images, so that a payment due
while a slow host holds the copies' worker goes out at once: copies run on a queue of their own ("copies"), the
open dataset's refresh on another ("exports"), and `make run` (like production, README) runs a worker for each."""

import re
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from ratings_site.demo.standin import DEMO_SET_FOUR
from ratings_site.generations.copies import copy_generation_images
from ratings_site.generations.models import GenerationImage, GenerationSet
from ratings_site.kudos.models import KudosReward
from tests.api_helpers import post_json, registration
from tests.conftest import DEMO_KEY
from tests.generation_helpers import open_set, submit
from tests.helpers import let_deferred_tasks_fall_due, rate_via_page, run_worker
from tests.image_servers import trickling

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.django_db(transaction=True)
def test_a_payment_and_a_submission_due_while_copies_crawl_go_out_at_once(login, make_images, horde, settings):
    settings.ALLOW_PRIVATE_IMAGE_URLS = True
    settings.GENERATION_COPY_TIMEOUT = 5
    settings.GENERATION_COPY_SET_BUDGET_SECONDS = 15
    client = login(DEMO_KEY)
    with trickling("127.0.0.1") as server:
        images = [{"id": f"g{n}", "url": server.url(f"/{n}.png")} for n in range(3)]
        post_json("/api/v1/generations", registration(images=images), apikey=DEMO_KEY)  # 15 s of copies, first
        [image] = make_images(1)
        rate_via_page(client, image)  # a payment, due after the batch window
        open_set(client, DEMO_SET_FOUR)
        ids = horde.generation_ids(DEMO_SET_FOUR)
        horde.fail("/v2/generate/rate", 1, 503)
        submit(client, DEMO_SET_FOUR, {ids[0]: 8}, best=ids[0])  # saved; the worker sends it
        let_deferred_tasks_fall_due()

        started = time.monotonic()
        run_worker(queue="default")  # the payments' worker: pays, and the send finds the Horde down
        let_deferred_tasks_fall_due()  # the send's retry, after its back-off
        run_worker(queue="default")
        took = time.monotonic() - started

    assert took < 4, f"the payment waited {took:.1f} s"
    assert KudosReward.objects.get(rating__isnull=False).status == KudosReward.Status.PAID
    assert GenerationSet.objects.get(request_id=DEMO_SET_FOUR).submission == GenerationSet.Submission.SENT
    assert len(server.paths) == 0  # no copy was tried by the payments' worker
    waiting = DBTaskResult.objects.filter(status=TaskResultStatus.READY, task_path=copy_generation_images.module_path)
    assert waiting.exists() and {task.queue_name for task in waiting} == {"copies"}
    assert GenerationImage.objects.filter(copy_state=GenerationImage.CopyState.WAITING).exists()


def test_make_run_and_the_readme_run_a_worker_for_every_queue():
    queues = set(django_settings.TASKS["default"]["QUEUES"])
    assert {"default", "copies", "exports"} <= queues
    started = set(re.findall(r"db_worker [^\n]*--queue-name (\w+)", (ROOT / "scripts" / "run_dev.sh").read_text()))
    assert started == queues
    readme = (ROOT / "README.md").read_text()
    production = readme[readme.index("## Production"):]
    for queue in queues:
        assert f"--queue-name {queue}" in production
