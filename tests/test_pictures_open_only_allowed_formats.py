"""The server opens only JPEG, PNG, WebP and GIF (`datasets.pictures.open_picture`, the one place pictures are
opened): any other format is refused by its header before a plugin of Pillow's parses it, so that an EPS never
reaches Ghostscript (which Pillow runs to decode one where it is installed), whatever the file is called."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import EpsImagePlugin, UnidentifiedImageError

from ratings_site.datasets.pictures import ALLOWED_FORMATS, open_picture
from tests.picture_files import encoded, file_image, media, picture  # noqa: F401 (fixture)

EPS = b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\n%%EndComments\nshowpage\n%%EOF\n"


@pytest.fixture
def eps_parsed(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Every EPS file Pillow's EPS plugin starts to parse (the step before Ghostscript)."""
    parsed: list[object] = []
    original = EpsImagePlugin.EpsImageFile._open

    def _open(self) -> None:
        parsed.append(self)
        original(self)

    monkeypatch.setattr(EpsImagePlugin.EpsImageFile, "_open", _open)
    return parsed


def test_an_eps_file_is_refused_unparsed(eps_parsed: list[object]) -> None:
    with pytest.raises(UnidentifiedImageError), open_picture(io.BytesIO(EPS)):
        pass

    assert eps_parsed == []


def test_a_bmp_is_refused_too() -> None:
    with pytest.raises(UnidentifiedImageError), open_picture(io.BytesIO(encoded(picture((8, 8)), "BMP"))):
        pass


@pytest.mark.parametrize("format", ALLOWED_FORMATS)
def test_the_allowed_formats_open(format: str) -> None:
    with open_picture(io.BytesIO(encoded(picture((8, 6)), format))) as opened:
        opened.load()
        assert (opened.format, opened.size) == (format, (8, 6))


@pytest.mark.django_db
def test_an_eps_image_file_gets_no_rendition(client, media: Path, eps_parsed: list[object]) -> None:
    image = file_image(EPS, "images/tests/drawing.png")

    assert client.get(f"/renditions/display/{image.file.name}.webp").status_code == 404
    assert eps_parsed == []
