"""Agreement units outlive their image (no constraint, nothing on delete) and count their ratings per day.

The units kept so far have no `days`, and the stored DailyRatings were counted the old way (by the watermark, twice
for a rating undone and put back): the kept state is forgotten, so that the next run of the agreement job takes in
every rating again from the first, as `refresh_reliability --full` does, and leaves exact figures.
"""

import django.db.models.deletion
from django.db import migrations, models


def forget_kept_figures(apps, schema_editor):
    apps.get_model("reliability", "AgreementUnit").objects.all().delete()
    apps.get_model("reliability", "StaleUnit").objects.all().delete()
    apps.get_model("reliability", "DailyRatings").objects.all().delete()
    # Matrices of the wrong shape are taken as zeros by the job (agreement._normalised); the alphas stay shown
    # until the next run computes them again.
    apps.get_model("reliability", "DatasetAgreement").objects.update(
        rating_coincidences=[], artifacts_coincidences=[], rating_histogram=[], artifacts_histogram=[],
        ratings_per_image=[],
    )
    apps.get_model("reliability", "AgreementProgress").objects.update(last_rating_id=0)


class Migration(migrations.Migration):

    dependencies = [
        ('datasets', '0007_flag_nsfw_queue_entries'),
        ('reliability', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='agreementunit',
            name='days',
            field=models.JSONField(default=dict),
        ),
        migrations.AlterField(
            model_name='agreementunit',
            name='image',
            field=models.OneToOneField(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, primary_key=True, related_name='+', serialize=False, to='datasets.image'),
        ),
        migrations.RunPython(forget_kept_figures, migrations.RunPython.noop),
    ]
