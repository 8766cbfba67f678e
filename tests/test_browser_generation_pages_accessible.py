"""axe-core finds no serious or critical accessibility violation on the generation pages, in both themes:
the set list, a set's form with choices made, its review, and the rated set."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from ratings_site.demo.standin import DEMO_SET_FOUR
from tests.browser_fixtures import browser, log_in, open_page  # noqa: F401 (fixtures)
from tests.test_browser_accessibility_axe import BLOCKING, axe_violations, describe


@pytest.mark.browser
@pytest.mark.parametrize("theme", ["dark", "light"])
def test_the_generation_pages_have_no_serious_violation(open_page, horde, theme) -> None:
    page = open_page(color_scheme=theme, viewport={"width": 1366, "height": 768})
    log_in(page)
    found = {}

    page.goto(f"/generations/{DEMO_SET_FOUR}/")
    expect(page.get_by_test_id("gen-image")).to_have_count(4)
    page.locator("body").click(position={"x": 5, "y": 300})
    for key in ["7", "a", "2", "ArrowRight", "9", "b"]:  # image 1: 7, artifacts 2; image 2: 9, the best
        page.keyboard.press(key)
    found["set-form"] = axe_violations(page)
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("review")).to_be_visible()
    found["set-review"] = axe_violations(page)
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("saved")).to_be_visible()
    found["set-rated"] = axe_violations(page)
    page.goto("/generations/?request_id=nonsense")
    found["list-with-error"] = axe_violations(page)

    blocking = {name: [v for v in vs if v["impact"] in BLOCKING] for name, vs in found.items()}
    assert not any(blocking.values()), "\n".join(f"{name}:\n{describe(vs)}" for name, vs in blocking.items() if vs)
