"""An index on the images' file names, for the rendition view's "is this an image's file?" lookup.

Partial: URL images (an empty `file`) stay out of it.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("datasets", "0002_queue_entries"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="image",
            index=models.Index(condition=~models.Q(file=""), fields=["file"], name="image_file"),
        ),
    ]
