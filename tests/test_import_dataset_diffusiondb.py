"""import_dataset from DiffusionDB metadata.parquet: image URLs built from part_id and image_name."""

from __future__ import annotations

import datetime
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


STAMP = datetime.datetime(2022, 8, 10, 21, 30, 5, tzinfo=datetime.UTC)


@pytest.fixture
def metadata(tmp_path: Path) -> Path:
    """Three rows with DiffusionDB's own column types."""
    table = pa.table(
        {
            "image_name": ["f3501e05-aef7.png", "a1b2c3d4.png", "ffff0000.png"],
            "prompt": ["a castle on a hill, trending on artstation", "a cat", "a dog"],
            "part_id": pa.array([1, 1, 2000], pa.uint16()),
            "seed": pa.array([3312523387, 42, 7], pa.uint32()),
            "step": pa.array([50, 50, 25], pa.uint16()),
            "cfg": pa.array([7.0, 12.5, 7.0], pa.float32()),
            "sampler": pa.array([8, 8, 1], pa.uint8()),
            "width": pa.array([512, 768, 512], pa.uint16()),
            "height": pa.array([512, 512, 640], pa.uint16()),
            "user_name": ["c2a9a3b0", "deadbeef", "cafe"],
            "timestamp": pa.array([STAMP] * 3, pa.timestamp("us", tz="UTC")),
            "image_nsfw": pa.array([0.1, 0.8, 0.2], pa.float32()),
            "prompt_nsfw": pa.array([0.0, 0.0, 0.9], pa.float32()),
        }
    )
    path = tmp_path / "metadata.parquet"
    pq.write_table(table, path)
    return path


@pytest.mark.django_db
def test_it_builds_image_urls_from_part_id_and_image_name(metadata: Path) -> None:
    out, _ = run_import("DiffusionDB 2M", str(metadata))

    root = "https://huggingface.co/datasets/poloclub/diffusiondb/resolve/main/images"
    assert sorted(Image.objects.values_list("url", flat=True)) == [
        f"{root}/part-000001/a1b2c3d4.png",
        f"{root}/part-000001/f3501e05-aef7.png",
        f"{root}/part-002000/ffff0000.png",
    ]
    assert "Dataset diffusiondb-2m (created): 3 imported, 0 duplicates skipped, 0 bad rows skipped." in out


@pytest.mark.django_db
def test_it_uses_the_image_root_option(metadata: Path) -> None:
    run_import("DiffusionDB", str(metadata), "--image-root", "https://mirror.example.org/ddb/")

    assert Image.objects.filter(url="https://mirror.example.org/ddb/part-002000/ffff0000.png").exists()


@pytest.mark.django_db
def test_it_keeps_prompt_size_and_json_safe_source_columns(metadata: Path) -> None:
    run_import("DiffusionDB", str(metadata))

    image = Image.objects.get(url__endswith="/f3501e05-aef7.png")
    assert image.caption == "a castle on a hill, trending on artstation"
    assert (image.width, image.height) == (512, 512)
    assert image.source["timestamp"] == "2022-08-10T21:30:05+00:00"
    assert image.source["seed"] == 3312523387
    assert image.source["cfg"] == 7.0
    assert image.source["sampler"] == 8
    assert image.source["user_name"] == "c2a9a3b0"
    assert image.source["image_name"] == "f3501e05-aef7.png"
    assert image.source["part_id"] == 1
    assert image.source["image_nsfw"] == pytest.approx(0.1)
    assert "prompt" not in image.source and "width" not in image.source


@pytest.mark.django_db
def test_it_marks_images_nsfw_by_image_nsfw_not_prompt_nsfw(metadata: Path) -> None:
    run_import("DiffusionDB", str(metadata))

    flags = {image.source["image_name"]: (image.nsfw, in_queue(image)) for image in Image.objects.all()}
    assert flags == {
        "f3501e05-aef7.png": (False, True),
        "a1b2c3d4.png": (True, False),
        "ffff0000.png": (False, True),
    }
