"""Background jobs of the kudos ledger (run by the task worker). Arguments are primary keys.

Imports run one way: the ledger services import this module (to schedule a payment), and this module imports
`payments`, which imports neither. Scheduling goes through the site's one task layer (`ratings_site.background`).
"""

from __future__ import annotations

from django_tasks import task

from ratings_site.background import enqueue_after_commit
from ratings_site.kudos.payments import pay_rewards_for, payments_enabled


@task(queue_name="default")  # never behind slow work: "copies" and "exports" have workers of their own
def pay_rewards(rater_id: int) -> dict:
    result = pay_rewards_for(rater_id)
    if result.retry_in is not None:
        # The Horde never acted on the call: try again after the back-off.
        schedule_payment(rater_id, delay_seconds=result.retry_in)
    return {"paid": result.paid, "lines": result.lines, "status": result.status}


def schedule_payment(rater_id: int, *, delay_seconds: float = 0) -> None:
    """Pay the rater's pending lines once the caller's transaction commits, after `delay_seconds` (nothing while
    payments are off). A payment enqueued twice pays once: each takes only the lines still pending."""
    if payments_enabled():
        enqueue_after_commit(pay_rewards, rater_id, delay_seconds=delay_seconds)
