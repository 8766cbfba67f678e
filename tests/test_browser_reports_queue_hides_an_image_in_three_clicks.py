"""A Horde moderator on a 1366 × 768 laptop goes from the admin's home page to a reported image hidden in at most
three clicks, and the queue no longer shows it; the queue fits the screen without sideways scrolling, and on a
390 px phone its buttons stay whole, apart and on screen."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from ratings_site.datasets.models import Image
from tests.browser_fixtures import (  # noqa: F401 (fixtures)
    PHONE,
    browser,
    log_in,
    make_picture_images,
    open_page,
)
from tests.moderation_helpers import horde_rater, report

MODERATOR_KEY = "demo-moderator-0003"
LAPTOP = {"width": 1366, "height": 768}
SHOTS = Path("/tmp/shots")


def _reported_images(make_picture_images) -> list[Image]:
    images = make_picture_images(3)
    for image, reasons in zip(images, [["nsfw", "nsfw", "watermark"], ["other"], ["broken"]], strict=True):
        for reason in reasons:
            report(horde_rater(), image, reason, "Long words: " + "Supercalifragilisticexpialidocious" * 4)
    return images


def _sideways_overflow(page: Page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


def _thumbnails_loaded(page: Page) -> None:
    thumbnails = page.locator(".reported-thumb img")
    for index in range(thumbnails.count()):
        thumbnail = thumbnails.nth(index)
        thumbnail.scroll_into_view_if_needed()
        expect(thumbnail).to_have_js_property("complete", True)
        assert thumbnail.evaluate("img => img.naturalWidth") > 0


def _row(page: Page, image: Image):
    return page.locator(f'.reported-image[data-image="{image.public_id}"]')


@pytest.mark.browser
def test_a_moderator_hides_a_reported_image_in_three_clicks(open_page: Callable[..., Page], make_picture_images):
    worst, *others = _reported_images(make_picture_images)
    page = open_page(viewport=LAPTOP)
    log_in(page, MODERATOR_KEY)
    page.goto("/admin/")

    page.get_by_role("link", name="Reports queue").click()  # 1
    expect(page.locator(".reported-image")).to_have_count(3)
    expect(page.locator(".reported-image").first).to_have_attribute("data-image", str(worst.public_id))
    assert _sideways_overflow(page) <= 0
    _thumbnails_loaded(page)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "reports_queue.png"), full_page=True)
    _row(page, worst).get_by_role("button", name="Hide").click()  # 2

    expect(page.locator(".messagelist")).to_contain_text("Done: hide an image")
    expect(page.get_by_role("button", name="Undo")).to_be_visible()
    expect(_row(page, worst)).to_have_count(0)
    expect(page.locator(".reported-image")).to_have_count(2)
    assert Image.objects.get(pk=worst.pk).hidden
    assert _sideways_overflow(page) <= 0


def _overlap(a: dict, b: dict) -> bool:
    return not (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )


@pytest.mark.browser
def test_the_queue_is_usable_on_a_phone(open_page: Callable[..., Page], make_picture_images):
    images = _reported_images(make_picture_images)
    page = open_page(viewport=PHONE)
    log_in(page, MODERATOR_KEY)

    page.goto("/admin/moderation/reports/")

    expect(page.locator(".reported-image")).to_have_count(3)
    assert _sideways_overflow(page) <= 0
    for image in images:
        controls = _row(page, image).locator("button, select")
        boxes = [controls.nth(index).bounding_box() for index in range(controls.count())]
        assert len(boxes) == 4  # Hide, the tag's choice, Tag, Dismiss
        for index, box in enumerate(boxes):
            assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box
            assert not any(_overlap(box, other) for other in boxes[index + 1 :]), boxes
    _thumbnails_loaded(page)
    page.screenshot(path=str(SHOTS / "reports_queue_phone.png"), full_page=True)
    _row(page, images[1]).get_by_role("button", name="Dismiss").click()
    expect(page.locator(".messagelist")).to_contain_text(re.compile("Done: resolve reports"))
    expect(_row(page, images[1])).to_have_count(0)
