"""Migrating a ledger from before lines named their image (kudos 0002) gives every line its rating's image."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = ("kudos", "0002_initial")


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor


@pytest.fixture
def back_to_the_latest_schema(transactional_db):
    yield
    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


def test_each_line_gets_its_ratings_image_and_a_line_without_a_rating_gets_none(back_to_the_latest_schema):
    executor = _migrate([BEFORE])
    # Every other app as it is now, the ledger as it was.
    nodes = [node for node in executor.loader.graph.leaf_nodes() if node[0] != "kudos"] + [BEFORE]
    old = executor.loader.project_state(nodes).apps
    Rater = old.get_model("raters", "Rater")
    Dataset, Image = old.get_model("datasets", "Dataset"), old.get_model("datasets", "Image")
    Rating, KudosReward = old.get_model("ratings", "Rating"), old.get_model("kudos", "KudosReward")
    rater = Rater.objects.create(username="DemoRater#1001")
    dataset = Dataset.objects.create(slug="old", name="Old")
    first = Image.objects.create(dataset=dataset, url="https://example.org/1.jpg", dedupe_key="1")
    second = Image.objects.create(dataset=dataset, url="https://example.org/2.jpg", dedupe_key="2")
    first_rating = Rating.objects.create(rater=rater, image=first, rating=7)
    second_rating = Rating.objects.create(rater=rater, image=second, rating=3)
    rated_first = KudosReward.objects.create(rater=rater, rating=first_rating, amount=5)
    rated_second = KudosReward.objects.create(rater=rater, rating=second_rating, amount=5)
    detached = KudosReward.objects.create(rater=rater, amount=5, rating=None)

    executor = _migrate(executor.loader.graph.leaf_nodes())

    new = executor.loader.project_state(executor.loader.graph.leaf_nodes()).apps.get_model("kudos", "KudosReward")
    images = dict(new.objects.values_list("pk", "image_id"))
    assert images == {rated_first.pk: first.pk, rated_second.pk: second.pk, detached.pk: None}
