import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """Ledger lines name the image they reward, so that a line can outlive an undone rating."""

    dependencies = [
        ("datasets", "0002_queue_entries"),
        ("kudos", "0002_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="kudosreward",
            name="image",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="datasets.image",
            ),
        ),
        # Existing lines cannot break it: until now a line had one rating, and a rater one rating per image.
        migrations.AddConstraint(
            model_name="kudosreward",
            constraint=models.UniqueConstraint(
                condition=models.Q(("image__isnull", False)),
                fields=("rater", "image"),
                name="reward_once_per_rater_image",
            ),
        ),
    ]
