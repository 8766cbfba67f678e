"""Migrating a database from the queue on the image row (0001) keeps every image's place in the queue."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("datasets", "0001_initial")]
AFTER = [("datasets", "0002_queue_entries")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def back_to_the_latest_schema(transactional_db):
    yield
    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


def test_images_in_the_queue_keep_their_priority_and_the_others_get_no_entry(back_to_the_latest_schema):
    old = _migrate(BEFORE)
    Dataset, Image = old.get_model("datasets", "Dataset"), old.get_model("datasets", "Image")
    dataset = Dataset.objects.create(slug="old", name="Old", public=True)

    def image(n, **fields):
        return Image.objects.create(dataset=dataset, url=f"https://example.org/{n}.jpg", dedupe_key=str(n), **fields)

    waiting = image(1, priority=0.75, shuffle=0.5, in_queue=True)
    full = image(2, priority=0.25, in_queue=False, ratings_count=5)

    new = _migrate(AFTER)
    QueueEntry = new.get_model("datasets", "QueueEntry")
    entries = list(QueueEntry.objects.values_list("image_id", "dataset_id", "priority", "shuffle"))
    assert entries == [(waiting.pk, dataset.pk, 0.75, 0.5)]
    assert not QueueEntry.objects.filter(image_id=full.pk).exists()

    back = _migrate(BEFORE)  # and the way back restores the flag and the priority
    restored = back.get_model("datasets", "Image").objects.order_by("pk").values_list("in_queue", "priority")
    assert list(restored) == [(True, 0.75), (False, 0.0)]
