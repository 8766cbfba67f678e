"""Moderators see each image as a small thumbnail in the admin's image list, and the whole picture at the top of
its change form, with no style refused by the site's Content-Security-Policy (which allows no inline styles)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from ratings_site.raters.models import Rater
from tests.browser_fixtures import (  # noqa: F401 (fixtures)
    browser,
    log_in,
    make_picture_images,
    open_page,
)


def _as_moderator(open_page: Callable[..., Page]) -> tuple[Page, list[str]]:
    page = open_page()
    refused: list[str] = []
    page.on("console", lambda message: refused.append(message.text) if "Content Security Policy" in message.text else None)
    log_in(page)
    Rater.objects.filter(horde_id__isnull=False).update(is_staff=True, is_superuser=True)
    return page, refused


def _loaded(page: Page, selector: str) -> None:
    page.wait_for_function(
        f"() => [...document.querySelectorAll('{selector}')].every(img => img.complete && img.naturalWidth > 0)"
    )


@pytest.mark.browser
def test_the_image_list_shows_thumbnails(open_page: Callable[..., Page], make_picture_images) -> None:
    make_picture_images(3)  # 640 × 480 pictures
    page, refused = _as_moderator(open_page)

    page.goto("/admin/datasets/image/")

    thumbnails = page.locator("#result_list tbody .field-thumbnail img")
    expect(thumbnails).to_have_count(3)
    _loaded(page, "#result_list tbody .field-thumbnail img")
    for n in range(3):
        box = thumbnails.nth(n).bounding_box()
        assert box is not None and 0 < box["width"] <= 96 and 0 < box["height"] <= 64, box
    assert refused == []


@pytest.mark.browser
def test_the_change_form_shows_the_whole_picture_first(open_page: Callable[..., Page], make_picture_images) -> None:
    image = make_picture_images(1)[0]
    page, refused = _as_moderator(open_page)

    page.goto(f"/admin/datasets/image/{image.pk}/change/")

    preview = page.locator("fieldset .form-row").first.locator("img")
    expect(preview).to_be_visible()
    _loaded(page, "fieldset .form-row img")
    box = preview.bounding_box()
    assert box is not None and box["width"] == pytest.approx(640, abs=1) and box["height"] == pytest.approx(480, abs=1)
    expect(preview).to_have_attribute("alt", "A test picture, number 1")
    assert refused == []
