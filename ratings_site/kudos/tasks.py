"""Background jobs of the kudos ledger (run by `python manage.py db_worker`). Arguments are primary keys."""

from __future__ import annotations

from django_tasks import task

from ratings_site.kudos.services import pay_rewards_for


@task()
def pay_rewards(rater_id: int) -> dict:
    result = pay_rewards_for(rater_id)
    return {"paid": result.paid, "lines": result.lines, "status": result.status}
