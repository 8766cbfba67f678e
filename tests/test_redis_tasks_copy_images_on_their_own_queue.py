"""On Redis (django-tasks-rq), the copies of a set's images go to the queue "copies": the payments' worker
("default") never runs them, the copies' worker copies every image."""

import pytest

from ratings_site.demo.standin import DEMO_SET_FOUR
from ratings_site.generations.models import GenerationImage
from tests.conftest import DEMO_KEY
from tests.generation_helpers import open_set
from tests.redis_helpers import (
    needs_redis,
    run_rq_worker,
    waiting_in,
)

pytestmark = [needs_redis, pytest.mark.django_db(transaction=True)]


def _copy_states() -> list[str]:
    return sorted(GenerationImage.objects.values_list("copy_state", flat=True))


def test_copies_wait_on_their_queue_and_its_worker_copies_them(rq_tasks, login, horde, settings):
    settings.ALLOW_PRIVATE_IMAGE_URLS = True  # the stand-in Horde serves its images on 127.0.0.1
    client = login(DEMO_KEY)
    open_set(client, DEMO_SET_FOUR)

    assert (waiting_in("copies"), waiting_in("default")) == (1, 0)
    run_rq_worker(queue="default")
    assert _copy_states() == [GenerationImage.CopyState.WAITING] * 4

    run_rq_worker(queue="copies")

    assert _copy_states() == [GenerationImage.CopyState.COPIED] * 4
    assert all(image.file.name for image in GenerationImage.objects.all())
    assert waiting_in("copies") == 0
