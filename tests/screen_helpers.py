"""What a person sees where on the screen: boxes that must not cover each other or leave the screen, and pictures of
any shape with captions of any length (the rate page's layout depends on both).

Imported by the browser tests of the rating pages' layout (never by conftest.py).
"""

from __future__ import annotations

import hashlib
import uuid

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from playwright.sync_api import Locator, Page

from tests.browser_fixtures import _png

SIZES = [(1366, 768), (1280, 720), (390, 844)]
SIZE_IDS = [f"{w}x{h}" for w, h in SIZES]
LONG_CAPTION = (
    "A lighthouse on a cliff in a storm, waves crashing on the rocks, dramatic clouds, an oil painting in the style "
    "of the old masters, highly detailed, golden hour light, with a small boat far away, seagulls over the foam and "
    "the keeper's window lit, the beam cutting through the rain"
)


def viewport(width: int, height: int) -> dict:
    """Context options for a screen of this size; a phone (under 500 px wide) is a touch screen."""
    options: dict = {"viewport": {"width": width, "height": height}}
    if width < 500:
        options.update(is_mobile=True, has_touch=True, device_scale_factor=2)
    return options


def make_images(
    count: int, *, size: tuple[int, int] = (640, 480), caption: str = LONG_CAPTION, dataset: str = "browser-set"
):
    """`count` images of a public dataset, real PNG files of `size` under MEDIA_ROOT, each with `caption`."""
    from ratings_site.datasets.models import Dataset, Image
    from ratings_site.datasets.services import refresh_queue

    ds, _ = Dataset.objects.get_or_create(slug=dataset, defaults={"name": dataset.replace("-", " ").title()})
    images = []
    for _ in range(count):
        data = _png(size)
        name = default_storage.save(f"images/browser/{uuid.uuid4().hex}.png", ContentFile(data))
        images.append(
            Image.objects.create(
                dataset=ds,
                file=name,
                caption=caption,
                dedupe_key=hashlib.sha256(data).hexdigest(),
                width=size[0],
                height=size[1],
            )
        )
    refresh_queue(Image.objects.filter(pk__in=[image.pk for image in images]))
    return images


def box_of(locator: Locator, what: str) -> dict:
    box = locator.bounding_box()
    assert box is not None, f"{what} is not on the page"
    return box


def overlap(a: dict, b: dict) -> bool:
    """Whether two boxes share any area (touching edges do not count)."""
    return (
        a["x"] < b["x"] + b["width"] - 0.5
        and b["x"] < a["x"] + a["width"] - 0.5
        and a["y"] < b["y"] + b["height"] - 0.5
        and b["y"] < a["y"] + a["height"] - 0.5
    )


def assert_covers_none(cover: Locator, what: str, others: dict[str, Locator]) -> None:
    """`cover` (visible) shares no area with any of `others` that is on the page."""
    box = box_of(cover, what)
    for name, other in others.items():
        for n, item in enumerate(other.all()):
            other_box = item.bounding_box()
            if other_box is not None:
                assert not overlap(box, other_box), f"{what} {box} covers {name} #{n + 1} {other_box}"


def assert_on_screen(page: Page, locator: Locator, what: str) -> dict:
    """The whole of `locator` is on the screen as it is now, without scrolling."""
    box = box_of(locator, what)
    screen = page.viewport_size
    assert box["x"] >= 0 and box["y"] >= 0, f"{what} starts outside the screen: {box}"
    assert box["x"] + box["width"] <= screen["width"] + 0.5, f"{what} sticks out on the right: {box}"
    assert box["y"] + box["height"] <= screen["height"] + 0.5, f"{what} is below the screen: {box} in {screen}"
    return box
