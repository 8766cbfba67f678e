"""The reliability figures' background job (run by the task worker): agreement, then weights.

Pages that show these figures (the stats page, the moderators' rater page) call `request_refresh`: it enqueues
`refresh_reliability` when the last run is older than REFRESH_MAX_AGE and nobody asked within that time, whatever
process serves the page (a conditional UPDATE claims the request, as figures.services does for the landing page).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone
from django_tasks import task

from ratings_site.background import enqueue
from ratings_site.reliability.agreement import PROGRESS_ROW, refresh_agreement
from ratings_site.reliability.models import AgreementProgress
from ratings_site.reliability.weights import refresh_weights

REFRESH_MAX_AGE = timedelta(minutes=5)


# On the "exports" worker: its first run reads the whole history, and the weights are an aggregate over every
# counted rating (seconds at a million), which must not hold up a kudos payment on "default".
@task(queue_name="exports")
def refresh_reliability() -> dict:
    return refresh_now()


def refresh_now() -> dict:
    """Agreement, then weights, in this process (the task's body; the export's refresh runs it first, so that the
    file's `rater_weight` and agreement are as of the export)."""
    agreement = refresh_agreement()
    weights = refresh_weights()
    return {
        "ratings_taken": agreement.ratings_taken,
        "images_read": agreement.images_read,
        "raters_weighed": weights.raters,
    }


def request_refresh(now: datetime | None = None) -> bool:
    """Enqueue `refresh_reliability` when the figures are older than REFRESH_MAX_AGE (or never computed) and no
    refresh was requested within that time. One query when nothing is due; returns whether it enqueued."""
    now = now or timezone.now()
    row = (
        AgreementProgress.objects.filter(pk=PROGRESS_ROW).values("weights_computed_at", "refresh_requested_at").first()
    )
    if row is None:
        AgreementProgress.objects.bulk_create([AgreementProgress(pk=PROGRESS_ROW)], ignore_conflicts=True)
    else:
        computed, requested = row["weights_computed_at"], row["refresh_requested_at"]
        fresh = computed is not None and computed >= now - REFRESH_MAX_AGE
        asked = requested is not None and requested >= now - REFRESH_MAX_AGE
        if fresh or asked:
            return False
    not_asked_lately = Q(refresh_requested_at__isnull=True) | Q(refresh_requested_at__lt=now - REFRESH_MAX_AGE)
    claimed = AgreementProgress.objects.filter(not_asked_lately, pk=PROGRESS_ROW).update(refresh_requested_at=now)
    if claimed:
        enqueue(refresh_reliability)
    return bool(claimed)
