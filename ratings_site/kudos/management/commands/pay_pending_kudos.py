from django.core.management.base import BaseCommand, CommandError

from ratings_site.kudos.models import KudosReward
from ratings_site.kudos.services import payments_enabled, schedule_payment


class Command(BaseCommand):
    help = "Schedule a payment for every rater with pending kudos (e.g. from cron, as a safety net)."

    def handle(self, *args, **options):
        if not payments_enabled():
            raise CommandError("HORDE_SERVICE_API_KEY is not set: payments are switched off.")
        rater_ids = (
            KudosReward.objects.filter(status=KudosReward.Status.PENDING).values_list("rater_id", flat=True).distinct()
        )
        count = 0
        for rater_id in rater_ids.iterator():
            schedule_payment(rater_id)
            count += 1
        self.stdout.write(f"Scheduled payments for {count} raters.")
