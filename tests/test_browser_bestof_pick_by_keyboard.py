"""A rater picks the best of a dataset prompt group with the keyboard: a digit selects an image (outlined, and the
Save button says so), nothing is saved until Enter, the next group swaps in with the status line "Saved: image 2
is best · +5 kudos"; N picks "no clear winner", S skips; the page fits desktop screens and a phone without
scrolling, and works without JavaScript."""

from __future__ import annotations

import hashlib
import io
import os
import re
import uuid
from collections.abc import Callable

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image as Picture
from PIL import ImageDraw
from playwright.sync_api import Locator, Page, expect

from ratings_site.bestof.models import BestPick, GroupSkip
from ratings_site.bestof.services import refresh_prompt_groups
from ratings_site.datasets.models import Dataset, Image
from tests.browser_fixtures import (  # noqa: F401 (fixtures)
    browser,
    log_in,
    open_page,
    page,
)

URL = "/rate/browser-set/best/"
SCREENSHOTS = os.environ.get("BESTOF_SCREENSHOTS")  # a folder: save what each layout looks like


def _picture(n: int) -> bytes:
    """A distinct 512 px picture: a colour of its own and a sun where its number puts it."""
    picture = Picture.new("RGB", (512, 512), ((n * 67) % 256, (n * 139 + 40) % 256, (n * 29 + 90) % 256))
    draw = ImageDraw.Draw(picture)
    draw.ellipse((60 + 30 * (n % 10), 80, 260 + 30 * (n % 10), 280), fill=(250, 220, 120))
    draw.rectangle((0, 380, 512, 512), fill=(20, 30, 40))
    out = io.BytesIO()
    picture.save(out, format="PNG")
    return out.getvalue()


def make_groups(groups: int, size: int = 4) -> None:
    """`groups` prompt groups of `size` file images each in the public dataset "browser-set", as an import and
    refresh_prompt_groups make them."""
    dataset, _ = Dataset.objects.get_or_create(slug="browser-set", defaults={"name": "Browser set"})
    for n in range(groups * size):
        data = _picture(n)
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


def group_id(page: Page) -> str:
    return page.locator("#pick-form").get_attribute("data-group-id")


def expect_images_loaded(page: Page, count: int) -> None:
    images = page.get_by_test_id("group-image")
    expect(images).to_have_count(count)
    for image in images.all():
        expect(image).to_be_visible()
        expect(image).to_have_js_property("complete", True)
        assert image.evaluate("img => img.naturalWidth") > 0, "a broken-image icon"


def inside(page: Page, locator: Locator, what: str) -> dict:
    box = locator.bounding_box()
    viewport = page.viewport_size
    assert box is not None, f"{what} is not on the page"
    assert box["x"] >= 0 and box["y"] >= 0, f"{what} starts outside the screen: {box}"
    assert box["x"] + box["width"] <= viewport["width"] + 0.5, f"{what} sticks out on the right: {box}"
    assert box["y"] + box["height"] <= viewport["height"] + 0.5, f"{what} is below the fold: {box} in {viewport}"
    return box


def shot(page: Page, name: str) -> None:
    if SCREENSHOTS:
        page.screenshot(path=os.path.join(SCREENSHOTS, f"{name}.png"))


