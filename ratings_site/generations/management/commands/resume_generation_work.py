"""A safety net for cron: enqueue again the generation work that our own rows say is still to do."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.management.base import BaseCommand

from ratings_site.background import enqueue_after_commit
from ratings_site.generations import copies, services, tasks
from ratings_site.generations.models import GenerationImage, GenerationSet


def _not_enqueued_lately(kind: str, set_id: int, *, version: int, seconds: float) -> bool:
    """True at most once per `seconds` for this set's work at this `version` (its tries so far), whatever process
    asks: so that cron, run every few minutes, does not pile up a task per run while one waits for its back-off.
    The cache may forget early; then the work is enqueued once more, which is harmless (see the command's help)."""
    return cache.add(f"generations:resumed:{kind}:{set_id}:{version}", True, timeout=max(int(seconds), 60))


class Command(BaseCommand):
    help = (
        "Enqueue again what a lost task or a web process that died mid-send left behind, as our own rows tell it "
        "(never the task engine's): ratings of generation sets still pending for the Horde, and generation images "
        "still waiting for their copy. Enqueued twice, the work is done once: a send is claimed once (never sent "
        "twice), and a copy is written only while its image is waiting. A set is enqueued again at most once per "
        "back-off of its own, however often cron runs this."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        pending = GenerationSet.objects.filter(
            submission=GenerationSet.Submission.PENDING,
            submission_attempts__lt=settings.GENERATION_SUBMIT_MAX_ATTEMPTS,
        ).values_list("pk", "submission_attempts")
        sends = 0
        for set_id, attempts in pending.iterator():
            # The set's own back-off: a retry the worker holds falls due within it; past it, the retry was lost.
            if _not_enqueued_lately("send", set_id, version=attempts, seconds=services.retry_delay(attempts)):
                enqueue_after_commit(tasks.send_pending_set, set_id)
                sends += 1

        waiting = (
            GenerationImage.objects.filter(copy_state=GenerationImage.CopyState.WAITING)
            .exclude(url="")
            .order_by("generation_set_id")
            .values_list("generation_set_id", flat=True)
            .distinct()
        )
        sets_to_copy = 0
        for set_id in waiting.iterator():
            # A copy's retries wait at most RETRY_AT_MOST_SECONDS: past that, nothing is waiting to copy them.
            if _not_enqueued_lately("copies", set_id, version=0, seconds=copies.RETRY_AT_MOST_SECONDS):
                enqueue_after_commit(copies.copy_generation_images, set_id)
                sets_to_copy += 1
        self.stdout.write(
            f"Scheduled {sends} pending set rating{'s' if sends != 1 else ''} for the Horde and the copies of "
            f"{sets_to_copy} set{'s' if sets_to_copy != 1 else ''}."
        )
