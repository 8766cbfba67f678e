"""import_dataset skips images the dataset already holds and duplicates within the file, and counts them."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from PIL import Image as PILImage

from ratings_site.datasets.models import Dataset, Image


def run_import(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_dataset", *args, "--no-progress", stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def write_csv(path: Path, urls: list[str]) -> Path:
    path.write_text("url,caption\n" + "".join(f"{url},caption of {url}\n" for url in urls), encoding="utf-8")
    return path


@pytest.mark.django_db
def test_a_second_import_of_the_same_file_imports_nothing_new(tmp_path: Path) -> None:
    source = write_csv(tmp_path / "a.csv", [f"https://img.example.org/{n}.jpg" for n in range(5)])
    run_import("Set", str(source), "--batch-size", "2")

    out, _ = run_import("Set", str(source), "--batch-size", "2")

    assert Image.objects.count() == 5
    assert Dataset.objects.count() == 1
    assert "Dataset set: 0 imported, 5 duplicates skipped, 0 bad rows skipped." in out


@pytest.mark.django_db
def test_it_imports_only_the_new_rows_of_a_grown_file(tmp_path: Path) -> None:
    run_import("Set", str(write_csv(tmp_path / "a.csv", ["https://img.example.org/1.jpg"])))
    grown = write_csv(tmp_path / "b.csv", ["https://img.example.org/1.jpg", "https://img.example.org/2.jpg"])

    out, _ = run_import("Set", str(grown))

    assert Image.objects.count() == 2
    assert "1 imported, 1 duplicates skipped" in out


@pytest.mark.parametrize("batch_size", ["1", "1000"])
@pytest.mark.django_db
def test_it_skips_duplicates_within_the_file_in_one_batch_or_across_batches(tmp_path: Path, batch_size: str) -> None:
    urls = ["https://img.example.org/x.jpg", "https://img.example.org/y.jpg", "https://img.example.org/x.jpg"]
    source = write_csv(tmp_path / "dups.csv", urls + ["https://img.example.org/y.jpg"])

    out, _ = run_import("Set", str(source), "--batch-size", batch_size)

    assert sorted(Image.objects.values_list("url", flat=True)) == urls[:2]
    assert "2 imported, 2 duplicates skipped, 0 bad rows skipped." in out


@pytest.mark.django_db
def test_the_same_url_may_be_in_two_datasets(tmp_path: Path) -> None:
    source = write_csv(tmp_path / "a.csv", ["https://img.example.org/shared.jpg"])

    run_import("First", str(source))
    out, _ = run_import("Second", str(source))

    assert Image.objects.filter(url="https://img.example.org/shared.jpg").count() == 2
    assert "1 imported, 0 duplicates skipped" in out


@pytest.mark.django_db
def test_identical_image_files_are_imported_and_stored_once(tmp_path: Path, settings) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    folder = tmp_path / "photos"
    folder.mkdir()
    PILImage.new("RGB", (4, 4), "red").save(folder / "one.png")
    (folder / "copy-of-one.png").write_bytes((folder / "one.png").read_bytes())
    PILImage.new("RGB", (4, 4), "blue").save(folder / "two.png")

    first, _ = run_import("Photos", str(folder))
    again, _ = run_import("Photos", str(folder))

    assert Image.objects.count() == 2
    assert "2 imported, 1 duplicates skipped" in first
    assert "0 imported, 3 duplicates skipped" in again
    assert len(list((tmp_path / "media" / "images" / "photos").iterdir())) == 2
