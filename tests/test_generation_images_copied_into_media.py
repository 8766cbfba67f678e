"""The images are kept: a registered set's images are copied from the Horde's links into MEDIA_ROOT by the
background worker (real HTTP to the stand-in Horde's images), with their size and content hash."""

import hashlib
import urllib.request

import pytest
from django.core.files.storage import default_storage
from django_tasks_db.models import DBTaskResult

from ratings_site.generations.models import GenerationImage
from tests.api_helpers import post_json, registration
from tests.conftest import DEMO_KEY
from tests.helpers import run_worker

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def local_images_allowed(settings):
    settings.ALLOW_PRIVATE_IMAGE_URLS = True  # the stand-in Horde serves its images on 127.0.0.1


def horde_images(horde, count: int) -> list[dict]:
    return [{"id": f"gen-{n}", "url": f"{horde.base_url}/_standin/images/gen-{n}.png", "model": "m", "seed": "1"}
            for n in range(count)]


def test_each_image_is_copied_with_its_size_and_hash(horde):
    body = registration(images=horde_images(horde, 3))
    assert post_json("/api/v1/generations", body, apikey=DEMO_KEY).status_code == 201
    assert DBTaskResult.objects.count() == 1  # one copy task for the set, enqueued once the set was stored

    run_worker()

    for image in GenerationImage.objects.order_by("position"):
        with urllib.request.urlopen(image.url, timeout=5) as served:
            original = served.read()
        assert image.copy_state == GenerationImage.CopyState.COPIED and image.copy_attempts == 1
        assert (image.width, image.height) == (64, 64)
        assert image.sha256 == hashlib.sha256(original).hexdigest()
        assert image.file.name == f"generations/{image.sha256[:2]}/{image.sha256}.png"
        with default_storage.open(image.file.name) as kept:
            assert kept.read() == original


def test_the_same_registration_again_copies_nothing_more(horde):
    body = registration(images=horde_images(horde, 2))
    post_json("/api/v1/generations", body, apikey=DEMO_KEY)
    run_worker()

    again = post_json("/api/v1/generations", body, apikey=DEMO_KEY)

    assert again.status_code == 200
    assert DBTaskResult.objects.count() == 1
    assert {image["copy"] for image in again.json()["images"]} == {"copied"}
    assert all(image["copy_url"].startswith("http://testserver/media/generations/") for image in again.json()["images"])


def test_an_image_without_a_link_waits_and_the_others_are_copied(horde):
    images = horde_images(horde, 1) + [{"id": "no-link"}]
    post_json("/api/v1/generations", registration(images=images), apikey=DEMO_KEY)

    run_worker()

    states = dict(GenerationImage.objects.values_list("generation_id", "copy_state"))
    assert states == {"gen-0": "copied", "no-link": "waiting"}
