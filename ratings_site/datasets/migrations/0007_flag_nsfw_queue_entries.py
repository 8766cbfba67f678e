"""Flag the queue entries of the images already there that a rater hiding NSFW images must not see.

The condition as `datasets.services.queue_nsfw_condition` wrote it when this migration was made (a migration keeps
its own copy: the rule may change, this step must not). `tag_counts` came empty with 0006, so in practice this flags
the LAION images whose punsafe is NSFW_HIDE_PUNSAFE or more; `manage.py refresh_queue` applies the rule as it is now.
"""

from django.conf import settings
from django.db import migrations
from django.db.models import Q


def flag_nsfw_entries(apps, schema_editor):
    Image = apps.get_model("datasets", "Image")
    QueueEntry = apps.get_model("datasets", "QueueEntry")
    nsfw = Image.objects.filter(
        Q(tag_counts__nsfw__gte=settings.NSFW_HIDE_TAGS)
        | Q(source__punsafe__gte=settings.NSFW_HIDE_PUNSAFE, source__punsafe__lte=1)
    )
    QueueEntry.objects.filter(nsfw=False, image__in=nsfw.values("pk")).update(nsfw=True)


class Migration(migrations.Migration):
    dependencies = [
        ("datasets", "0006_tag_counts_sfw_queue"),
    ]

    # Going back leaves the flags: 0006's way back drops the column.
    operations = [migrations.RunPython(flag_nsfw_entries, migrations.RunPython.noop, elidable=True)]
