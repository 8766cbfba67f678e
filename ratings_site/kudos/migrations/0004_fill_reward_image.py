"""Fill `KudosReward.image` from each line's rating (its own migration: on PostgreSQL, rows updated
under deferred foreign-key checks can't share a transaction with the index creation of 0003)."""

from django.db import migrations
from django.db.models import OuterRef, Subquery


def fill_image(apps, schema_editor):
    KudosReward = apps.get_model("kudos", "KudosReward")
    Rating = apps.get_model("ratings", "Rating")
    # One statement, however many lines.
    KudosReward.objects.filter(rating__isnull=False, image__isnull=True).update(
        image_id=Subquery(Rating.objects.filter(pk=OuterRef("rating_id")).values("image_id")[:1])
    )


class Migration(migrations.Migration):
    dependencies = [
        ("kudos", "0003_reward_image"),
        ("ratings", "0001_initial"),
    ]

    operations = [migrations.RunPython(fill_image, migrations.RunPython.noop, elidable=True)]
