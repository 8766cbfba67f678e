"""ArtBot and the AI Horde's front page call the ratings API with `fetch` from their own origins. Their exact calls
(tests/api_client_page/index.html, copied from the apps' source) run in Debian's chromium on a page of another origin
(http://127.0.0.1:<port>) than the site (the live server, http://localhost:<port>): the browser's preflights pass, and
the page reads every answer it acts on: the next image, a rating's reward, a 403 that skips to the next image, and a
429 whose Retry-After it reads. The image URL the API handed out loads in the page's <img>."""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from tests.browser_fixtures import TIMEOUT_MS, browser, make_picture_images  # noqa: F401 (fixtures)
from tests.conftest import DEMO_KEY, SECOND_KEY

PAGE_DIR = Path(__file__).resolve().parent / "api_client_page"


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args) -> None:  # noqa: A002 (the stdlib's name)
        pass


@pytest.fixture
def client_origin() -> Iterator[str]:
    """The client app's page, served from a thread on 127.0.0.1: another origin than the live server's localhost."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(PAGE_DIR)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def app_page(browser: Browser, live_server, client_origin: str) -> Iterator[Page]:
    assert live_server.url.startswith("http://localhost:")  # another origin than the page's
    context = browser.new_context()
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto(f"{client_origin}/index.html?site={live_server.url}")
    yield page
    context.close()
    # A refused preflight shows as "blocked by CORS policy" here, before the page's TypeError: Failed to fetch.
    assert not [error for error in errors if "CORS" in error], errors


@pytest.fixture(autouse=True)
def no_captchas(settings):
    settings.CAPTCHA_RATE = 0.0


@pytest.mark.browser
def test_artbot_shows_an_image_skips_on_403_and_earns_its_reward(
    app_page: Page, live_server, make_picture_images, settings
) -> None:
    settings.RATINGS_PER_IMAGE = 1  # one rating fills an image: a second rater of it gets 403
    make_picture_images(3)

    got = app_page.evaluate("key => artbot.fetchImage(key)", DEMO_KEY)
    assert got["status"] == 200, got
    first = got["data"]
    assert set(first) == {"id", "url", "dataset_id"}
    assert first["url"].startswith(f"{live_server.url}/media/"), first  # the site's own file, on its origin
    assert app_page.evaluate("url => showImage(url)", first["url"]) > 0  # loaded in another origin's <img>

    # Someone on the front page takes the image's last rating first; ArtBot's rating of it is 403: skip to the next.
    taken = app_page.evaluate("([key, id]) => frontPage.submitRating(key, id, 6, 1)", [SECOND_KEY, first["id"]])
    assert taken["status"] == 201, taken
    skipped = app_page.evaluate("([key, id]) => artbot.rateImageRequest(key, id, 8, 1)", [DEMO_KEY, first["id"]])
    assert skipped["status"] == 403, skipped
    assert skipped["next"]["status"] == 200
    second = skipped["next"]["data"]
    assert second["id"] != first["id"]
    assert app_page.evaluate("url => showImage(url)", second["url"]) > 0

    rated = app_page.evaluate("([key, id]) => artbot.rateImageRequest(key, id, 8, 1)", [DEMO_KEY, second["id"]])

    assert rated["status"] == 201, rated
    assert rated["data"]["reward"] == settings.KUDOS_PER_RATING
    assert "Rating saved" in rated["data"]["message"]


@pytest.mark.browser
def test_the_front_page_rates_then_reads_retry_after_while_paused(app_page: Page, make_picture_images, settings) -> None:
    settings.RATINGS_PER_MINUTE_MAX = 1  # the first rating pauses the rater (the flood limit) ...
    settings.FLOOD_PAUSE_SECONDS = 90  # ... for a minute and a half
    make_picture_images(3)

    image = app_page.evaluate("key => frontPage.getNewImage(key)", DEMO_KEY)
    assert image["status"] == 200, image
    assert app_page.evaluate("url => showImage(url)", image["body"]["url"]) > 0
    rated = app_page.evaluate("([key, id]) => frontPage.submitRating(key, id, 9, 0)", [DEMO_KEY, image["body"]["id"]])
    assert rated["status"] == 201, rated
    assert rated["body"]["reward"] == settings.KUDOS_PER_RATING

    paused = app_page.evaluate("key => frontPage.getNewImage(key)", DEMO_KEY)
    again = app_page.evaluate("([key, id]) => frontPage.submitRating(key, id, 9, 0)", [DEMO_KEY, image["body"]["id"]])

    assert paused["status"] == 429, paused
    assert paused["retryAfter"] is not None, "the page cannot read Retry-After (not exposed)"
    assert 60 < int(paused["retryAfter"]) <= 90
    assert paused["retryAfterMs"] == int(paused["retryAfter"]) * 1000
    assert "You can rate again" in paused["body"]["message"]
    assert again["status"] == 403  # rated already: the app moves on
    assert "already rated" in again["body"]["message"]


@pytest.mark.browser
def test_a_bad_key_gets_a_401_the_page_can_read(app_page: Page) -> None:
    answer = app_page.evaluate("key => frontPage.getNewImage(key)", "not-a-horde-key")

    assert answer["status"] == 401, answer
    assert answer["body"]["message"]
