"""Migrating a database whose queue predates the NSFW preference flags the entries of the images a rater hiding NSFW
images must not see (datasets 0007), and no other."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("datasets", "0006_tag_counts_sfw_queue")]
AFTER = [("datasets", "0007_flag_nsfw_queue_entries")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def back_to_the_latest_schema(transactional_db):
    yield
    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


def test_entries_of_high_punsafe_or_tagged_images_are_flagged(back_to_the_latest_schema, settings):
    settings.NSFW_HIDE_TAGS, settings.NSFW_HIDE_PUNSAFE = 2, 0.2
    old = _migrate(BEFORE)
    Dataset, Image = old.get_model("datasets", "Dataset"), old.get_model("datasets", "Image")
    QueueEntry = old.get_model("datasets", "QueueEntry")
    dataset = Dataset.objects.create(slug="laion", name="LAION", public=True)

    def queued(n, **fields):
        image = Image.objects.create(dataset=dataset, url=f"https://example.org/{n}.jpg", dedupe_key=str(n), **fields)
        QueueEntry.objects.create(image=image, dataset=dataset, priority=0.5, shuffle=0.5)
        return image.pk

    unsafe = queued(1, source={"punsafe": 0.31})
    tagged = queued(2, tag_counts={"nsfw": 2})
    queued(3, source={"punsafe": 0.05})
    queued(4, tag_counts={"nsfw": 1})
    queued(5)

    new = _migrate(AFTER)

    flagged = new.get_model("datasets", "QueueEntry").objects.filter(nsfw=True).values_list("image_id", flat=True)
    assert sorted(flagged) == [unsafe, tagged]
