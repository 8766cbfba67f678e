"""Background jobs of generation sets (run by the task worker). Arguments are primary keys.

`send_pending_set` retries the forward of a rated set to the Horde's `generate/rate` after the Horde was down
or did not answer, with the site's one back-off (`services.retry_delay`, on GENERATION_SUBMIT_RETRY_BASE_SECONDS),
as kudos payments are. The rules of the send itself (claimed once, never sent again once the Horde may have
accepted) live in `services.send_set_rating`.

Imports run one way: this module imports the services; the services enqueue this task by its path
(`services.SEND_TASK`) through the site's task layer (`ratings_site.background`).
"""

from __future__ import annotations

from django.conf import settings
from django_tasks import task

from ratings_site.background import enqueue_after_commit
from ratings_site.generations.models import GenerationSet
from ratings_site.generations.services import SENDING_STALE_AFTER, send_set_rating


@task(queue_name="default")  # never behind slow work: "copies" and "exports" have workers of their own
def send_pending_set(generation_set_id: int) -> dict:
    result = send_set_rating(generation_set_id)
    if result.state == "busy":
        # Another worker (or the page) holds the send: look again once its claim would have gone stale.
        enqueue_after_commit(send_pending_set, generation_set_id, delay_seconds=SENDING_STALE_AFTER.total_seconds())
    elif result.state == GenerationSet.Submission.PENDING and result.retry_in is not None:
        attempts = result.generation_set.submission_attempts
        if attempts < settings.GENERATION_SUBMIT_MAX_ATTEMPTS:
            enqueue_after_commit(send_pending_set, generation_set_id, delay_seconds=result.retry_in)
        else:
            GenerationSet.objects.filter(pk=generation_set_id, submission=GenerationSet.Submission.PENDING).update(
                submission_error=f"Gave up after {attempts} attempts: {result.message}"[:300]
            )
    return {"state": result.state, "reward": result.reward, "message": result.message}
