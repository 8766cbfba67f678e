"""Small helpers the tests share: rating through the real page, running the real task worker, reading the queue."""

from __future__ import annotations

import io
import re
import signal
from datetime import timedelta

from django.core.management import call_command
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from ratings_site.datasets.models import Image, QueueEntry
from ratings_site.ratings.models import Rating
from tests.conftest import csrf_token

# The card's signed upcoming image (ratings.cards): the token, and the image id it names for its rater.
UPCOMING = re.compile(r'name="upcoming" value="([^"]*)"')


def upcoming_id(html: str, rater) -> str:
    """The public id of the image the card preloads (its signed `upcoming`), or "" when there is none."""
    from ratings_site.ratings.cards import upcoming_from

    found = UPCOMING.search(html)
    image_id = upcoming_from(found.group(1), rater) if found else None
    return str(image_id) if image_id else ""


def rate_via_page(client, image, rating: int = 7, artifacts: int | None = None):
    """POST a rating through the rating form (no htmx): it must succeed with the form's redirect."""
    data = {"rating": str(rating), "csrfmiddlewaretoken": csrf_token(client)}
    if artifacts is not None:
        data["artifacts"] = str(artifacts)
    response = client.post(f"/images/{image.public_id}/rate/", data)
    assert response.status_code == 302, response.content.decode()[:500]
    return response


def run_worker(queue: str = "*") -> None:
    """`manage.py db_worker --batch --queue-name <queue>`: runs every task that is due on that queue (every queue by
    default: production runs one worker per queue), then exits."""
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    try:
        call_command(
            "db_worker", batch=True, startup_delay=False, interval=0, reload=False, verbosity=0, queue_name=queue,
            stdout=io.StringIO(),
        )
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


def image_counters(image) -> tuple[int, int, int, int]:
    """The image row's (ratings_count, rating_sum, artifacts_count, artifacts_sum) now, read from the database."""
    return Image.objects.values_list("ratings_count", "rating_sum", "artifacts_count", "artifacts_sum").get(pk=image.pk)


def counters_from_ratings(image) -> tuple[int, int, int, int]:
    """The same four counted from the image's ratings that count: what the counters must equal."""
    ratings = list(Rating.objects.filter(image_id=image.pk, counts=True).values_list("rating", "artifacts"))
    artifacts = [a for _, a in ratings if a is not None]
    return len(ratings), sum(r for r, _ in ratings), len(artifacts), sum(artifacts)
