"""The embed feature as a client app meets it: the site served by the README's gunicorn command (tests/served_site.py)
on http://localhost:<port>, the example client (examples/embed-client) served on http://127.0.0.1:<another port>,
so that the frame is third-party (another site), and Debian's chromium showing the client page.

Imported by the browser embed tests only.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import re
import subprocess
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Frame, Page, expect

from tests.conftest import DEMO_KEY
from tests.served_site import PYTHON, ROOT, ServedSite, _environment

CLIENT_DIR = ROOT / "examples" / "embed-client"
SCREENSHOTS = os.environ.get("EMBED_SCREENSHOTS")  # a folder: save what the client page and its frame look like
TIMEOUT_MS = 10_000  # the first pages of a fresh gunicorn take a moment


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args) -> None:  # noqa: A002 (the stdlib's name)
        pass


@pytest.fixture
def serve_client() -> Iterator[Callable[[], str]]:
    """serve_client(): serve examples/embed-client from a thread on a fresh 127.0.0.1 port; returns its origin."""
    servers: list[http.server.ThreadingHTTPServer] = []

    def _serve() -> str:
        handler = functools.partial(_QuietHandler, directory=str(CLIENT_DIR))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}"

    yield _serve
    for server in servers:
        server.shutdown()
        server.server_close()


@dataclass
class EmbedSite:
    served: ServedSite
    env: dict[str, str]
    base: Path

    @property
    def url(self) -> str:
        """The site under the name a client app frames it by: localhost, another site than 127.0.0.1."""
        return self.served.url.replace("127.0.0.1", "localhost")

    def manage(self, *args: str) -> str:
        """Run a manage.py command against the served site's database and media, with its environment."""
        done = subprocess.run(
            [PYTHON, "manage.py", *args], cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout


@pytest.fixture
def embed_site(served_site, _prepared_site: Path, horde) -> Callable[..., EmbedSite]:
    """embed_site(allowed_origin, **env): the served site, letting `allowed_origin` frame it, no captchas."""

    def _start(allowed_origin: str, **extra: str) -> EmbedSite:
        env = {"EMBED_ALLOWED_ORIGINS": allowed_origin, "CAPTCHA_RATE": "0", **extra}
        served = served_site(env=env)
        base = served.log_path.parent
        return EmbedSite(served=served, env=_environment(base, _prepared_site / "static", horde.url, env), base=base)

    return _start


def token_for(site: EmbedSite, origin: str, apikey: str = DEMO_KEY) -> str:
    """A token as a client's server would get it (no browser, so no CORS)."""
    request = urllib.request.Request(
        site.served.url + "/api/v1/embed/token",
        data=json.dumps({"origin": origin}).encode(),
        headers={"apikey": apikey, "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 201
        return json.load(response)["token"]


def client_page_url(client_origin: str, site: EmbedSite) -> str:
    return f"{client_origin}/?site={site.url}"


def open_in_frame(page: Page, apikey: str, *, choice: str = "Images of every dataset", target: str = "") -> None:
    """Fill in the example client's form as a person does and open the rating page in its frame."""
    page.get_by_label("Your AI Horde API key").fill(apikey)
    page.get_by_label(choice).check()
    if target:
        page.locator("#target").fill(target)
    page.get_by_role("button", name="Open the rating page").click()


def the_frame(page: Page) -> Frame:
    """The example client's iframe, once it shows a page of the site."""
    handle = page.locator("#frame").element_handle()
    frame = handle.content_frame()
    assert frame is not None
    return frame


def wait_for_frame_to_fit(page: Page, frame: Frame, *, timeout_s: float = TIMEOUT_MS / 1000) -> None:
    """Wait until the app has sized its frame to the page inside (the frame's "resize" message, handled by the app's
    client.js), twice in a row 100 ms apart: a click whose target was measured before the frame grew would land
    where the control no longer is, and a person would not click during that jump either."""
    deadline = time.monotonic() + timeout_s
    settled = 0
    while settled < 2:
        content = frame.evaluate("() => Math.ceil(document.documentElement.scrollHeight)")
        box = page.locator("#frame").evaluate("frame => frame.clientHeight")  # inside its border
        settled = settled + 1 if box >= content - 1 else 0  # the app's frame may be taller than a short page
        assert time.monotonic() < deadline, f"the frame ({box} px) never fitted its page ({content} px)"
        page.wait_for_timeout(100)


def log_entries(page: Page):
    return page.locator("#log li")


def frame_height(page: Page) -> float:
    return page.locator("#frame").evaluate("frame => frame.getBoundingClientRect().height")


def shot(page: Page, name: str) -> None:
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=os.path.join(SCREENSHOTS, f"{name}.png"), full_page=True)


def expect_no_site_chrome(frame: Frame) -> None:
    """The embedded page shows no site header or footer (a page's own <header> inside <main> is no site chrome)."""
    expect(frame.locator("body")).to_have_class(re.compile(r"\bembed\b"))
    expect(frame.locator("body > header, body > footer, .topbar, [role=banner], [role=contentinfo]")).to_have_count(0)
    expect(frame.get_by_text("Ratings become an open dataset (CC-BY-SA-4.0)")).to_have_count(0)  # the footer
