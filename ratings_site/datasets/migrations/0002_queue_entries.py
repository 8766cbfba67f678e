"""The queue moves from the image row to a narrow table of its own (QueueEntry).

Images in the queue get an entry with the priority and tie-breaker they had; then the
image row loses `in_queue`, `priority` and the two partial queue indexes.
"""

import django.db.models.deletion
from django.db import migrations, models

import ratings_site.datasets.models

COPY_QUEUE = (
    "INSERT INTO datasets_queueentry (image_id, dataset_id, priority, shuffle) "
    "SELECT id, dataset_id, priority, shuffle FROM datasets_image WHERE in_queue"
)
COPY_BACK = (
    "UPDATE datasets_image SET in_queue = EXISTS (SELECT 1 FROM datasets_queueentry q WHERE q.image_id = datasets_image.id), "
    "priority = COALESCE((SELECT q.priority FROM datasets_queueentry q WHERE q.image_id = datasets_image.id), 0)"
)


class Migration(migrations.Migration):
    dependencies = [
        ("datasets", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="QueueEntry",
            fields=[
                (
                    "image",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="queue_entry",
                        serialize=False,
                        to="datasets.image",
                    ),
                ),
                (
                    "dataset",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="datasets.dataset",
                    ),
                ),
                ("priority", models.FloatField(default=0.0, help_text="Higher is rated sooner; set by the predictor.")),
                (
                    "shuffle",
                    models.FloatField(
                        default=ratings_site.datasets.models._shuffle,
                        help_text="A random tie-breaker among equal priorities.",
                    ),
                ),
            ],
            options={
                "verbose_name_plural": "queue entries",
            },
        ),
        migrations.RunSQL(COPY_QUEUE, reverse_sql=COPY_BACK),
        migrations.AddIndex(
            model_name="queueentry",
            index=models.Index(
                models.F("dataset"),
                models.OrderBy(models.F("priority"), descending=True),
                models.F("shuffle"),
                name="queue_by_dataset",
            ),
        ),
        migrations.AddIndex(
            model_name="queueentry",
            index=models.Index(
                models.OrderBy(models.F("priority"), descending=True), models.F("shuffle"), name="queue_order"
            ),
        ),
        migrations.RemoveIndex(model_name="image", name="image_queue_by_dataset"),
        migrations.RemoveIndex(model_name="image", name="image_queue"),
        migrations.RemoveField(model_name="image", name="in_queue"),
        migrations.RemoveField(model_name="image", name="priority"),
        migrations.AlterField(
            model_name="image",
            name="shuffle",
            field=models.FloatField(
                default=ratings_site.datasets.models._shuffle, help_text="A random order among captcha images."
            ),
        ),
    ]
