"""A malformed source makes import_dataset fail with a message saying where, and imports nothing."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from PIL import Image as PILImage

from ratings_site.datasets.models import Dataset, Image


def run_import(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_dataset", *args, "--no-progress", stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def csv_without_url_column(tmp_path: Path) -> Path:
    path = tmp_path / "no-url.csv"
    path.write_text("address,caption\nhttps://img.example.org/1.jpg,one\n", encoding="utf-8")
    return path


def csv_with_a_bad_url(tmp_path: Path) -> Path:
    path = tmp_path / "bad-url.csv"
    path.write_text(
        "url,caption\nhttps://img.example.org/1.jpg,one\nftp://img.example.org/2.jpg,two\n", encoding="utf-8"
    )
    return path


def csv_with_an_empty_url(tmp_path: Path) -> Path:
    path = tmp_path / "empty-url.csv"
    path.write_text("url,caption\nhttps://img.example.org/1.jpg,one\n,two\n", encoding="utf-8")
    return path


def csv_with_a_bad_width(tmp_path: Path) -> Path:
    path = tmp_path / "bad-width.csv"
    path.write_text("url,width\nhttps://img.example.org/1.jpg,wide\n", encoding="utf-8")
    return path


def csv_with_too_many_fields(tmp_path: Path) -> Path:
    path = tmp_path / "extra.csv"
    path.write_text("url,caption\nhttps://img.example.org/1.jpg,one,surprise\n", encoding="utf-8")
    return path


def jsonl_with_invalid_json(tmp_path: Path) -> Path:
    path = tmp_path / "broken.jsonl"
    good = [json.dumps({"url": f"https://img.example.org/{n}.jpg"}) for n in range(2)]
    path.write_text("\n".join([*good, '{"url": "https://img.example.org/3.jpg",', ""]), encoding="utf-8")
    return path


def jsonl_with_a_list(tmp_path: Path) -> Path:
    path = tmp_path / "list.jsonl"
    path.write_text('{"url": "https://img.example.org/1.jpg"}\n["https://img.example.org/2.jpg"]\n', encoding="utf-8")
    return path


def jsonl_without_url(tmp_path: Path) -> Path:
    path = tmp_path / "no-url.jsonl"
    path.write_text('{"url": "https://img.example.org/1.jpg"}\n{"caption": "orphan"}\n', encoding="utf-8")
    return path


def parquet_of_neither_format(tmp_path: Path) -> Path:
    path = tmp_path / "other.parquet"
    pq.write_table(pa.table({"id": [1], "label": ["cat"]}), path)
    return path


def laion_with_an_empty_url_in_a_later_batch(tmp_path: Path) -> Path:
    path = tmp_path / "laion.parquet"
    urls = ["https://laion.example.org/1.jpg", "https://laion.example.org/2.jpg", None]
    pq.write_table(pa.table({"URL": urls, "TEXT": ["a", "b", "c"], "punsafe": [0.1, 0.1, 0.1]}), path)
    return path


def not_a_parquet_file(tmp_path: Path) -> Path:
    path = tmp_path / "fake.parquet"
    path.write_bytes(b"PAR1 but not really")
    return path


def an_unknown_file_type(tmp_path: Path) -> Path:
    path = tmp_path / "images.txt"
    path.write_text("https://img.example.org/1.jpg\n", encoding="utf-8")
    return path


MALFORMED: dict[str, tuple[Callable[[Path], Path], str]] = {
    "csv without a url column": (csv_without_url_column, "line 1: the header has no URL column"),
    "csv with an ftp url": (csv_with_a_bad_url, "line 3: 'ftp://img.example.org/2.jpg' is not an http(s) URL"),
    "csv with an empty url": (csv_with_an_empty_url, "line 3: the URL is empty"),
    "csv with a bad width": (csv_with_a_bad_width, "line 2: 'wide' is not a width or height"),
    "csv with too many fields": (csv_with_too_many_fields, "line 2: the row has more fields than the header"),
    "jsonl with invalid json": (jsonl_with_invalid_json, "line 3: invalid JSON"),
    "jsonl with a list": (jsonl_with_a_list, "line 2: expected a JSON object, got list"),
    "jsonl without a url": (jsonl_without_url, "line 2: no URL field"),
    "parquet of neither format": (parquet_of_neither_format, "is neither LAION metadata"),
    "laion with an empty url": (laion_with_an_empty_url_in_a_later_batch, "row 3: the URL is empty"),
    "not a parquet file": (not_a_parquet_file, "fake.parquet is not a readable parquet file"),
    "an unknown file type": (an_unknown_file_type, "Cannot tell the format of images.txt"),
}


@pytest.mark.parametrize("kind", list(MALFORMED))
@pytest.mark.django_db
def test_it_fails_with_a_message_saying_where_and_imports_nothing(tmp_path: Path, kind: str) -> None:
    write, message = MALFORMED[kind]
    source = write(tmp_path)

    with pytest.raises(CommandError) as failure:
        run_import("Malformed", str(source), "--batch-size", "2")

    assert str(failure.value).startswith("Nothing imported: ")
    assert message in str(failure.value)
    assert Image.objects.count() == 0
    assert Dataset.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_the_whole_import_is_rolled_back_in_a_real_transaction(tmp_path: Path) -> None:
    """Outside the test's own transaction: rows from batches already inserted are gone too."""
    with pytest.raises(CommandError, match="row 3: the URL is empty"):
        run_import("Malformed", str(laion_with_an_empty_url_in_a_later_batch(tmp_path)), "--batch-size", "1")

    assert Image.objects.count() == 0
    assert Dataset.objects.count() == 0


@pytest.mark.django_db
def test_a_failed_import_leaves_an_existing_dataset_and_its_images_alone(tmp_path: Path) -> None:
    good = tmp_path / "good.csv"
    good.write_text("url\nhttps://img.example.org/kept.jpg\n", encoding="utf-8")
    run_import("Existing", str(good))

    with pytest.raises(CommandError):
        run_import("Existing", str(csv_with_an_empty_url(tmp_path)), "--batch-size", "1")

    assert list(Image.objects.values_list("url", flat=True)) == ["https://img.example.org/kept.jpg"]
    assert Dataset.objects.get().slug == "existing"


@pytest.mark.django_db
def test_a_failed_folder_import_deletes_the_files_it_copied(tmp_path: Path, settings) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    folder = tmp_path / "photos"
    folder.mkdir()
    PILImage.new("RGB", (4, 4), "red").save(folder / "a.png")
    PILImage.new("RGB", (4, 4), "blue").save(folder / "b.png")
    (folder / "b.txt").write_bytes(b"caption in latin-1: caf\xe9")

    with pytest.raises(CommandError, match="b.txt: the caption is not UTF-8"):
        run_import("Photos", str(folder), "--batch-size", "1")

    assert Image.objects.count() == 0
    assert Dataset.objects.count() == 0
    assert [p for p in (tmp_path / "media").rglob("*") if p.is_file()] == []


@pytest.mark.django_db
def test_a_missing_source_fails(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="does-not-exist.csv does not exist"):
        run_import("Missing", str(tmp_path / "does-not-exist.csv"))

    assert Dataset.objects.count() == 0


@pytest.mark.django_db
def test_a_format_that_does_not_fit_the_source_fails(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="is a folder; the format is csv"):
        run_import("Wrong", str(tmp_path), "--format", "csv")
