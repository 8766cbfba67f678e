"""Small helpers the tests share: rating through the real page, running the real task worker, reading the queue."""

from __future__ import annotations

import io
import signal
from datetime import timedelta

from django.core.management import call_command
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from ratings_site.datasets.models import QueueEntry
from tests.conftest import csrf_token


def rate_via_page(client, image, rating: int = 7):
    """POST a rating through the rating form (no htmx): it must succeed with the form's redirect."""
    response = client.post(
        f"/images/{image.public_id}/rate/", {"rating": str(rating), "csrfmiddlewaretoken": csrf_token(client)}
    )
    assert response.status_code == 302, response.content.decode()[:500]
    return response


def run_worker() -> None:
    """`manage.py db_worker --batch`: runs every task that is due, then exits."""
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    try:
        call_command("db_worker", batch=True, startup_delay=False, interval=0, reload=False, verbosity=0, stdout=io.StringIO())
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)


def let_deferred_tasks_fall_due() -> None:
    """Time passes: every waiting task (a batch window, a retry back-off) is due now."""
    DBTaskResult.objects.filter(status=TaskResultStatus.READY).update(run_after=timezone.now() - timedelta(seconds=1))


def run_due_payment() -> None:
    let_deferred_tasks_fall_due()
    run_worker()


def in_queue(image) -> bool:
    """Whether the image is in the queue now (has a queue entry), read from the database."""
    return QueueEntry.objects.filter(image_id=image.pk).exists()


def priority_of(image) -> float | None:
    """The image's queue priority now; None when it is out of the queue."""
    return QueueEntry.objects.filter(image_id=image.pk).values_list("priority", flat=True).first()
