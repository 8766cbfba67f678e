"""import_dataset from CSV and JSONL files: url and caption columns, sizes, the rest kept as `source`."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command

from ratings_site.datasets.models import Dataset, Image
from tests.helpers import in_queue


def run_import(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_dataset", *args, "--no-progress", stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def write_csv(path: Path, header: list[str], rows: list[list[str]], encoding: str = "utf-8") -> Path:
    with path.open("w", newline="", encoding=encoding) as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(record) + "\n" for record in records), encoding="utf-8")
    return path


@pytest.mark.django_db
def test_it_imports_a_csv_with_caption_size_and_source_columns(tmp_path: Path) -> None:
    source = write_csv(
        tmp_path / "images.csv",
        ["url", "caption", "width", "height", "license", "author"],
        [
            ["https://img.example.org/1.jpg", "a red fox", "640", "480", "cc-by", "Ann"],
            ["http://img.example.org/2.png", 'a "quoted",\nmulti-line caption', "", "", "cc0", ""],
        ],
    )

    out, _ = run_import("Foxes", str(source))

    first = Image.objects.get(url="https://img.example.org/1.jpg")
    second = Image.objects.get(url="http://img.example.org/2.png")
    assert first.dedupe_key == hashlib.sha256(b"https://img.example.org/1.jpg").hexdigest()
    assert (first.caption, first.width, first.height) == ("a red fox", 640, 480)
    assert first.source == {"license": "cc-by", "author": "Ann"}
    assert first.file.name == ""
    assert in_queue(first) and not first.nsfw
    assert second.caption == 'a "quoted",\nmulti-line caption'
    assert (second.width, second.height) == (None, None)
    assert Dataset.objects.get().slug == "foxes"
    assert "Dataset foxes (created): 2 imported, 0 duplicates skipped, 0 bad rows skipped." in out


@pytest.mark.django_db
def test_it_finds_laion_style_columns_in_a_csv_with_a_byte_order_mark(tmp_path: Path) -> None:
    source = write_csv(
        tmp_path / "laion.csv",
        ["URL", "TEXT", "WIDTH", "HEIGHT", "similarity"],
        [["https://img.example.org/a.jpg", "a boat", "512", "256", "0.31"]],
        encoding="utf-8-sig",
    )

    run_import("Boats", str(source))

    image = Image.objects.get()
    assert (image.url, image.caption, image.width, image.height) == ("https://img.example.org/a.jpg", "a boat", 512, 256)
    assert image.source == {"similarity": "0.31"}


@pytest.mark.django_db
def test_it_uses_the_url_and_caption_column_overrides(tmp_path: Path) -> None:
    source = write_csv(
        tmp_path / "odd.csv",
        ["src", "alt", "caption"],
        [["https://img.example.org/o.jpg", "the alt text", "not this one"]],
    )

    run_import("Odd", str(source), "--url-column", "src", "--caption-column", "alt")

    image = Image.objects.get()
    assert (image.url, image.caption) == ("https://img.example.org/o.jpg", "the alt text")
    assert image.source == {"caption": "not this one"}


@pytest.mark.django_db
def test_it_imports_jsonl_with_nested_source_fields(tmp_path: Path) -> None:
    source = write_jsonl(
        tmp_path / "images.jsonl",
        [
            {
                "image_url": "https://img.example.org/j1.webp",
                "prompt": "a castle",
                "width": 768,
                "height": 512,
                "meta": {"seed": 42, "tags": ["castle", "sky"]},
            },
            {"link": "https://img.example.org/j2.webp", "score": 6.5},
        ],
    )

    out, _ = run_import("Castles", str(source))

    first = Image.objects.get(url="https://img.example.org/j1.webp")
    assert (first.caption, first.width, first.height) == ("a castle", 768, 512)
    assert first.source == {"meta": {"seed": 42, "tags": ["castle", "sky"]}}
    second = Image.objects.get(url="https://img.example.org/j2.webp")
    assert (second.caption, second.source) == ("", {"score": 6.5})
    assert "2 imported, 0 duplicates skipped, 0 bad rows skipped." in out


@pytest.mark.django_db
def test_it_detects_ndjson_and_skips_blank_lines(tmp_path: Path) -> None:
    source = tmp_path / "images.ndjson"
    source.write_text('{"url": "https://img.example.org/n.png", "text": "n"}\n\n   \n', encoding="utf-8")

    run_import("Nd", str(source))

    assert Image.objects.get().caption == "n"


@pytest.mark.django_db
def test_it_reads_a_csv_in_several_batches(tmp_path: Path) -> None:
    rows = [[f"https://img.example.org/{n}.jpg", f"caption {n}"] for n in range(7)]
    source = write_csv(tmp_path / "many.csv", ["url", "caption"], rows)

    out, _ = run_import("Many", str(source), "--batch-size", "3")

    assert sorted(Image.objects.values_list("caption", flat=True)) == [f"caption {n}" for n in range(7)]
    assert "7 imported" in out


@pytest.mark.django_db
def test_it_shows_a_progress_bar_on_stderr(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = write_csv(tmp_path / "one.csv", ["url"], [["https://img.example.org/p.jpg"]])

    call_command("import_dataset", "Progress", str(source), stdout=io.StringIO())

    assert "100%" in capsys.readouterr().err
    assert Image.objects.count() == 1
