from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from ratings_site.kudos.models import KudosReward
from ratings_site.kudos.payments import flag_stuck_payments, payments_enabled
from ratings_site.kudos.tasks import schedule_payment


class Command(BaseCommand):
    help = (
        "Schedule a payment for every rater with pending kudos (e.g. from cron, as a safety net), and list the "
        "lines stuck in sending that wait for a moderator (they are never sent again by themselves)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        # First, so that cron's mail shows stuck lines even while payments are switched off.
        waiting = flag_stuck_payments()
        if waiting:
            self.stdout.write(
                f"{len(waiting)} {'line waits' if len(waiting) == 1 else 'lines wait'} for a moderator "
                "(check the Horde, then the admin's \"Mark as paid\" or \"Send again\"):"
            )
            for line in waiting:
                self.stdout.write(f"  line {line.pk}: {line.amount} kudos to {line.rater} — {line.last_error}")
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
