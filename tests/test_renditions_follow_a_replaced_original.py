"""A file replaced under the same name (a reset database re-seeded) gets a new rendition, not the old picture's."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PIL import Image as Picture

from tests.picture_files import (  # noqa: F401 (fixture)
    encoded,
    file_image,
    media,
    opened,
    picture,
    rendition_bytes,
)

pytestmark = pytest.mark.django_db


def test_a_newer_original_is_rendered_again(client, media: Path) -> None:
    image = file_image(encoded(picture((300, 200))), "images/tests/reused.png")
    assert opened(rendition_bytes(client.get(image.display_src))).size == (300, 200)
    made = media / "renditions/display/images/tests/reused.png.webp"
    earlier = made.stat().st_mtime_ns - 10_000_000_000
    os.utime(made, ns=(earlier, earlier))  # made before the replacement below
    Picture.new("RGB", (120, 240), "teal").save(media / image.file.name)

    assert opened(rendition_bytes(client.get(image.display_src))).size == (120, 240)
