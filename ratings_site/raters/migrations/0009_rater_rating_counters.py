"""The header's counters on the rater's row (issue 24): added, then filled from the ratings and passed checks stored,
a thousand raters at a time (one grouped count per table and batch, one bulk update), so that a large site migrates in
bounded steps."""

from django.db import migrations, models
from django.db.models import Count, Q
from django.utils import timezone

BATCH = 1000


def fill_counters(apps, schema_editor):
    Rater = apps.get_model("raters", "Rater")
    Rating = apps.get_model("ratings", "Rating")
    CaptchaAnswer = apps.get_model("ratings", "CaptchaAnswer")
    day = timezone.localdate()
    start_of_day = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    last = 0
    while True:
        ids = list(Rater.objects.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:BATCH])
        if not ids:
            return
        last = ids[-1]
        totals = {pk: [0, 0] for pk in ids}
        for rows in (
            Rating.objects.filter(rater_id__in=ids),
            CaptchaAnswer.objects.filter(rater_id__in=ids, passed=True),
        ):
            grouped = (
                rows.order_by()
                .values("rater_id")
                .annotate(total=Count("pk"), today=Count("pk", filter=Q(created_at__gte=start_of_day)))
            )
            for row in grouped:
                totals[row["rater_id"]][0] += row["total"]
                totals[row["rater_id"]][1] += row["today"]
        raters = [
            Rater(pk=pk, ratings_total=total, ratings_today=today, ratings_day=day)
            for pk, (total, today) in totals.items()
            if total
        ]
        Rater.objects.bulk_update(raters, ["ratings_total", "ratings_today", "ratings_day"])


class Migration(migrations.Migration):
    dependencies = [
        ("raters", "0008_nsfw_preference_top_raters"),
        ("ratings", "0007_rater_tags"),
    ]

    operations = [
        migrations.AddField(
            model_name="rater",
            name="ratings_total",
            field=models.PositiveIntegerField(default=0, help_text="The rater's ratings and passed checks, in all."),
        ),
        migrations.AddField(
            model_name="rater",
            name="ratings_today",
            field=models.PositiveIntegerField(
                default=0, help_text="Their ratings and passed checks on `ratings_day` (0 on any other day)."
            ),
        ),
        migrations.AddField(
            model_name="rater",
            name="ratings_day",
            field=models.DateField(blank=True, null=True, help_text="The local day `ratings_today` counts."),
        ),
        migrations.RunPython(fill_counters, migrations.RunPython.noop, elidable=True),
    ]
