"""import_dataset from a folder: files verified with Pillow, copied into MEDIA_ROOT, captions from sidecars."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest
from django.core.management import call_command
from PIL import Image as PILImage

from ratings_site.datasets.models import Dataset, Image
from tests.helpers import in_queue


def run_import(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_dataset", *args, "--no-progress", stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def write_image(path: Path, size: tuple[int, int], color: str, format: str) -> bytes:
    path.parent.mkdir(parents=True, exist_ok=True)
    PILImage.new("RGB", size, color).save(path, format=format)
    return path.read_bytes()


@pytest.fixture
def media_root(settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "photos"
    write_image(root / "a.png", (32, 16), "red", "PNG")
    write_image(root / "sub" / "b.JPG", (20, 10), "green", "JPEG")
    (root / "sub" / "b.txt").write_text("  a green field \n", encoding="utf-8")
    write_image(root / "sub" / "deeper" / "c.webp", (8, 8), "blue", "WEBP")
    write_image(root / "d.gif", (5, 7), "white", "GIF")
    (root / "notes.md").write_text("not an image", encoding="utf-8")
    return root


@pytest.mark.django_db
def test_it_imports_every_image_file_recursively(folder: Path, media_root: Path) -> None:
    out, _ = run_import("Holiday Photos", str(folder), "--description", "Our trip")

    dataset = Dataset.objects.get()
    assert (dataset.slug, dataset.name, dataset.description) == ("holiday-photos", "Holiday Photos", "Our trip")
    assert sorted(image.source["path"] for image in dataset.images.all()) == [
        "a.png",
        "d.gif",
        "sub/b.JPG",
        "sub/deeper/c.webp",
    ]
    assert "Dataset holiday-photos (created): 4 imported, 0 duplicates skipped, 0 bad rows skipped." in out


@pytest.mark.django_db
def test_it_copies_the_files_into_media_root_named_by_their_hash(folder: Path, media_root: Path) -> None:
    run_import("Holiday Photos", str(folder))

    image = Image.objects.get(source__path="sub/b.JPG")
    digest = hashlib.sha256((folder / "sub" / "b.JPG").read_bytes()).hexdigest()
    assert image.dedupe_key == digest
    assert image.file.name == f"images/holiday-photos/{digest}.jpg"
    assert image.url == ""
    stored = media_root / image.file.name
    assert stored.read_bytes() == (folder / "sub" / "b.JPG").read_bytes()
    with PILImage.open(image.file.path) as picture:
        assert picture.size == (20, 10)


@pytest.mark.django_db
def test_it_reads_size_and_sidecar_caption_and_queues_the_images(folder: Path, media_root: Path) -> None:
    run_import("Holiday Photos", str(folder))

    by_path = {image.source["path"]: image for image in Image.objects.all()}
    assert (by_path["a.png"].width, by_path["a.png"].height) == (32, 16)
    assert (by_path["d.gif"].width, by_path["d.gif"].height) == (5, 7)
    assert by_path["sub/b.JPG"].caption == "a green field"
    assert by_path["a.png"].caption == ""
    assert all(in_queue(image) and not image.nsfw for image in by_path.values())


@pytest.mark.django_db
def test_it_skips_and_reports_an_unreadable_image_file(folder: Path, media_root: Path) -> None:
    (folder / "broken.jpg").write_bytes(b"this is not a jpeg")
    (folder / "truncated.png").write_bytes((folder / "a.png").read_bytes()[:40])

    out, err = run_import("Holiday Photos", str(folder))

    assert Image.objects.count() == 4
    assert "4 imported, 0 duplicates skipped, 2 bad rows skipped." in out
    assert "Skipped broken.jpg: not a readable image" in err
    assert "Skipped truncated.png: not a readable image" in err
    assert sorted(p.name for p in (media_root / "images" / "holiday-photos").iterdir()) == sorted(
        f"{image.dedupe_key}{Path(image.source['path']).suffix.lower()}" for image in Image.objects.all()
    )
