"""A copy that fails (the image host is not answering) is retried after a back-off, and then kept."""

import socket

import pytest
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from ratings_site.generations.models import GenerationImage
from tests.api_helpers import post_json, registration
from tests.conftest import DEMO_KEY
from tests.helpers import let_deferred_tasks_fall_due, run_worker
from tests.image_servers import serving

pytestmark = pytest.mark.django_db(transaction=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_failed_copy_is_retried_with_backoff_then_kept(horde, settings):
    settings.ALLOW_PRIVATE_IMAGE_URLS = True
    settings.GENERATION_COPY_RETRY_BASE_SECONDS = 120
    port = free_port()
    url = f"http://127.0.0.1:{port}/picture.png"
    post_json("/api/v1/generations", registration(images=[{"id": "g1", "url": url}]), apikey=DEMO_KEY)

    started = timezone.now()
    run_worker()  # nobody listens on the port yet

    image = GenerationImage.objects.get()
    assert (image.copy_state, image.copy_attempts) == (GenerationImage.CopyState.WAITING, 1)
    assert "cannot connect" in image.copy_error
    retry = DBTaskResult.objects.get(status=TaskResultStatus.READY)
    assert 110 <= (retry.run_after - started).total_seconds() <= 130
    run_worker()  # not due yet: nothing happens
    assert GenerationImage.objects.get().copy_attempts == 1

    with serving("127.0.0.1", port=port) as server:
        let_deferred_tasks_fall_due()
        run_worker()

    assert server.paths == ["/picture.png"]
    image = GenerationImage.objects.get()
    assert (image.copy_state, image.copy_attempts, image.copy_error) == (GenerationImage.CopyState.COPIED, 2, "")
    assert (image.width, image.height) == (64, 48)
    assert not DBTaskResult.objects.filter(status=TaskResultStatus.READY).exists()
