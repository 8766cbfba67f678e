"""The caption under the image shows whole lines only: at most two on a desktop, one on a phone, ending in "…"
when cut, and never the top half of the next line (the box that clips it holds whole lines exactly)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.browser_fixtures import browser, expect_image_loaded, log_in, open_page  # noqa: F401 (fixtures)
from tests.screen_helpers import SIZE_IDS, SIZES, make_images, viewport

pytestmark = pytest.mark.usefixtures("no_captchas")

# The caption's box (no padding or border: what clips it) over its line height: how many lines it shows.
SHOWN_LINES = """e => {
  const style = getComputedStyle(e);
  return { lines: e.getBoundingClientRect().height / parseFloat(style.lineHeight), cut: e.scrollHeight > e.clientHeight + 1 };
}"""


@pytest.mark.browser
@pytest.mark.parametrize("width,height", SIZES, ids=SIZE_IDS)
def test_a_long_caption_shows_whole_lines(open_page: Callable[..., Page], width: int, height: int) -> None:
    make_images(2)
    page = open_page(**viewport(width, height))
    log_in(page)
    expect_image_loaded(page)
    caption = page.locator(".picture figcaption")
    expect(caption).to_be_visible()

    shown = caption.evaluate(SHOWN_LINES)

    assert shown["cut"], "the test's caption is meant to be too long to show whole"
    assert shown["lines"] == pytest.approx(1 if width < 900 else 2, abs=0.02), f"{shown['lines']} lines show"


@pytest.mark.browser
def test_a_short_caption_shows_its_one_line_whole(open_page: Callable[..., Page]) -> None:
    make_images(2, caption="A lighthouse")
    page = open_page(**viewport(1366, 768))
    log_in(page)
    expect_image_loaded(page)

    shown = page.locator(".picture figcaption").evaluate(SHOWN_LINES)

    assert shown == {"lines": pytest.approx(1, abs=0.02), "cut": False}
