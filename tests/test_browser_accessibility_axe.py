"""axe-core finds no serious or critical accessibility violation on the pages a rater uses,
in the dark theme and in the light one.

The pages: /login/ signed out, /rate/ with an image to rate (again with a rating and an
artifacts value chosen, and again with the report panel opened by "r"), /ratings/ and /kudos/
after two ratings (so their tables have rows). The theme follows prefers-color-scheme, which
each browser context sets. axe comes from the tests' own copy (tests/vendor), never from a
CDN; the site's CSP (script-src 'self') does not apply to DevTools evaluation, so the script
is evaluated into the page as it stands.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser_fixtures import (  # noqa: F401 (fixtures)
    browser,
    expect_image_loaded,
    log_in,
    make_picture_images,
    open_page,
    shown_image,
    shown_image_id,
)

AXE_SOURCE = Path(__file__).parent / "vendor" / "axe-4.11.0.min.js"
BLOCKING = {"serious", "critical"}
PAGES = ["login", "rate", "rate-choice-made", "rate-report-open", "ratings", "kudos", "stats", "settings"]
THEMES = ["dark", "light"]


def wait_for_scripts(page: Page) -> None:
    """rate.js ran (it marks <html class="js">) and htmx is loaded."""
    expect(page.locator("html")).to_have_class(re.compile(r"(^|\s)js(\s|$)"))
    page.wait_for_function("() => window.htmx !== undefined")


def rate_shown_image(page: Page, keys: list[str]) -> None:
    """Rate the image on screen with the keyboard and wait for the next one to be on screen."""
    before = shown_image_id(page)
    for key in keys:
        page.keyboard.press(key)
    expect(shown_image(page)).not_to_have_attribute("data-image-id", before)
    expect_image_loaded(page)


def axe_violations(page: Page) -> list[dict]:
    """Run axe-core on the page as it stands and return its violations."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SOURCE.read_text(encoding="utf-8"))
    return page.evaluate(
        """async () => {
            const results = await axe.run(document, {resultTypes: ["violations"]});
            return results.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                nodes: v.nodes.map(n => ({target: n.target, failureSummary: n.failureSummary, html: n.html})),
            }));
        }"""
    )


def describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']} [{v['helpUrl']}] on {len(v['nodes'])} element(s)")
        for node in v["nodes"][:4]:
            lines.append(f"    target: {' '.join(map(str, node['target']))}")
            lines.append(f"    html:   {node['html'][:200]}")
            summary = (node["failureSummary"] or "").replace("\n", "\n            ")
            lines.append(f"    why:    {summary}")
    return "\n".join(lines)


def open_signed_out_login(page: Page) -> None:
    page.goto("/login/")
    expect(page.get_by_role("button", name="Log in")).to_be_visible()


def open_rate(page: Page) -> None:
    log_in(page)
    expect_image_loaded(page)


def open_rate_with_a_choice_made(page: Page) -> None:
    """Rating 7 and artifacts 2 chosen, not saved yet: the chosen options and the Save summary show."""
    open_rate(page)
    wait_for_scripts(page)
    page.keyboard.press("7")
    page.keyboard.press("a")
    page.keyboard.press("2")
    expect(page.locator('input[name=artifacts][value="2"]')).to_be_checked()
    expect(page.get_by_test_id("save")).to_contain_text("7 · ")


def open_rate_with_report_panel(page: Page) -> None:
    open_rate(page)
    wait_for_scripts(page)
    page.keyboard.press("r")
    expect(page.locator("details#report")).to_have_attribute("open", "")
    expect(page.locator("#report-note")).to_be_visible()


def rate_two_then(path: str) -> Callable[[Page], None]:
    def _open(page: Page) -> None:
        open_rate(page)
        wait_for_scripts(page)
        rate_shown_image(page, ["7", "Enter"])
        rate_shown_image(page, ["3", "a", "2", "Enter"])
        page.goto(path)

    return _open


OPENERS: dict[str, Callable[[Page], None]] = {
    "login": open_signed_out_login,
    "rate": open_rate,
    "rate-choice-made": open_rate_with_a_choice_made,
    "rate-report-open": open_rate_with_report_panel,
    "ratings": rate_two_then("/ratings/"),
    "kudos": rate_two_then("/kudos/"),
    "stats": rate_two_then("/stats/"),
    "settings": rate_two_then("/settings/"),
}


@pytest.mark.browser
@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("which", PAGES)
def test_axe_finds_no_serious_or_critical_violation(
    open_page: Callable[..., Page], make_picture_images, settings, which: str, theme: str
) -> None:
    settings.CAPTCHA_RATE = 0
    make_picture_images(4)
    page = open_page(color_scheme=theme)
    OPENERS[which](page)
    wait_for_scripts(page)
    if which == "ratings":
        expect(page.get_by_test_id("rating-row")).to_have_count(2)
    if which == "kudos":
        expect(page.locator("table.ledger tbody tr")).to_have_count(2)
    assert page.evaluate("matchMedia('(prefers-color-scheme: light)').matches") == (theme == "light")

    violations = axe_violations(page)
    if violations:
        print(f"\naxe on {which} ({theme} theme), every violation:\n{describe(violations)}")
    blocking = [v for v in violations if v["impact"] in BLOCKING]
    assert not blocking, f"axe: serious or critical violations on {which} ({theme} theme):\n{describe(blocking)}"
