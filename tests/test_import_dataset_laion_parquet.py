"""import_dataset from LAION metadata parquet: URL/TEXT/WIDTH/HEIGHT, punsafe as the NSFW flag, the rest as `source`."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from django.core.management import call_command

from ratings_site.datasets.models import Image
from tests.helpers import in_queue


def run_import(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_dataset", *args, "--no-progress", stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def write_laion(path: Path, count: int = 5, *, punsafe: list[float | None] | None = None) -> Path:
    table = pa.table(
        {
            "SAMPLE_ID": pa.array([1000 + n for n in range(count)], pa.int64()),
            "URL": [f"https://laion.example.org/{n}.jpg" for n in range(count)],
            "TEXT": [f"laion caption {n}" for n in range(count)],
            "HEIGHT": pa.array([256 + n for n in range(count)], pa.int32()),
            "WIDTH": pa.array([512.0 + n for n in range(count)], pa.float64()),
            "similarity": pa.array([0.3 + n / 100 for n in range(count)], pa.float64()),
            "punsafe": pa.array(punsafe or [0.01] * count, pa.float32()),
            "pwatermark": pa.array([0.2] * count, pa.float32()),
            "AESTHETIC_SCORE": pa.array([5.5 + n for n in range(count)], pa.float32()),
        }
    )
    pq.write_table(table, path, row_group_size=2)
    return path


@pytest.mark.django_db
def test_it_imports_url_caption_size_and_source_columns(tmp_path: Path) -> None:
    source = write_laion(tmp_path / "part-00000.parquet")

    out, _ = run_import("LAION sample", str(source), "--batch-size", "2")

    assert Image.objects.filter(dataset__slug="laion-sample").count() == 5
    image = Image.objects.get(url="https://laion.example.org/3.jpg")
    assert image.dedupe_key == hashlib.sha256(b"https://laion.example.org/3.jpg").hexdigest()
    assert (image.caption, image.width, image.height) == ("laion caption 3", 515, 259)
    assert set(image.source) == {"SAMPLE_ID", "similarity", "punsafe", "pwatermark", "AESTHETIC_SCORE"}
    assert image.source["SAMPLE_ID"] == 1003
    assert image.source["similarity"] == pytest.approx(0.33)
    assert image.source["AESTHETIC_SCORE"] == pytest.approx(8.5)
    assert "Dataset laion-sample (created): 5 imported, 0 duplicates skipped, 0 bad rows skipped." in out


@pytest.mark.django_db
def test_it_marks_images_above_the_punsafe_threshold_nsfw_and_keeps_them_out_of_the_queue(tmp_path: Path) -> None:
    source = write_laion(tmp_path / "nsfw.parquet", 4, punsafe=[0.9, 0.5, 0.1, None])

    run_import("Laion", str(source))

    flags = {image.url[-5:]: (image.nsfw, in_queue(image)) for image in Image.objects.all()}
    assert flags == {
        "0.jpg": (True, False),
        "1.jpg": (False, True),  # 0.5 does not exceed 0.5
        "2.jpg": (False, True),
        "3.jpg": (False, True),  # no score: not flagged
    }


@pytest.mark.django_db
def test_it_honours_the_nsfw_threshold_option(tmp_path: Path) -> None:
    source = write_laion(tmp_path / "nsfw.parquet", 2, punsafe=[0.9, 0.97])

    run_import("Laion", str(source), "--nsfw-threshold", "0.95")

    assert sorted(Image.objects.values_list("nsfw", flat=True)) == [False, True]


@pytest.mark.django_db
def test_it_accepts_a_hash_column_and_missing_sizes(tmp_path: Path) -> None:
    table = pa.table(
        {
            "URL": ["https://laion.example.org/h.jpg"],
            "TEXT": [None],
            "WIDTH": pa.array([float("nan")], pa.float64()),
            "HEIGHT": pa.array([None], pa.int64()),
            "hash": pa.array([-123456789], pa.int64()),
            "punsafe": pa.array([float("nan")], pa.float64()),
        }
    )
    pq.write_table(table, tmp_path / "hash.parquet")

    run_import("Laion", str(tmp_path / "hash.parquet"), "--format", "laion")

    image = Image.objects.get()
    assert (image.caption, image.width, image.height, image.nsfw) == ("", None, None, False)
    assert image.source == {"hash": -123456789, "punsafe": None}
