"""In a client app's frame, picking the best is told to the app like a rating: the best of a prompt group of the
demo dataset (/embed/rate/demo/best/, KUDOS_PER_BEST_PICK = 5; seed_demo --count 24 makes two groups) and one of the user's own generation sets
(/embed/generations/<request_id>/, the Horde's reward), each chosen by keyboard alone."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from playwright.sync_api import Browser, Page, expect

from ratings_site.demo.standin import DEMO_SET_FOUR
from tests.browser_fixtures import browser  # noqa: F401 (fixture)
from tests.conftest import DEMO_KEY
from tests.embed_helpers import (
    TIMEOUT_MS,
    client_page_url,
    embed_site,  # noqa: F401 (fixture)
    expect_no_site_chrome,
    log_entries,
    open_in_frame,
    serve_client,  # noqa: F401 (fixture)
    shot,
    the_frame,
)
from tests.served_site import ROOT, served_site  # noqa: F401 (fixtures)


def client_page(browser: Browser, url: str) -> Page:
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.goto(url)
    return page


@pytest.mark.browser
def test_the_best_of_a_prompt_group_picked_by_keyboard_is_told_to_the_app(
    browser: Browser, embed_site, serve_client
) -> None:
    client = serve_client()
    site = embed_site(client)
    assert "Prompt groups: 2 created" in site.manage("seed_demo", "--count", "24")
    page = client_page(browser, client_page_url(client, site))

    open_in_frame(page, DEMO_KEY, choice="Best of a prompt, in one dataset", target="demo")
    frame = the_frame(page)
    images = frame.get_by_test_id("group-image")
    expect(images.first).to_be_visible()
    for image in images.all():  # keys typed before every image is on screen are dropped
        expect(image).to_have_js_property("complete", True)
    expect_no_site_chrome(frame)
    picked = images.nth(1).get_attribute("data-image-id")
    frame.get_by_test_id("prompt").click()  # into the frame, on no control

    page.keyboard.press("2")
    expect(frame.get_by_test_id("save")).to_contain_text("Save: image 2 is best")
    expect(log_entries(page)).to_have_count(0)  # selected, not saved
    # The served site runs with the default floors: Enter saves once the images were on screen RATING_MIN_LOOK_MS.
    expect(frame.locator("#best-card")).to_have_attribute("data-look", "done")
    page.keyboard.press("Enter")

    expect(frame.get_by_test_id("saved")).to_have_text(re.compile(r"Saved: image 2 is best · \+5 kudos"))
    expect(log_entries(page)).to_have_count(1)
    entry = log_entries(page).first
    expect(entry).to_have_attribute("data-image-id", picked)
    expect(entry).to_have_attribute("data-reward", "5")
    expect(entry).to_have_attribute("data-kudos-total", "5")
    shot(page, "embed-best-picked")


@pytest.mark.browser
def test_a_generation_set_rated_by_keyboard_is_told_to_the_app_with_the_hordes_reward(
    browser: Browser, embed_site, serve_client, horde
) -> None:
    client = serve_client()
    site = embed_site(client, ALLOW_PRIVATE_IMAGE_URLS="1")  # the stand-in Horde's images are on 127.0.0.1
    page = client_page(browser, client_page_url(client, site))

    open_in_frame(page, DEMO_KEY, choice="One of my generation sets", target=DEMO_SET_FOUR)
    frame = the_frame(page)
    expect(frame.get_by_test_id("gen-image")).to_have_count(4)
    for image in frame.get_by_test_id("gen-image").all():  # keys typed before every image is on screen are dropped
        expect(image).to_have_js_property("complete", True)
    expect_no_site_chrome(frame)
    frame.locator("h1, .embed-who").first.click()  # into the frame, on no control

    # Image 1: 8; image 2: 6; image 3: 9, the best. Enter shows the review, Enter again saves.
    for key in ["8", "ArrowRight", "6", "ArrowRight", "9", "b"]:
        page.keyboard.press(key)
    expect(frame.get_by_test_id("summary")).to_have_text("3 of 4 rated · best: image 3")
    page.keyboard.press("Enter")
    expect(frame.get_by_test_id("review")).to_be_visible()
    expect(log_entries(page)).to_have_count(0)
    expect(frame.locator("#gen-set")).to_have_attribute("data-look", "done")  # the default RATING_MIN_LOOK_MS
    page.keyboard.press("Enter")

    expect(frame.get_by_test_id("saved")).to_contain_text("Saved; sending to the Horde")
    # The served site's worker sends it; the frame, polling, hears the Horde's answer and tells the app.
    subprocess.run(
        [sys.executable, "manage.py", "db_worker", "--batch", "--no-startup-delay", "--no-reload", "--queue-name",
         "default", "-v", "0"], cwd=ROOT, env=site.env, check=True, timeout=120,
    )
    expect(log_entries(page)).to_have_count(1, timeout=10_000)
    [accepted] = horde.rated
    entry = log_entries(page).first
    expect(entry).to_have_attribute("data-request-id", DEMO_SET_FOUR)
    expect(entry).to_have_attribute("data-reward", str(accepted["reward"]))
    expect(frame.get_by_test_id("set-state")).to_contain_text(f"the Horde gave you {accepted['reward']} kudos")
    shot(page, "embed-generation-set-rated")
