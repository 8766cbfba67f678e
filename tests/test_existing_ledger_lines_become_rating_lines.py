"""Migrating the ledger to lines of any kind keeps every existing line a rating line, with its once-per-image
rule, and the other kinds then live beside them."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from ratings_site.ratings.models import Rating

BEFORE = [("kudos", "0005_reward_sending_since")]
AFTER = [("kudos", "0006_ledger_lines_for_any_kind")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_existing_lines_become_rating_lines(make_images, django_user_model):
    old_apps = _migrate(BEFORE)
    try:
        rater = django_user_model.objects.create_user("DemoRater#1001", horde_id=1001)
        images = make_images(2)
        ratings = [Rating.objects.create(rater=rater, image=image, rating=7) for image in images]
        OldReward = old_apps.get_model("kudos", "KudosReward")
        for rating, status in zip(ratings, ["paid", "pending"]):
            OldReward.objects.create(
                rater_id=rater.pk, rating_id=rating.pk, image_id=rating.image_id, amount=5, status=status
            )

        new_apps = _migrate(AFTER)

        Reward = new_apps.get_model("kudos", "KudosReward")
        assert sorted(Reward.objects.values_list("kind", "subject", "status")) == [
            ("rating", "", "paid"),
            ("rating", "", "pending"),
        ]
        with pytest.raises(IntegrityError), transaction.atomic():  # still once per rater and image
            Reward.objects.create(rater_id=rater.pk, image_id=images[0].pk, amount=5, kind="rating")
        Reward.objects.create(rater_id=rater.pk, amount=5, kind="best_pick", subject="group-a")
        with pytest.raises(IntegrityError), transaction.atomic():  # the other kinds: once per subject
            Reward.objects.create(rater_id=rater.pk, amount=5, kind="best_pick", subject="group-a")
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
