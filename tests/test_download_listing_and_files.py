"""GET /api/v1/download/ lists the last export's files from its manifest; GET /api/v1/download/<name> streams a
listed file as an attachment with ETag (its sha256) and Last-Modified, and answers 304 to a client that has it."""

from __future__ import annotations

import hashlib
import json

import pytest
from django.test import Client
from django.utils.http import http_date

from tests.export_helpers import export, make_dataset_images, make_rater, rate_all

pytestmark = pytest.mark.django_db


@pytest.fixture
def exported(tmp_path, settings):
    settings.EXPORT_DIR = tmp_path
    rate_all(make_rater(), make_dataset_images(5))
    export(tmp_path)
    return json.loads((tmp_path / "manifest.json").read_text())


def test_the_listing_lists_every_file_of_the_manifest(exported):
    response = Client().get("/api/v1/download/")

    assert response.status_code == 200
    body = response.json()
    assert body["licence"] == "CC-BY-SA-4.0"
    assert body["created_at"] == exported["created_at"]
    listed = {entry["name"]: entry for entry in body["files"]}
    assert set(listed) == {
        "ratings.parquet", "generations.parquet", "pairs.parquet", "diffusiondb_export.parquet", "README.md"
    }
    ratings = listed["ratings.parquet"]
    assert ratings["url"] == "http://testserver/api/v1/download/ratings.parquet"
    assert ratings["rows"] == 5
    assert set(ratings) == {"name", "url", "size", "sha256", "rows", "created_at"}


def test_the_listing_without_an_export_is_empty_with_a_message(tmp_path, settings):
    settings.EXPORT_DIR = tmp_path / "nothing-yet"

    response = Client().get("/api/v1/download/")

    assert response.status_code == 200
    assert response.json()["files"] == []
    assert response.json()["message"]


def test_a_file_is_streamed_as_an_attachment_with_its_etag(exported, tmp_path):
    response = Client().get("/api/v1/download/ratings.parquet")

    assert response.status_code == 200
    data = b"".join(response.streaming_content)
    assert data == (tmp_path / "ratings.parquet").read_bytes()
    assert response["ETag"] == f'"{hashlib.sha256(data).hexdigest()}"'
    assert response["Content-Type"] == "application/vnd.apache.parquet"
    assert response["Content-Disposition"] == 'attachment; filename="ratings.parquet"'
    assert response["Last-Modified"]


def test_the_card_is_served_as_markdown(exported):
    response = Client().get("/api/v1/download/README.md")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/markdown")
    assert b"CC-BY-SA-4.0" in b"".join(response.streaming_content)


def test_a_client_that_has_the_file_gets_304(exported):
    first = Client().get("/api/v1/download/pairs.parquet")

    by_etag = Client().get("/api/v1/download/pairs.parquet", headers={"If-None-Match": first["ETag"]})
    by_date = Client().get("/api/v1/download/pairs.parquet", headers={"If-Modified-Since": first["Last-Modified"]})
    stale = Client().get("/api/v1/download/pairs.parquet", headers={"If-None-Match": '"something-else"'})
    older = Client().get("/api/v1/download/pairs.parquet", headers={"If-Modified-Since": http_date(0)})

    assert by_etag.status_code == 304 and by_etag["ETag"] == first["ETag"]
    assert by_date.status_code == 304 and by_date["Last-Modified"] == first["Last-Modified"]
    assert stale.status_code == 200
    assert older.status_code == 200


def test_head_answers_without_a_body_and_other_methods_405(exported):
    assert Client().head("/api/v1/download/ratings.parquet").status_code == 200
    refused = Client().post("/api/v1/download/ratings.parquet")
    assert refused.status_code == 405 and refused.json()["message"]
    assert Client().delete("/api/v1/download/").status_code == 405
