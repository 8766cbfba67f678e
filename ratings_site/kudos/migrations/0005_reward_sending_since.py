from django.db import migrations, models


class Migration(migrations.Migration):
    """Ledger lines record when their payment call started, so a line stuck in `sending` can be told apart
    from one whose call is still under way. Lines already sending keep null: their start is unknown, and
    they wait for a moderator (KudosReward.waiting_for_moderator)."""

    dependencies = [
        ("kudos", "0004_fill_reward_image"),
    ]

    operations = [
        migrations.AddField(
            model_name="kudosreward",
            name="sending_since",
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]