@pytest.mark.browser
def test_keyboard_picks_the_best_and_sees_the_status_line(page: Page, settings) -> None:
    make_groups(3)
    log_in(page)
    page.goto("/rate/browser-set/")  # the dataset's rate page links to its best-of page
    shot(page, "rate-page-link")
    page.get_by_role("link", name="Best of a prompt").click()
    expect(page).to_have_url(re.compile(URL))
    expect_images_loaded(page, 4)
    expect(page.get_by_test_id("prompt")).to_contain_text("a lighthouse in a storm")
    page.evaluate("window.__marker = 1")
    first = group_id(page)

    page.keyboard.press("2")
    candidates = page.get_by_test_id("candidate")
    expect(candidates.nth(1).locator("input")).to_be_checked()
    save = page.get_by_test_id("save")
    expect(save).to_contain_text("Save: image 2 is best")
    page.keyboard.press("3")  # a change of mind: still only selected
    expect(save).to_contain_text("Save: image 3 is best")
    page.keyboard.press("2")
    assert not BestPick.objects.exists()
    picked = page.get_by_test_id("group-image").nth(1).get_attribute("data-image-id")

    page.keyboard.press("Enter")
    expect(page.get_by_test_id("saved")).to_have_text(re.compile(r"Saved: image 2 is best · \+5 kudos"))
    shot(page, "bestof-saved")
    expect(page.locator("#pick-form")).not_to_have_attribute("data-group-id", first)
    expect_images_loaded(page, 4)
    assert page.evaluate("window.__marker") == 1, "the page was reloaded instead of swapping the card"
    pick = BestPick.objects.get()
    assert str(pick.winner.public_id) == picked and str(pick.group_id) == first
    assert pick.pairs.count() == 3

    # Enter with nothing selected says what to do and saves nothing.
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert").filter(has_text="Pick the best image")).to_be_visible()
    page.keyboard.press("n")
    expect(save).to_contain_text("Save: no clear winner")
    second = group_id(page)
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("saved")).to_have_text(re.compile(r"Saved: no clear winner · \+5 kudos"))
    expect(page.locator("#pick-form")).not_to_have_attribute("data-group-id", second)
    assert BestPick.objects.get(group_id=second).winner is None

    third = group_id(page)
    page.keyboard.press("s")
    expect(page.get_by_test_id("empty")).to_contain_text("No prompt groups left for you here")
    assert GroupSkip.objects.get().group_id == int(third)
    assert BestPick.objects.count() == 2


DESKTOPS = [(1366, 768, 4), (1280, 720, 4), (1366, 768, 2), (1280, 720, 3)]


@pytest.mark.browser
@pytest.mark.parametrize("width,height,size", DESKTOPS, ids=[f"{w}x{h}-{n}-images" for w, h, n in DESKTOPS])
def test_desktop_shows_every_image_and_control_without_scrolling(
    open_page: Callable[..., Page], width: int, height: int, size: int
) -> None:
    make_groups(1, size=size)
    page = open_page(viewport={"width": width, "height": height})
    log_in(page)
    page.goto(URL)
    expect_images_loaded(page, size)
    page.keyboard.press(str(size))

    boxes = [inside(page, candidate, f"image {n + 1}") for n, candidate in enumerate(page.get_by_test_id("candidate").all())]
    assert len({round(box["y"]) for box in boxes}) == 1, "the images are not side by side"
    assert boxes[0]["height"] >= height * 0.4, f"the images do not use the room: {boxes[0]}"
    for name in ("No clear winner", f"Save: image {size} is best", "Skip group"):
        inside(page, page.get_by_text(name).first, name)
    inside(page, page.get_by_test_id("prompt"), "the prompt")
    assert page.evaluate("document.scrollingElement.scrollHeight") <= height + 1, "the page scrolls"
    shot(page, f"bestof-{width}x{height}-{size}")


@pytest.mark.browser
def test_phone_shows_a_two_by_two_grid_with_big_targets(open_page: Callable[..., Page]) -> None:
    make_groups(1)
    page = open_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    log_in(page)
    page.goto(URL)
    expect_images_loaded(page, 4)
    page.get_by_test_id("candidate").nth(2).tap()
    expect(page.get_by_test_id("save")).to_contain_text("Save: image 3 is best")

    boxes = [inside(page, candidate, f"image {n + 1}") for n, candidate in enumerate(page.get_by_test_id("candidate").all())]
    assert len({round(box["y"]) for box in boxes}) == 2 and len({round(box["x"]) for box in boxes}) == 2, boxes
    targets = {
        "no clear winner": page.locator(".no-winner"),
        "save": page.get_by_test_id("save"),
        "skip": page.get_by_role("button", name=re.compile("^Skip group")),
    }
    for name, target in targets.items():
        box = inside(page, target, name)
        assert box["height"] >= 44 and box["width"] >= 44, f"{name} is too small to tap: {box}"
    assert all(box["height"] >= 44 for box in boxes)
    shot(page, "bestof-390x844")


@pytest.mark.browser
def test_without_javascript_a_plain_form_picks(open_page: Callable[..., Page]) -> None:
    make_groups(2)
    page = open_page(java_script_enabled=False)
    log_in(page)
    page.goto(URL)
    first = group_id(page)
    page.get_by_test_id("candidate").nth(0).click()
    page.get_by_test_id("save").click()

    expect(page.get_by_test_id("saved")).to_have_text(re.compile(r"Saved: image 1 is best · \+5 kudos"))
    assert group_id(page) != first
    assert BestPick.objects.get().group_id == int(first)
