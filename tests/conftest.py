"""Shared fixtures: a stand-in Horde over real HTTP, raters logged in through the real login."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable, Iterator

import pytest
from django.test import Client

from ratings_site.horde.standin import SERVICE_API_KEY, StandinHorde

DEMO_KEY = "demo-rater-0001"
SECOND_KEY = "demo-rater-0006"
THIRD_KEY = "demo-rater-0007"
ANONYMOUS_KEY = "0000000000"
SHARED_KEY = "demo-shared-0004"


@pytest.fixture(scope="session")
def standin_server() -> Iterator[StandinHorde]:
    server = StandinHorde().start()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def horde(standin_server: StandinHorde, settings) -> StandinHorde:
    """Every test talks to a fresh stand-in Horde; none can reach the real one."""
    from django.core.cache import cache

    standin_server.reset()
    cache.clear()
    settings.HORDE_API_URL = standin_server.url
    settings.HORDE_SERVICE_API_KEY = SERVICE_API_KEY
    return standin_server


@pytest.fixture
def login(db) -> Callable[..., Client]:
    """A test client (CSRF checks on) logged in through /login/ with a Horde key."""

    def _login(key: str = DEMO_KEY) -> Client:
        client = Client(enforce_csrf_checks=True)
        page = client.get("/login/")
        token = page.cookies["csrftoken"].value
        response = client.post("/login/", {"apikey": key, "csrfmiddlewaretoken": token})
        assert response.status_code == 302, response.content.decode()[:2000]
        return client

    return _login


def csrf_token(client: Client) -> str:
    """The CSRF token of a client that has loaded a page."""
    cookie = client.cookies.get("csrftoken")
    if cookie is None:
        client.get("/login/")
        cookie = client.cookies["csrftoken"]
    return cookie.value


_counter = itertools.count()


@pytest.fixture
def moderator_client(db) -> Client:
    """A client logged in to the admin as a superuser moderator."""
    from ratings_site.raters.models import Rater

    client = Client()
    client.force_login(Rater.objects.create_superuser("mod", "mod@example.org", "pw"))
    return client


@pytest.fixture
def make_images(db) -> Callable[..., list]:
    """Create `count` URL images in a dataset (created when missing).

    They enter the queue as imported images do (when the queue rule lets them, e.g. not hidden),
    with the given priority.
    """
    from ratings_site.datasets.models import Dataset, Image, QueueEntry
    from ratings_site.datasets.services import refresh_queue

    def _make(count: int, *, dataset: str = "test-set", priority: float = 0.0, **fields) -> list[Image]:
        ds, _ = Dataset.objects.get_or_create(slug=dataset, defaults={"name": dataset.title()})
        images = []
        for _ in range(count):
            n = next(_counter)
            url = f"https://images.example.org/{dataset}/{n}-{uuid.uuid4().hex[:8]}.jpg"
            images.append(Image(dataset=ds, url=url, caption=f"test image {n}", dedupe_key=uuid.uuid4().hex, **fields))
        images = Image.objects.bulk_create(images)
        ids = [image.pk for image in images]
        refresh_queue(Image.objects.filter(pk__in=ids))
        QueueEntry.objects.filter(image_id__in=ids).update(priority=priority)
        return images

    return _make
