"""axe-core finds no serious or critical accessibility violation on the embedded pages (the rate page and the
best-of page, in both themes), opened as a frame opens them: with a token, in an iframe on a client app's page (a
page served on 127.0.0.1, another site than the live server), since a token signs in only there."""

from __future__ import annotations

import html
import http.server
import threading
from collections.abc import Callable, Iterator

import pytest
from django.test import Client
from playwright.sync_api import Frame, Page, expect

from tests.bestof_helpers import make_prompt_groups
from tests.browser_fixtures import browser, make_picture_images, open_page  # noqa: F401 (fixtures)
from tests.conftest import DEMO_KEY
from tests.test_browser_accessibility_axe import BLOCKING, axe_violations, describe, wait_for_scripts

CLIENT_PAGE = (
    '<!doctype html><html lang="en"><title>A client app</title>'
    '<iframe id="frame" title="Horde Ratings" src="{src}" style="border:0;width:100%;height:100vh"></iframe></html>'
)


class _ClientPage(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 (the stdlib's name)
        body = self.server.page.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args) -> None:  # noqa: A002 (the stdlib's name)
        pass


@pytest.fixture
def client_app() -> Iterator[http.server.ThreadingHTTPServer]:
    """A client app's page on 127.0.0.1 (another site than the live server's localhost), framing `.page`'s src."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _ClientPage)
    server.page = ""
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


def _token(origin: str) -> str:
    response = Client().post("/api/v1/embed/token", data={"origin": origin}, content_type="application/json",
                             headers={"apikey": DEMO_KEY})
    assert response.status_code == 201, response.content
    return response.json()["token"]


def _in_a_frame(page: Page, client_app: http.server.ThreadingHTTPServer, src: str) -> Frame:
    """The client app's page framing `src`."""
    client_app.page = CLIENT_PAGE.format(src=html.escape(src))
    page.goto(f"http://127.0.0.1:{client_app.server_address[1]}/")
    frame = page.locator("#frame").element_handle().content_frame()
    assert frame is not None
    return frame


@pytest.mark.browser
@pytest.mark.parametrize("theme", ["dark", "light"])
@pytest.mark.parametrize("path", ["/embed/rate/", "/embed/rate/best-set/best/"])
def test_axe_finds_no_serious_violation_in_the_frame(
    open_page: Callable[..., Page], live_server, client_app, make_picture_images, settings, path: str, theme: str
) -> None:
    origin = f"http://127.0.0.1:{client_app.server_address[1]}"
    settings.CAPTCHA_RATE = 0
    settings.EMBED_ALLOWED_ORIGINS = [origin]
    make_picture_images(3)
    make_prompt_groups(1, size=3)
    page = open_page(color_scheme=theme, viewport={"width": 390, "height": 844})

    frame = _in_a_frame(page, client_app, f"{live_server.url}{path}?token={_token(origin)}")
    expect(frame.locator(".embed-who")).to_contain_text("Rating as")
    wait_for_scripts(frame)

    blocking = [v for v in axe_violations(frame) if v["impact"] in BLOCKING]
    assert blocking == [], describe(blocking)
