"""axe-core finds no serious or critical accessibility violation on the best-of page, in both themes: a group
shown, an image selected, and after a pick (the status line and the next group)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.browser_fixtures import browser, log_in, open_page  # noqa: F401 (fixtures)
from tests.test_browser_accessibility_axe import BLOCKING, axe_violations, describe, wait_for_scripts
from tests.test_browser_bestof_pick_by_keyboard import URL, expect_images_loaded, make_groups


@pytest.mark.browser
@pytest.mark.parametrize("theme", ["dark", "light"])
def test_axe_finds_no_serious_or_critical_violation_on_the_best_of_page(
    open_page: Callable[..., Page], theme: str
) -> None:
    make_groups(2, size=4)
    page = open_page(color_scheme=theme)
    log_in(page)
    page.goto(URL)
    expect_images_loaded(page, 4)
    wait_for_scripts(page)

    found = {}
    found["shown"] = axe_violations(page)
    page.keyboard.press("3")
    expect(page.get_by_test_id("save")).to_contain_text("Save: image 3 is best")
    found["selected"] = axe_violations(page)
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("saved")).to_be_visible()
    expect_images_loaded(page, 4)
    found["after a pick"] = axe_violations(page)

    blocking = {state: [v for v in violations if v["impact"] in BLOCKING] for state, violations in found.items()}
    assert not any(blocking.values()), "\n".join(f"{state}:\n{describe(v)}" for state, v in blocking.items() if v)
