"""An original over MAX_IMAGE_PIXELS gets no rendition (a 404, as a broken one): it is refused from its
header, never decoded. A 12000 × 12000 PNG is refused at the default limit."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image as Picture

from tests.picture_files import encoded, file_image, media, picture  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


def test_a_12000_by_12000_png_gets_no_rendition(client, media: Path) -> None:
    image = file_image(encoded(Picture.new("1", (12000, 12000))))

    assert client.get(image.display_src).status_code == 404
    assert client.get(image.thumbnail_src).status_code == 404


def test_the_limit_is_the_setting(client, media: Path, settings) -> None:
    settings.MAX_IMAGE_PIXELS = 1_000_000
    over = file_image(encoded(picture((1200, 900))))
    under = file_image(encoded(picture((1000, 1000))))

    assert client.get(over.display_src).status_code == 404
    assert client.get(under.display_src).status_code == 200
