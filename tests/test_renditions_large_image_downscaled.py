"""A large picture is fitted within 1600 px to show and 320 px as a thumbnail, keeping its shape."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.picture_files import (  # noqa: F401 (fixture)
    encoded,
    file_image,
    media,
    opened,
    picture,
    rendition_bytes,
)

pytestmark = pytest.mark.django_db


def test_a_3000_by_2000_picture_shows_at_1600_by_1067(client, media: Path) -> None:
    image = file_image(encoded(picture((3000, 2000)), "JPEG", quality=92))

    assert opened(rendition_bytes(client.get(image.display_src))).size == (1600, 1067)
    assert opened(rendition_bytes(client.get(image.thumbnail_src))).size == (320, 213)


def test_a_tall_picture_is_fitted_by_its_height(client, media: Path) -> None:
    image = file_image(encoded(picture((900, 2400))))

    assert opened(rendition_bytes(client.get(image.display_src))).size == (600, 1600)
    assert opened(rendition_bytes(client.get(image.thumbnail_src))).size == (120, 320)
