"""Shared fixtures: a stand-in Horde over real HTTP, raters logged in through the real login."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable, Iterator

import pytest
from django.test import Client

from ratings_site.demo.standin import SERVICE_API_KEY, StandinHorde

# Redis fixtures, defined here once for the whole session: a session fixture imported into several test modules is
# made once per module (each would claim a Redis database of its own).
from tests.redis_helpers import empty_redis, redis_database, rq_tasks  # noqa: E402, F401

DEMO_KEY = "demo-rater-0001"
SECOND_KEY = "demo-rater-0006"
THIRD_KEY = "demo-rater-0007"
ANONYMOUS_KEY = "0000000000"
SHARED_KEY = "demo-shared-0004"
MODERATOR_KEY = "demo-moderator-0003"


@pytest.fixture(scope="session")
def standin_server() -> Iterator[StandinHorde]:
    server = StandinHorde().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def _chromium():
    """The session's Playwright and chromium for the browser tests (tests/browser_fixtures.py), started by the first
    of them. Here, not in browser_fixtures.py: a session fixture imported into each browser module would be one per
    module. Imported late, so that the rest of the suite loads no Playwright."""
    from tests.browser_fixtures import SessionChromium

    chromium = SessionChromium()
    yield chromium
    chromium.stop()


@pytest.fixture(scope="session")
def _prepared_site(tmp_path_factory: pytest.TempPathFactory):
    """A migrated SQLite database and collected static files for the served site (tests/served_site.py), made once
    per session (per xdist worker) and copied per server. Here for the same reason as `_chromium`."""
    from tests.served_site import prepare_site

    return prepare_site(tmp_path_factory.mktemp("served-site") / "template")


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
def no_captchas(settings) -> None:
    """No captcha in the queue, so tests know which image comes next (`pytestmark = pytest.mark.usefixtures(...)`)."""
    settings.CAPTCHA_RATE = 0.0


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


def admin_login(key: str = MODERATOR_KEY) -> Client:
    """A client (CSRF checks on) after the admin's key login with `key` (kept in the session for the Horde's later
    word); whether it got in is for the test to see."""
    client = Client(enforce_csrf_checks=True)
    token = client.get("/admin/login/").cookies["csrftoken"].value
    client.post("/admin/login/?next=/admin/", {"apikey": key, "csrfmiddlewaretoken": token})
    return client


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


@pytest.fixture(scope="session")
def _drawn_demo_pictures() -> dict:
    """The demo pictures drawn so far in this test session, by (index, size)."""
    return {}


@pytest.fixture
def demo_pictures_drawn_once(_drawn_demo_pictures: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    """`seed_demo` (and `ensure_demo_images`) in this test take each demo picture from a session-wide cache:
    drawn once per test session, not once per test (a 768 px picture takes about 0.1 to 0.6 s).

    The same `DemoImage` (bytes, caption, size) the painters give, so that what seed_demo stores, and what
    the test checks, is unchanged. For the tests that use demo pictures as data; not for those of the
    painters themselves (tests/test_captcha_images_legible.py draws twice to compare).
    """
    from ratings_site.demo import painters

    draw = painters.demo_image

    def demo_image(index: int, size: tuple[int, int] = painters.DEFAULT_SIZE) -> painters.DemoImage:
        key = (index, tuple(size))
        if key not in _drawn_demo_pictures:
            _drawn_demo_pictures[key] = draw(index, size)
        return _drawn_demo_pictures[key]

    monkeypatch.setattr(painters, "demo_image", demo_image)
