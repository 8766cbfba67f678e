"""Running `manage.py predict_aesthetics` in tests: on the CPU, with a tiny open_clip model, nothing downloaded.

Imported by the predict_aesthetics test modules (never by conftest.py). tests/data/tiny-clip-test.json
is a two-layer ViT on 32×32 pixels with 32-dimensional embeddings; `--pretrained none` gives it random
weights, the same ones every run (load_clip seeds them), so that runs can be compared.

The tests run with real commits (`django_db(transaction=True)`): the command writes each batch from a
background thread on its own database connection, and closes the connections before the DataLoader
forks its workers; inside the transaction that wraps a plain `db` test, the writer sees none of the
test's rows (PostgreSQL: ForeignKeyViolation; SQLite: "database table is locked").
"""

from __future__ import annotations

import io
import os
import re
from pathlib import Path
from urllib.parse import quote

import numpy as np
import pytest
from django.core.management import call_command
from django.db import connection

from ratings_site.datasets.models import Image
from ratings_site.predictor.models import AestheticScore, ImageEmbedding, PredictorVersion

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
TINY_CLIP = [
    "--model", "tiny-clip-test",
    "--model-config", str(DATA / "tiny-clip-test.json"),
    "--pretrained", "none",
    "--device", "cpu",
    "--precision", "fp32",
]  # fmt: skip
TINY_CLIP_KEY = "tiny-clip-test/none"
EMBEDDING_DIM = 32

SUMMARY = re.compile(
    r"Scored (?P<scored>\d+) images \((?P<stored>\d+) from stored embeddings\), (?P<broken>\d+) broken, "
    r"in (?P<seconds>[\d.]+) s \((?P<rate>[\d.]+) images/s\)\."
)


@pytest.fixture
def predictor_dirs(settings, tmp_path: Path, demo_pictures_drawn_once: None) -> Path:
    """MEDIA_ROOT and PREDICTOR_DIR of the test's own (and `seed_demo` below taking the demo pictures drawn
    once per test session: tests/conftest.py)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PREDICTOR_DIR = tmp_path / "predictors"
    return tmp_path


def predict(*args: str, head: str = "none", batch_size: int = 8, workers: int = 0, progress: bool = False) -> str:
    """Run predict_aesthetics with the tiny model; its standard output."""
    out = io.StringIO()
    options = [*TINY_CLIP, "--head", head, "--batch-size", str(batch_size), "--workers", str(workers)]
    if not progress:
        options.append("--no-progress")
    call_command("predict_aesthetics", *options, *args, stdout=out)
    return out.getvalue()


def summary(output: str) -> dict[str, float]:
    """The figures of the command's closing line."""
    match = SUMMARY.search(output)
    assert match, output
    return {name: float(value) for name, value in match.groupdict().items()}


def seed_demo(count: int = 12) -> list[Image]:
    """The demo pictures (and the captchas, which are never scored), in id order."""
    call_command("seed_demo", count=count, stdout=io.StringIO())
    return list(Image.objects.filter(dataset__slug="demo").order_by("pk"))


def scores_of(version: PredictorVersion) -> dict[int, float]:
    return dict(AestheticScore.objects.filter(version=version).values_list("image_id", "score"))


def embeddings() -> dict[int, np.ndarray]:
    """The stored embeddings of the tiny model, decoded to float32, by image id."""
    rows = ImageEmbedding.objects.filter(clip_model=TINY_CLIP_KEY).values_list("image_id", "vector")
    return {image_id: np.frombuffer(bytes(vector), dtype=np.float16).astype(np.float32) for image_id, vector in rows}


def forget_scores_and_embeddings() -> None:
    """As before any run, so that the next one computes everything again."""
    AestheticScore.objects.all().delete()
    ImageEmbedding.objects.all().delete()


def other_process_environment(settings) -> dict[str, str]:
    """The environment for `manage.py` in another process, on the test's (PostgreSQL) database and directories,
    with the test's ALLOW_PRIVATE_IMAGE_URLS."""
    database = connection.settings_dict
    login = database["USER"] + (f":{quote(database['PASSWORD'], safe='')}" if database["PASSWORD"] else "")
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": f"postgres://{login}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "PREDICTOR_DIR": str(settings.PREDICTOR_DIR),
        "ALLOW_PRIVATE_IMAGE_URLS": _as_environment(settings.ALLOW_PRIVATE_IMAGE_URLS),
    }


def _as_environment(allow: bool | list[str]) -> str:
    return ("true" if allow else "false") if isinstance(allow, bool) else ",".join(allow)
