"""The `refresh_export` task writes the export into EXPORT_DIR unless one younger than EXPORT_MIN_INTERVAL_SECONDS
is there; the download listing enqueues it when the export is missing or stale, once however many requests come,
and never builds it itself."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from ratings_site.exports.tasks import refresh_export
from tests.export_helpers import export, make_dataset_images, make_rater, rate_all
from tests.helpers import run_worker

pytestmark = pytest.mark.django_db(transaction=True)

REFRESH_TASK = "ratings_site.exports.tasks.refresh_export"


def _enqueued() -> int:
    return DBTaskResult.objects.filter(task_path=REFRESH_TASK).count()


def _age_the_export(directory, by: timedelta) -> None:
    path = directory / "manifest.json"
    manifest = json.loads(path.read_text())
    manifest["created_at"] = (timezone.now() - by).isoformat()
    path.write_text(json.dumps(manifest))


@pytest.fixture
def export_dir(tmp_path, settings):
    settings.EXPORT_DIR = tmp_path
    settings.EXPORT_MIN_INTERVAL_SECONDS = 3600
    return tmp_path


def test_the_task_skips_when_the_export_is_recent(export_dir):
    export(export_dir)
    before = (export_dir / "manifest.json").read_text()
    rate_all(make_rater(), make_dataset_images(2))

    result = refresh_export.call()

    assert result == {"skipped": True}
    assert (export_dir / "manifest.json").read_text() == before


def test_the_task_exports_when_the_export_is_older_than_the_interval(export_dir):
    export(export_dir)
    _age_the_export(export_dir, timedelta(seconds=3601))
    rate_all(make_rater(), make_dataset_images(2))

    result = refresh_export.call()

    assert result["skipped"] is False and result["rows"]["ratings.parquet"] == 2


def test_the_listing_enqueues_one_refresh_and_the_worker_builds_it(export_dir):
    rate_all(make_rater(), make_dataset_images(3))

    for _ in range(3):
        assert Client().get("/api/v1/download/").json()["files"] == []
    assert _enqueued() == 1
    assert not (export_dir / "manifest.json").exists()  # the request built nothing

    run_worker()

    listed = Client().get("/api/v1/download/").json()["files"]
    assert {entry["name"]: entry["rows"] for entry in listed}["ratings.parquet"] == 3
    assert _enqueued() == 1  # a fresh export asks for nothing


def test_a_recent_export_enqueues_nothing(export_dir):
    export(export_dir)

    Client().get("/api/v1/download/")

    assert _enqueued() == 0
