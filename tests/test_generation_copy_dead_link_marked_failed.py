"""A link whose host is down (503) is retried, then marked failed with the reason after GENERATION_COPY_MAX_ATTEMPTS
tries; the other images of the set are kept all the same. What retrying cannot help fails at once (here an internal
address and too many pixels; a dead link, HTML and the like in test_generation_copy_that_cannot_succeed_fails_at_once)."""

import pytest
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from ratings_site.generations.models import GenerationImage
from tests.api_helpers import post_json, registration
from tests.conftest import DEMO_KEY
from tests.helpers import let_deferred_tasks_fall_due, run_worker
from tests.image_servers import answering

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def local_images_allowed(settings):
    settings.ALLOW_PRIVATE_IMAGE_URLS = True
    settings.GENERATION_COPY_MAX_ATTEMPTS = 3


def test_a_link_whose_host_is_down_is_tried_three_times_then_marked_failed(horde):
    with answering("127.0.0.1", status=503, body=b"down for maintenance") as down:
        images = [
            {"id": "dead", "url": down.url()},
            {"id": "alive", "url": f"{horde.base_url}/_standin/images/alive.png"},
        ]
        post_json("/api/v1/generations", registration(images=images), apikey=DEMO_KEY)

        run_worker()
        for _ in range(2):
            assert GenerationImage.objects.get(generation_id="dead").copy_state == "waiting"
            let_deferred_tasks_fall_due()
            run_worker()

    dead, alive = GenerationImage.objects.get(generation_id="dead"), GenerationImage.objects.get(generation_id="alive")
    assert (dead.copy_state, dead.copy_attempts) == (GenerationImage.CopyState.FAILED, 3)
    assert dead.copy_error == "HTTP 503 Service Unavailable" and not dead.file
    assert (alive.copy_state, alive.copy_attempts) == (GenerationImage.CopyState.COPIED, 1)
    assert not DBTaskResult.objects.filter(status=TaskResultStatus.READY).exists()  # no more tries
    assert not DBTaskResult.objects.filter(status=TaskResultStatus.FAILED).exists()  # the task itself never failed


def test_an_internal_address_fails_at_once(horde, settings):
    post_json("/api/v1/generations", registration(images=[{"id": "g1", "url": f"{horde.base_url}/_standin/images/a.png"}]),
              apikey=DEMO_KEY)
    settings.ALLOW_PRIVATE_IMAGE_URLS = False  # e.g. a registration accepted before the rule changed

    run_worker()

    image = GenerationImage.objects.get()
    assert (image.copy_state, image.copy_attempts) == (GenerationImage.CopyState.FAILED, 1)
    assert "loopback" in image.copy_error


def test_an_image_over_the_pixel_limit_fails_at_once(horde, settings):
    settings.MAX_IMAGE_PIXELS = 100
    post_json("/api/v1/generations", registration(images=[{"id": "g1", "url": f"{horde.base_url}/_standin/images/a.png"}]),
              apikey=DEMO_KEY)

    run_worker()

    image = GenerationImage.objects.get()
    assert (image.copy_state, image.copy_attempts) == (GenerationImage.CopyState.FAILED, 1)
    assert "over MAX_IMAGE_PIXELS" in image.copy_error

