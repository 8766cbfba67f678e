# SiteFigures moved to the figures app (its 0001 takes the table over); only the state leaves here.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("moderation", "0002_actions_and_tags"),
        ("figures", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[migrations.DeleteModel(name="SiteFigures")], database_operations=[]),
    ]
