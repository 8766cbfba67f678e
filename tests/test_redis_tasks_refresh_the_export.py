"""On Redis (django-tasks-rq), the download listing's request for a fresh export goes to the queue "exports", whose
worker writes the open dataset's files; the payments' worker ("default") never runs it."""

import json

import pytest

from ratings_site.exports.tasks import request_refresh
from tests.export_helpers import make_dataset_images, make_rater, rate_all
from tests.redis_helpers import (
    needs_redis,
    run_rq_worker,
    waiting_in,
)

pytestmark = [needs_redis, pytest.mark.django_db(transaction=True)]


def test_the_exports_worker_writes_the_export(rq_tasks, tmp_path, settings):
    settings.EXPORT_DIR = tmp_path
    rate_all(make_rater(), make_dataset_images(3))

    assert request_refresh() is True
    assert request_refresh() is False  # once per interval, whoever asks
    assert (waiting_in("exports"), waiting_in("default")) == (1, 0)
    run_rq_worker(queue="default")
    assert not (tmp_path / "manifest.json").exists()

    run_rq_worker(queue="exports")

    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["files"], manifest
    assert waiting_in("exports") == 0
