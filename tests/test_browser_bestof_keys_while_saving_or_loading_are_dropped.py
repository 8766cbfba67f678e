"""On the best-of page a key never acts on a group the rater has not seen: keys typed while a pick is being saved,
or before the next group's images are on screen, are dropped with a short note (a double Enter shows no error on the
fresh group), and the save itself is held until the group is RATING_MIN_SECONDS old, so the server's floor never
refuses it. The next group's images are held back on the way to the browser (a slow network), then let through."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, Route, expect

from ratings_site.bestof.models import BestPick, GroupSkip
from tests.browser_fixtures import browser, log_in, open_page, page  # noqa: F401 (fixtures)
from tests.test_browser_bestof_pick_by_keyboard import URL, expect_images_loaded, make_groups

DROPPED = "Wait for the images: the keys you pressed before they appeared were ignored."
PICTURES = re.compile(r"/(media|renditions)/.*\.(png|webp|jpe?g)(\?.*)?$")


@pytest.mark.browser
def test_keys_typed_during_the_save_and_before_the_next_images_never_act(page: Page, settings) -> None:
    settings.RATING_MIN_SECONDS = 1.5
    make_groups(2)
    log_in(page)
    # Every picture is held back but those of the first group: the next group's (preloaded by the first card too)
    # reach the browser only when the test lets them through.
    shown: set[str] = set()
    held: list[Route] = []

    def hold(route: Route) -> None:
        if route.request.url in shown:
            route.continue_()
        else:
            held.append(route)

    page.route(PICTURES, hold)
    page.goto(URL, wait_until="domcontentloaded")
    shown.update(page.get_by_test_id("group-image").evaluate_all("images => images.map(img => img.src)"))
    for route in [route for route in held if route.request.url in shown]:
        held.remove(route)
        route.continue_()
    expect_images_loaded(page, 4)
    first = page.locator("#pick-form").get_attribute("data-group-id")
    picked = page.get_by_test_id("group-image").nth(2).get_attribute("data-image-id")
    page.evaluate("document.addEventListener('htmx:beforeRequest', () => { window.__sentAt = performance.now(); })")

    # 3, Enter, then 1 Enter and 4 Enter at once: the save is held until the card is 1.5 s old (the Save button
    # says so), and the keys typed meanwhile are dropped with a note.
    for key in ["3", "Enter", "1", "Enter", "4", "Enter"]:
        page.keyboard.press(key)
    expect(page.get_by_test_id("save")).to_contain_text("Saving…")
    expect(page.get_by_test_id("key-note")).to_have_text(DROPPED)
    expect(page.locator("#pick-form")).not_to_have_attribute("data-group-id", first)
    expect(page.get_by_test_id("saved")).to_have_text(re.compile(r"Saved: image 3 is best"))
    assert page.evaluate("window.__sentAt") >= 1500, "the pick left before its card was 1.5 s old"

    # The next group is here, its images not yet: a pick, Enter and a skip are dropped, with the note and no error.
    second = page.locator("#pick-form").get_attribute("data-group-id")
    for key in ["2", "Enter", "s"]:
        page.keyboard.press(key)
    expect(page.get_by_test_id("key-note")).to_have_text(DROPPED)
    expect(page.get_by_test_id("save")).not_to_contain_text("Save: image")
    expect(page.get_by_role("alert").filter(has_text=re.compile(r"\S"))).to_have_count(0)
    for route in held:
        route.continue_()
    page.unroute(PICTURES)
    expect_images_loaded(page, 4)
    expect(page.get_by_test_id("save")).not_to_contain_text("Save: image")  # nothing replayed
    expect(page.locator("#pick-form")).to_have_attribute("data-group-id", second)
    [pick] = BestPick.objects.all()
    assert str(pick.group_id) == first and str(pick.winner.public_id) == picked
    assert not GroupSkip.objects.exists()
