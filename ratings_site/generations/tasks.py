"""Background jobs of generation sets (run by `python manage.py db_worker`). Arguments are primary keys.

`send_pending_set` retries the forward of a rated set to the Horde's `generate/rate` after the Horde was down
or did not answer, with exponential back-off (GENERATION_SUBMIT_RETRY_BASE_SECONDS), as kudos payments are.
The rules of the send itself (claimed once, never sent again once the Horde may have accepted) live in
`services.send_set_rating`.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from ratings_site.generations.models import GenerationSet


@task(queue_name="default")  # never behind slow work: "copies" and "exports" have workers of their own
def send_pending_set(generation_set_id: int) -> dict:
    # services schedule this task: imported late, so that the two modules never import each other at load.
    from ratings_site.generations.services import SENDING_STALE_AFTER, send_set_rating

    result = send_set_rating(generation_set_id)
    if result.state == "busy":
        # Another worker (or the page) holds the send: look again once its claim would have gone stale.
        schedule_submission(generation_set_id, delay_seconds=SENDING_STALE_AFTER.total_seconds())
    elif result.state == GenerationSet.Submission.PENDING and result.retry_in is not None:
        attempts = result.generation_set.submission_attempts
        if attempts < settings.GENERATION_SUBMIT_MAX_ATTEMPTS:
            schedule_submission(generation_set_id, delay_seconds=result.retry_in)
        else:
            GenerationSet.objects.filter(pk=generation_set_id, submission=GenerationSet.Submission.PENDING).update(
                submission_error=f"Gave up after {attempts} attempts: {result.message}"[:300]
            )
    return {"state": result.state, "reward": result.reward, "message": result.message}


def schedule_submission(generation_set_id: int, *, delay_seconds: float = 0) -> None:
    """Enqueue a send of the set's pending rating after `delay_seconds`."""
    job = send_pending_set
    if delay_seconds:
        job = job.using(run_after=timezone.now() + timedelta(seconds=delay_seconds))
    job.enqueue(generation_set_id)
