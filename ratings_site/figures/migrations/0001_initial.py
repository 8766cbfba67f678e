# SiteFigures moves here from the moderation app: the table, made by moderation's 0001, is taken over as it is
# (state only) and renamed to this app's name.

from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("moderation", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="SiteFigures",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("ratings", models.BigIntegerField(default=0, help_text="Ratings of dataset images (captcha answers are not ratings)")),
                        ("raters", models.BigIntegerField(default=0, help_text="Raters who have rated at least one image.")),
                        ("images", models.BigIntegerField(default=0, help_text="Images in the public datasets (not captchas, not hidden).")),
                        ("kudos_paid", models.BigIntegerField(default=0, help_text="Kudos paid to raters on the Horde.")),
                        ("computed_at", models.DateTimeField(blank=True, help_text="When these figures were counted.", null=True)),
                        ("refresh_requested_at", models.DateTimeField(blank=True, help_text="When a page last asked for a recount (at most one per FIGURES_MAX_AGE).", null=True)),
                    ],
                    options={
                        "verbose_name_plural": "site figures",
                        "db_table": "moderation_sitefigures",
                        "constraints": [models.CheckConstraint(condition=models.Q(("id", 1)), name="site_figures_single_row")],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.AlterModelTable(name="sitefigures", table=None),
    ]
