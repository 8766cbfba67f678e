"""The site's figures for the landing page: counted in the background, read from one stored row."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Exists, OuterRef, Q, Sum
from django.utils import timezone

from ratings_site.background import enqueue
from ratings_site.datasets.models import Image
from ratings_site.datasets.services import recount_images
from ratings_site.figures.models import FIGURES_MAX_AGE, SiteFigures
from ratings_site.kudos.models import KudosReward
from ratings_site.raters.models import Rater
from ratings_site.ratings.counting import counted
from ratings_site.ratings.services import forget_old_servings


def refresh_site_figures() -> SiteFigures:
    """Count the figures and store them. Full counts over big tables: run it in the background
    (the `refresh_site_figures` task or command), never while a page waits."""
    figures = {
        "ratings": counted().count(),  # the dataset's ratings: those that count (ratings.counting)
        "raters": Rater.objects.filter(Exists(counted().filter(rater=OuterRef("pk")))).count(),
        "images": Image.objects.filter(dataset__public=True, is_captcha=False, hidden=False).count(),
        "kudos_paid": KudosReward.objects.filter(status=KudosReward.Status.PAID).aggregate(total=Sum("amount"))["total"]
        or 0,
        "computed_at": timezone.now(),
    }
    row, _ = SiteFigures.objects.update_or_create(pk=SiteFigures.ROW, defaults=figures)
    recount_images()
    forget_old_servings()  # housekeeping on the same schedule: API servings nobody answered in a day
    return row


def site_figures_for_page() -> SiteFigures | None:
    """The stored figures, or None when they were never counted. One query; when they are older than
    FIGURES_MAX_AGE, a recount is enqueued for the task worker, at most once per FIGURES_MAX_AGE whatever
    process serves the page (a conditional UPDATE claims the request), so at most four queries."""
    now = timezone.now()
    row = SiteFigures.objects.filter(pk=SiteFigures.ROW).first()
    if row is None or (row.is_stale(now) and not row.refresh_was_requested(now)):
        _request_refresh(now, row_exists=row is not None)
    return row if row is not None and row.computed_at is not None else None


def _request_refresh(now: datetime, *, row_exists: bool) -> None:
    if not row_exists:
        SiteFigures.objects.bulk_create([SiteFigures(pk=SiteFigures.ROW)], ignore_conflicts=True)
    not_asked_lately = Q(refresh_requested_at__isnull=True) | Q(refresh_requested_at__lt=now - FIGURES_MAX_AGE)
    claimed = SiteFigures.objects.filter(not_asked_lately, pk=SiteFigures.ROW).update(refresh_requested_at=now)
    if claimed:
        # By its path: the tasks module imports this one, never the other way round.
        enqueue("ratings_site.figures.tasks.refresh_site_figures")
