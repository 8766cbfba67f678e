"""Background jobs of the kudos ledger (run by `python manage.py db_worker`). Arguments are primary keys.

Imports run one way: the ledger services import this module (to schedule a payment), and this module imports
`payments`, which imports neither.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django_tasks import task

from ratings_site.kudos.payments import pay_rewards_for, payments_enabled


@task(queue_name="default")  # never behind slow work: "copies" and "exports" have workers of their own
def pay_rewards(rater_id: int) -> dict:
    result = pay_rewards_for(rater_id)
    if result.retry_in is not None:
        # The Horde never acted on the call: try again after the back-off.
        schedule_payment(rater_id, delay_seconds=result.retry_in)
    return {"paid": result.paid, "lines": result.lines, "status": result.status}


def schedule_payment(rater_id: int, *, delay_seconds: float = 0) -> None:
    """Enqueue a payment of the rater's pending lines, after `delay_seconds` (nothing while payments are off)."""
    if not payments_enabled():
        return
    job = pay_rewards
    if delay_seconds:
        job = job.using(run_after=timezone.now() + timedelta(seconds=delay_seconds))
    job.enqueue(rater_id)
