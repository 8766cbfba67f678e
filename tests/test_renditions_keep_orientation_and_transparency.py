"""Renditions stand as the camera meant (EXIF orientation), keep transparency, and turn CMYK into RGB."""

from __future__ import annotations

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


def test_a_photo_turned_by_its_exif_orientation_stands_upright(client, media: Path) -> None:
    exif = Picture.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to show
    image = file_image(encoded(picture((300, 200)), "JPEG", exif=exif), "images/tests/turned.jpg")

    shown = opened(rendition_bytes(client.get(image.display_src)))

    assert shown.size == (200, 300)
    assert not shown.getexif(), "no metadata (a camera's GPS position) goes out with a rendition"


@pytest.mark.parametrize("mode", ["RGBA", "LA", "P"])
def test_transparency_is_kept(client, media: Path, mode: str) -> None:
    source = picture((120, 80)).convert("RGBA")
    source.putalpha(Picture.linear_gradient("L").resize((120, 80)))
    source = source.convert(mode) if mode != "P" else source.convert("P", palette=Picture.Palette.ADAPTIVE)
    if mode == "P":
        source.info["transparency"] = 0
    image = file_image(encoded(source, transparency=0) if mode == "P" else encoded(source))

    shown = opened(rendition_bytes(client.get(image.display_src)))

    assert shown.mode == "RGBA"
    assert shown.getextrema()[3][0] < 128, "some of it is still see-through"


def test_a_cmyk_jpeg_becomes_rgb(client, media: Path) -> None:
    image = file_image(encoded(picture((200, 100), "CMYK"), "JPEG"), "images/tests/print.jpg")

    shown = opened(rendition_bytes(client.get(image.thumbnail_src)))

    assert shown.mode == "RGB"
    assert shown.size == (200, 100)
