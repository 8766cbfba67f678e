"""The status line ("Saved: 7 · Good · +5 kudos · Undo") never covers the image or the controls, on a desktop
(1366 × 768, 1280 × 720) and a phone (390 × 844): it has a line of its own, kept for it while empty, so the card
does not move when a note comes or goes; and after the save that starts a pause, "Rating is paused" shows whole
beside it. Nor does it cover the header's links or the row of datasets. On the dataset page and the best-of page."""

from __future__ import annotations

import hashlib
import io
import re
import uuid
from collections.abc import Callable

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image as Picture
from playwright.sync_api import Locator, Page, expect

from tests.browser_fixtures import (  # noqa: F401 (fixtures)
    artifacts_scale,
    browser,
    expect_image_loaded,
    log_in,
    open_page,
    rating_scale,
    shown_image,
)
from tests.screen_helpers import SIZE_IDS, SIZES, assert_covers_none, box_of, make_images, viewport

pytestmark = pytest.mark.usefixtures("no_captchas")


def links(page: Page) -> dict[str, Locator]:
    """The header's links and buttons, and the row of datasets."""
    return {
        "a link of the header": page.locator(".topbar a, .topbar button"),
        "a dataset link": page.locator(".datasets a"),
    }


def rate_page_controls(page: Page) -> dict[str, Locator]:
    return {
        **links(page),
        "the image": shown_image(page),
        "a rating": rating_scale(page).locator("label"),
        "an artifacts button": artifacts_scale(page).locator("label"),
        "Save": page.get_by_role("button", name=re.compile("Save rating")),
        "Skip": page.get_by_role("button", name=re.compile("^Skip")),
        "Report": page.locator("#report summary"),
        "Undo last": page.get_by_role("button", name=re.compile("^Undo last")),
    }


def dismiss_welcome(page: Page) -> None:
    page.get_by_role("button", name=re.compile("Got it")).click()
    expect(page.get_by_test_id("welcome")).to_have_count(0)
    page.evaluate("window.scrollTo(0, 0)")


def close_notes(page: Page) -> None:
    """Close whatever the status line says (its × buttons), as a rater may."""
    for close in page.locator("#status .close").all():
        close.click()
    expect(page.locator("#status .toast")).to_have_count(0)


@pytest.mark.browser
@pytest.mark.parametrize("width,height", SIZES, ids=SIZE_IDS)
def test_after_a_save_the_status_line_covers_nothing_and_nothing_moves(
    open_page: Callable[..., Page], width: int, height: int
) -> None:
    make_images(3)
    page = open_page(**viewport(width, height))
    log_in(page)
    expect_image_loaded(page)
    dismiss_welcome(page)
    close_notes(page)
    card_top = box_of(page.locator("#card"), "the card")["y"]

    rating_scale(page).locator("label").filter(has_text="Good").click()
    page.get_by_role("button", name=re.compile("Save rating")).click()

    saved = page.get_by_test_id("saved")
    expect(saved).to_contain_text("Saved: 7 · Good")
    expect_image_loaded(page)
    assert_covers_none(saved, "the status line", rate_page_controls(page))
    assert box_of(page.locator("#card"), "the card")["y"] == pytest.approx(card_top, abs=1), "the card moved down"
    close_notes(page)
    assert box_of(page.locator("#card"), "the card")["y"] == pytest.approx(card_top, abs=1), "the card moved up"


@pytest.mark.browser
@pytest.mark.parametrize("width,height", SIZES, ids=SIZE_IDS)
def test_the_save_that_pauses_leaves_rating_is_paused_in_full_view(
    open_page: Callable[..., Page], settings, width: int, height: int
) -> None:
    settings.RATINGS_PER_MINUTE_MAX = 1
    settings.FLOOD_PAUSE_SECONDS = 60
    make_images(2)
    page = open_page(**viewport(width, height))
    log_in(page)
    expect_image_loaded(page)
    dismiss_welcome(page)

    rating_scale(page).locator("label").filter(has_text="Good").click()
    page.get_by_role("button", name=re.compile("Save rating")).click()

    paused = page.get_by_test_id("paused")
    expect(paused).to_be_visible()
    expect(paused).to_contain_text("Rating is paused.")
    saved = page.get_by_test_id("saved")
    expect(saved).to_be_visible()
    assert_covers_none(saved, "the status line", {"the pause": paused})
    assert paused.evaluate("e => e.getBoundingClientRect().top >= 0"), "the pause starts above the screen"


def make_group(size: int = 4) -> None:
    """One prompt group of `size` images in "browser-set", as an import and refresh_prompt_groups make it."""
    from ratings_site.bestof.services import refresh_prompt_groups
    from ratings_site.datasets.models import Dataset, Image

    dataset, _ = Dataset.objects.get_or_create(slug="browser-set", defaults={"name": "Browser set"})
    for n in range(size * 2):
        out = io.BytesIO()
        Picture.new("RGB", (512, 512), ((n * 67) % 256, (n * 139 + 40) % 256, 90)).save(out, format="PNG")
        data = out.getvalue()
        name = default_storage.save(f"images/browser/{uuid.uuid4().hex}.png", ContentFile(data))
        Image.objects.create(
            dataset=dataset,
            file=name,
            caption=f"a lighthouse in a storm, take {n // size}",
            dedupe_key=hashlib.sha256(data).hexdigest(),
            width=512,
            height=512,
        )
    refresh_prompt_groups()


@pytest.mark.browser
@pytest.mark.parametrize("width,height", SIZES, ids=SIZE_IDS)
def test_on_the_best_of_page_the_status_line_covers_no_image_and_no_button(
    open_page: Callable[..., Page], width: int, height: int
) -> None:
    make_group()
    page = open_page(**viewport(width, height))
    log_in(page)
    page.goto("/rate/browser-set/best/")
    candidates = page.get_by_test_id("candidate")
    expect(candidates).to_have_count(4)
    first_group = page.locator("#pick-form").get_attribute("data-group-id")

    candidates.first.click()
    page.get_by_test_id("save").click()

    saved = page.get_by_test_id("saved")
    expect(saved).to_contain_text("Saved: image 1 is best")
    expect(page.locator("#pick-form")).not_to_have_attribute("data-group-id", first_group)
    for image in page.get_by_test_id("group-image").all():
        expect(image).to_have_js_property("complete", True)
    assert_covers_none(
        saved,
        "the status line",
        {
            **links(page),
            "an image": page.get_by_test_id("candidate"),
            "the prompt": page.get_by_test_id("prompt"),
            "Save": page.get_by_test_id("save"),
            "No clear winner": page.locator(".no-winner"),
            "Skip group": page.get_by_role("button", name=re.compile("^Skip group")),
        },
    )
