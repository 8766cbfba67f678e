"""On the generation set page a key typed before the set's images are on screen does nothing but say so: it is
dropped with a short note, never applied once the images arrive. The images are held back on the way to the browser
(a slow network) and let through later."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Route, expect

from ratings_site.demo.standin import DEMO_SET_FOUR
from ratings_site.generations.models import GenerationRating
from tests.browser_fixtures import browser, log_in, open_page  # noqa: F401 (fixtures)

PICTURES = re.compile(r"\.(png|webp|jpe?g)(\?.*)?$")


@pytest.mark.browser
def test_keys_typed_while_the_images_load_are_dropped_with_a_note(open_page, horde) -> None:
    page = open_page(viewport={"width": 1366, "height": 768})
    log_in(page)
    ids = horde.generation_ids(DEMO_SET_FOUR)
    held: list[Route] = []

    def hold(route: Route) -> None:
        held.append(route)

    page.route(PICTURES, hold)

    page.goto(f"/generations/{DEMO_SET_FOUR}/", wait_until="domcontentloaded")
    expect(page.locator("html")).to_have_class(re.compile(r"\bgen-js\b"))  # the page's keys are listening
    expect(page.get_by_test_id("gen-image")).to_have_count(4)
    page.locator("h1").click()
    for key in ["7", "b", "Enter"]:
        page.keyboard.press(key)
    dropped = page.get_by_test_id("key-note").filter(visible=True)
    expect(dropped).to_have_text("Wait for the images: the keys you pressed before they appeared were ignored.")
    expect(page.locator(f'input[name="rating-{ids[0]}"]:checked:not([value=""])')).to_have_count(0)
    expect(page.locator('input[name="best"]:checked:not([value=""])')).to_have_count(0)
    expect(page.get_by_test_id("review")).to_be_hidden()

    assert len(held) == 4, held
    for route in held:
        route.continue_()
    page.unroute(PICTURES)
    for image in page.get_by_test_id("gen-image").all():
        expect(image).to_have_js_property("complete", True)
    expect(page.locator(f'input[name="rating-{ids[0]}"]:checked:not([value=""])')).to_have_count(0)  # not replayed

    page.keyboard.press("6")
    expect(page.locator(f'input[name="rating-{ids[0]}"]:checked')).to_have_value("6")
    expect(page.get_by_test_id("summary")).to_have_text("1 of 4 rated")
    assert not GenerationRating.objects.exists()
