"""import_dataset refuses image URLs whose host is an internal address written out (127.0.0.1 and its
other spellings, [::1], 0.0.0.0, 169.254.169.254, 10.x) or localhost, saying where, and imports
nothing. No DNS is asked at import (millions of rows; the answer may change before the fetch):
names are checked when the predictor fetches them. ALLOW_PRIVATE_IMAGE_URLS lets them in."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from ratings_site.datasets.models import Image

pytestmark = pytest.mark.django_db

INTERNAL = [
    "http://127.0.0.1:5432/",
    "http://127.1/a.png",
    "http://2130706433/a.png",
    "http://localhost:8000/a.png",
    "http://[::1]/a.png",
    "http://0.0.0.0/a.png",
    "http://169.254.169.254/latest/meta-data/",
    "https://10.0.0.7/a.png",
]


def run_import(source: Path) -> str:
    out = io.StringIO()
    call_command("import_dataset", "Probe", str(source), "--no-progress", stdout=out, stderr=io.StringIO())
    return out.getvalue()


def csv_with(tmp_path: Path, url: str) -> Path:
    path = tmp_path / "images.csv"
    path.write_text(f"url,caption\nhttps://img.example.org/1.jpg,fine\n{url},inside\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("url", INTERNAL)
def test_an_internal_address_is_refused_saying_where(tmp_path: Path, url: str) -> None:
    with pytest.raises(CommandError, match=r"line 3: .* is refused: .*(loopback|link-local|unspecified|private)"):
        run_import(csv_with(tmp_path, url))
    assert not Image.objects.exists()


def test_a_name_is_not_resolved_at_import(tmp_path: Path) -> None:
    run_import(csv_with(tmp_path, "https://images.internal.example/a.png"))
    assert Image.objects.count() == 2


def test_allow_private_image_urls_lets_them_in(tmp_path: Path, settings) -> None:
    settings.ALLOW_PRIVATE_IMAGE_URLS = True
    run_import(csv_with(tmp_path, "http://127.0.0.1:8000/media/a.png"))
    assert Image.objects.filter(url="http://127.0.0.1:8000/media/a.png").exists()
