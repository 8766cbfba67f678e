"""Only names the manifest lists are served: an unknown name, a temporary or lock file in EXPORT_DIR, a path
traversal attempt, or a listed file gone missing answer 404 JSON, never a file and never a 500."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.export_helpers import export

pytestmark = pytest.mark.django_db


@pytest.fixture
def exported(tmp_path, settings):
    settings.EXPORT_DIR = tmp_path
    export(tmp_path)
    (tmp_path / "secret.txt").write_text("not listed")
    return tmp_path


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/download/unknown.parquet",
        "/api/v1/download/secret.txt",
        "/api/v1/download/manifest.json",
        "/api/v1/download/.export.lock",
        "/api/v1/download/..%2Fsettings.py",
        "/api/v1/download/..%2F..%2Fetc%2Fpasswd",
        "/api/v1/download/%2Fetc%2Fpasswd",
        "/api/v1/download/increments%2Fratings.parquet",
    ],
)
def test_an_unlisted_name_is_404_json(exported, path):
    response = Client().get(path)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["message"]


def test_a_listed_file_gone_missing_is_404(exported):
    (exported / "pairs.parquet").unlink()

    response = Client().get("/api/v1/download/pairs.parquet")

    assert response.status_code == 404 and response.json()["message"]


def test_a_broken_manifest_is_no_export(exported):
    (exported / "manifest.json").write_text("{not json")

    assert Client().get("/api/v1/download/ratings.parquet").status_code == 404
    assert Client().get("/api/v1/download/").json()["files"] == []
