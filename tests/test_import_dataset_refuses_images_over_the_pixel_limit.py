"""import_dataset skips images over MAX_IMAGE_PIXELS as bad rows, saying why: a folder's 12000 × 12000
PNG (a few KB on disk, 144 MP decoded) is refused from its header, before any pixel is decoded, and a
metadata row whose WIDTH × HEIGHT is over the limit is skipped. The rest is imported."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from PIL import Image as Picture

from ratings_site.datasets.models import Image

pytestmark = pytest.mark.django_db


def run_import(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_dataset", *args, "--no-progress", stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def media_root(settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def test_a_12000_by_12000_png_is_skipped_at_the_default_limit(tmp_path: Path, media_root: Path) -> None:
    folder = tmp_path / "photos"
    folder.mkdir()
    Picture.new("1", (12000, 12000)).save(folder / "bomb.png")  # 1 bit per pixel: a small file
    Picture.new("RGB", (64, 48), "teal").save(folder / "fine.png")
    assert (folder / "bomb.png").stat().st_size < 100_000

    out, err = run_import("Probe", str(folder))

    assert [image.source["path"] for image in Image.objects.all()] == ["fine.png"]
    assert "1 imported, 0 duplicates skipped, 1 bad rows skipped." in out
    assert "Skipped bomb.png: too large (12000×12000 is 144.0 MP, over MAX_IMAGE_PIXELS (50.0 MP))" in err


def test_the_limit_is_the_setting(tmp_path: Path, media_root: Path, settings) -> None:
    settings.MAX_IMAGE_PIXELS = 3000
    folder = tmp_path / "photos"
    folder.mkdir()
    Picture.new("RGB", (60, 50), "red").save(folder / "at-the-limit.png")
    Picture.new("RGB", (60, 51), "red").save(folder / "one-row-over.png")

    _, err = run_import("Probe", str(folder))

    assert [image.source["path"] for image in Image.objects.all()] == ["at-the-limit.png"]
    assert "Skipped one-row-over.png: too large (60×51" in err


def test_a_metadata_row_declaring_too_many_pixels_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "laion.csv"
    path.write_text(
        "url,caption,WIDTH,HEIGHT\n"
        "https://img.example.org/1.jpg,fine,1024,768\n"
        "https://img.example.org/2.jpg,huge,12000,12000\n"
        "https://img.example.org/3.jpg,unknown size,,\n",
        encoding="utf-8",
    )

    out, err = run_import("Probe", str(path))

    assert sorted(Image.objects.values_list("caption", flat=True)) == ["fine", "unknown size"]
    assert "Skipped line 3: too large (12000×12000 is 144.0 MP" in err
