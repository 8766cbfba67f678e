"""Browser fixtures: Debian's chromium, driven by Playwright, against pytest-django's live server.

Imported by the browser test modules (never by conftest.py), so the rest of the suite
starts no browser. Playwright never downloads a browser here: it runs /usr/bin/chromium.
The live server runs the real site in a thread with a transactional database, and the
autouse stand-in Horde of conftest.py answers its calls over real HTTP.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import itertools
import re
import uuid
from collections.abc import Callable, Iterator

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connections
from PIL import Image as Picture
from PIL import ImageDraw, ImageOps
from playwright.sync_api import Browser, Locator, Page, Playwright, expect, sync_playwright

from tests.conftest import DEMO_KEY

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
TIMEOUT_MS = 5000

RATING_LEGEND = re.compile("How much do you like this image")
ARTIFACTS_LEGEND = re.compile("Artifacts")


class SessionChromium:
    """The session's Playwright and chromium (fixture `_chromium` in tests/conftest.py, so that there is one per
    session, not one per module that imports these fixtures), started at the first browser test: starting both
    costs about 1.5 s, and there are over a hundred browser tests. Each test still gets contexts of its own.

    Playwright's sync API marks its asyncio loop as running in this thread after every call (it runs the loop in a
    greenlet between calls), and while a loop runs Django refuses synchronous ORM calls and keeps this thread's
    database connections apart from the others. A browser test may live with that (`browser` allows it), the rest
    of the suite must not: the loop is marked running only from the start to the end of each browser test.
    """

    def __init__(self) -> None:
        self._playwright: Playwright | None = None
        self._browser: Browser | None = None

    def begin(self) -> Browser:
        if self._playwright is None:
            self._playwright = sync_playwright().start()
        else:
            asyncio._set_running_loop(self._playwright._loop)
        if self._browser is None or not self._browser.is_connected():  # a crashed chromium is not carried over
            self._browser = self._playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
            )
        return self._browser

    def end(self) -> None:
        """After a browser test: close what it left open, and unmark the loop."""
        try:
            if self._browser is not None and self._browser.is_connected():
                for context in self._browser.contexts:
                    context.close()
        finally:
            asyncio._set_running_loop(None)

    def stop(self) -> None:
        if self._playwright is None:
            return
        asyncio._set_running_loop(self._playwright._loop)
        try:
            if self._browser is not None and self._browser.is_connected():
                self._browser.close()
        finally:
            self._playwright.stop()


@pytest.fixture
def browser(_chromium: SessionChromium, monkeypatch: pytest.MonkeyPatch) -> Iterator[Browser]:
    """The session's chromium, for this test: its contexts are closed when the test ends."""
    # Playwright's sync API keeps an asyncio loop running in this thread, and Django's
    # ORM refuses to run where a loop runs unless told the caller knows it is synchronous.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    try:
        yield _chromium.begin()
    finally:
        # While that loop runs, Django keeps this thread's database connections apart from
        # the ones opened before it: close those now, or they would outlive the test (and
        # PostgreSQL would refuse to drop the test database at the end of the run).
        connections.close_all()
        _chromium.end()


@pytest.fixture
def open_page(browser: Browser, live_server) -> Iterator[Callable[..., Page]]:
    """open_page(**context_options): a page in a new browser context (its own cookies) on the live server."""
    contexts = []

    def _open(**options) -> Page:
        options.setdefault("viewport", DESKTOP)
        context = browser.new_context(base_url=live_server.url, **options)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield _open
    for context in contexts:
        context.close()


@pytest.fixture
def page(open_page: Callable[..., Page]) -> Page:
    """A desktop-sized page with JavaScript on."""
    return open_page()


_colours = itertools.cycle(
    [
        ((32, 58, 120), (240, 170, 80)),
        ((20, 90, 60), (200, 230, 120)),
        ((110, 30, 70), (250, 200, 210)),
        ((40, 40, 40), (120, 200, 240)),
        ((90, 60, 20), (250, 240, 200)),
        ((60, 20, 110), (150, 240, 220)),
    ]
)


def _png(size: tuple[int, int] = (640, 480)) -> bytes:
    """A small picture: a diagonal colour gradient with a sun, distinct per call."""
    dark, light = next(_colours)
    gradient = Picture.linear_gradient("L").rotate(45, expand=True).resize(size)
    picture = ImageOps.colorize(gradient, black=dark, white=light)
    draw = ImageDraw.Draw(picture)
    w, h = size
    draw.ellipse((w * 0.55, h * 0.15, w * 0.8, h * 0.15 + w * 0.25), fill=light)
    draw.rectangle((0, h * 0.75, w, h), fill=dark)
    out = io.BytesIO()
    picture.save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def make_picture_images(db) -> Callable[..., list]:
    """Create `count` images whose files are real PNGs under MEDIA_ROOT (served at /media/)."""
    from ratings_site.datasets.models import Dataset, Image
    from ratings_site.datasets.services import refresh_queue

    def _make(count: int, *, dataset: str = "browser-set") -> list[Image]:
        ds, _ = Dataset.objects.get_or_create(slug=dataset, defaults={"name": dataset.replace("-", " ").title()})
        images = []
        for n in range(count):
            data = _png()
            name = default_storage.save(f"images/browser/{uuid.uuid4().hex}.png", ContentFile(data))
            images.append(
                Image.objects.create(
                    dataset=ds,
                    file=name,
                    caption=f"A test picture, number {n + 1}",
                    dedupe_key=hashlib.sha256(data).hexdigest(),
                    width=640,
                    height=480,
                )
            )
        refresh_queue(Image.objects.filter(pk__in=[image.pk for image in images]))  # as an import would
        return images

    return _make


def log_in(page: Page, key: str = DEMO_KEY) -> None:
    """Log in through the real /login/ page, as a person would, and land on the rate page."""
    page.goto("/login/")
    page.locator("input[name=apikey]").fill(key)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/rate/"))


def shown_image(page: Page) -> Locator:
    return page.get_by_test_id("image")


def shown_image_id(page: Page) -> str:
    image_id = shown_image(page).get_attribute("data-image-id")
    assert image_id, "no image on the page"
    return image_id


LOOK_STARTED = re.compile(r"^(looking|done)$")


def expect_image_loaded(page: Page) -> None:
    """The image to rate is on screen and its file really loaded (not a broken-image icon).

    expect() retries from Playwright's side; page.wait_for_function would poll inside the page,
    which a context without JavaScript never does (it checks once, then times out).
    """
    image = shown_image(page)
    expect(image).to_be_visible()
    expect(image).to_have_js_property("complete", True)
    assert image.evaluate("img => img.naturalWidth") > 0, "the image to rate is a broken-image icon"
    # The image can be complete before htmx settles the swapped card; until the page's script has taken the card
    # (rate.js marks #card data-look once settled), its keys are dropped. A page without JavaScript has no look.
    if image.evaluate("img => Boolean(window.HordeRatings && img.closest('#card'))"):
        expect(page.locator("#card")).to_have_attribute("data-look", LOOK_STARTED)


def rating_scale(page: Page) -> Locator:
    return page.get_by_role("group", name=RATING_LEGEND)


def artifacts_scale(page: Page) -> Locator:
    return page.get_by_role("group", name=ARTIFACTS_LEGEND)


def counters(page: Page) -> Locator:
    """The header's "N rated today · M in all"."""
    return page.get_by_role("banner").locator("#counters")
