"""A safety net for cron: re-enqueue the generation work that nothing is waiting to do any more."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from ratings_site.generations import copies, tasks
from ratings_site.generations.models import GenerationImage, GenerationSet


def _queued_for(task: Any) -> set[int]:
    """The set ids that a task waiting in the queue (ready or running) will already handle."""
    rows = DBTaskResult.objects.filter(
        task_path=task.module_path, status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING]
    ).values_list("args_kwargs", flat=True)
    return {row["args"][0] for row in rows if row.get("args")}


class Command(BaseCommand):
    help = (
        "Re-enqueue what a lost task or a web process that died mid-send left behind: ratings of generation "
        "sets still waiting to reach the Horde, and generation images still waiting for their copy. Sets and "
        "images that a queued task already covers are left alone; a send is claimed once, so nothing is sent "
        "twice."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        queued_sends = _queued_for(tasks.send_pending_set)
        pending = (
            GenerationSet.objects.filter(
                submission=GenerationSet.Submission.PENDING,
                submission_attempts__lt=settings.GENERATION_SUBMIT_MAX_ATTEMPTS,
            )
            .exclude(pk__in=queued_sends)
            .values_list("pk", flat=True)
        )
        sends = 0
        for set_id in pending.iterator():
            tasks.schedule_submission(set_id)
            sends += 1

        queued_copies = _queued_for(copies.copy_generation_images)
        waiting = (
            GenerationImage.objects.filter(copy_state=GenerationImage.CopyState.WAITING)
            .exclude(url="")
            .exclude(generation_set_id__in=queued_copies)
            .order_by("generation_set_id")
            .values_list("generation_set_id", flat=True)
            .distinct()
        )
        sets_to_copy = 0
        for set_id in waiting.iterator():
            copies.copy_generation_images.enqueue(set_id)
            sets_to_copy += 1
        self.stdout.write(
            f"Scheduled {sends} pending set rating{'s' if sends != 1 else ''} for the Horde and the copies of "
            f"{sets_to_copy} set{'s' if sets_to_copy != 1 else ''}."
        )
