"""A rater may have GENERATION_COPY_PENDING_PER_RATER images waiting for their copies, so that one rater's
registrations cannot fill the copies' queue: the images of a set registered beyond it are marked failed at once,
saying why, and nothing is queued for them; the set itself is registered and rateable all the same, other raters
are not held back, and once the rater's copies are done their next set is copied again."""

import pytest
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from ratings_site.generations.copies import copy_generation_images
from ratings_site.generations.models import GenerationImage, GenerationSet
from tests.api_helpers import post_json, registration
from tests.conftest import DEMO_KEY, SECOND_KEY
from tests.helpers import run_worker
from tests.image_servers import serving

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def cap_of_four(settings):
    settings.ALLOW_PRIVATE_IMAGE_URLS = True
    settings.GENERATION_COPY_PENDING_PER_RATER = 4


def register(server, key: str, count: int, prefix: str) -> GenerationSet:
    images = [{"id": f"{prefix}{n}", "url": server.url(f"/{prefix}{n}.png")} for n in range(count)]
    response = post_json("/api/v1/generations", registration(images=images), apikey=key)
    assert response.status_code == 201, response.content
    return GenerationSet.objects.get(request_id=response.json()["request_id"])


def sets_queued_for_copies() -> list[int]:
    tasks = DBTaskResult.objects.filter(status=TaskResultStatus.READY, task_path=copy_generation_images.module_path)
    return sorted(task.args_kwargs["args"][0] for task in tasks)


def copy_states(generation_set: GenerationSet) -> set[str]:
    return set(GenerationImage.objects.filter(generation_set=generation_set).values_list("copy_state", flat=True))


def test_a_set_beyond_the_raters_cap_is_kept_without_copies(horde):
    with serving("127.0.0.1") as server:
        first = register(server, DEMO_KEY, 3, "a")
        beyond = register(server, DEMO_KEY, 2, "b")  # 3 waiting + 2 > 4
        another_raters = register(server, SECOND_KEY, 3, "c")

        assert sets_queued_for_copies() == sorted([first.pk, another_raters.pk])
        assert copy_states(beyond) == {GenerationImage.CopyState.FAILED}
        for image in GenerationImage.objects.filter(generation_set=beyond):
            assert image.copy_attempts == 0
            assert "its rater had 3 images waiting" in image.copy_error
            assert "GENERATION_COPY_PENDING_PER_RATER" in image.copy_error
        assert post_json("/api/v1/generations", registration(beyond.request_id, images=[
            {"id": "b0", "url": server.url("/b0.png")}, {"id": "b1", "url": server.url("/b1.png")}]),
            apikey=DEMO_KEY).status_code == 200  # known: the set is registered

        run_worker()
        assert copy_states(first) == copy_states(another_raters) == {GenerationImage.CopyState.COPIED}
        assert not any(path.startswith("/b") for path in server.paths)  # nothing fetched for the set beyond

        later = register(server, DEMO_KEY, 4, "d")  # the rater's copies are done: room again
        run_worker()

    assert copy_states(later) == {GenerationImage.CopyState.COPIED}
