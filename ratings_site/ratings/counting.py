"""Which ratings count, and the image counters that count only them.

A rating counts (`Rating.counts`) when no moderator invalidated it and its rater's standing lets their ratings
count (raters.standing.rater_counts). The rating rule (ratings.services) adds a counted rating to its image's
counters as it stores it; this module brings the flag and the counters back in step when a rating's or a rater's
standing changes: a moderator invalidates or restores ratings, a rater is banned or unbanned, the Horde flags
or unflags them. The counters are then recounted from the counted ratings of the images concerned, never by
adding and subtracting, so that any sequence of acts and their undoing ends on the same exact numbers; and the
images go back into the queue, or leave it, by the queue rule.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.db.models import Count, Sum

from ratings_site.datasets.models import Image
from ratings_site.datasets.services import refresh_queue
from ratings_site.raters.models import Rater
from ratings_site.raters.standing import rater_counts, standing_changed
from ratings_site.ratings.models import Rating
from ratings_site.ratings.signals import counted_ratings_changed

BATCH = 1000


def follow_standing(rater: Rater) -> int:
    """Make the rater's ratings count, or not, as their standing now says; recount the images concerned.
    Returns the number of ratings whose flag changed (0 when nothing changed: one query)."""
    counts = rater_counts(rater)
    changing = Rating.objects.filter(rater=rater, counts=not counts)
    if counts:
        changing = changing.filter(invalidated=False)
    return _set_counts(changing, counts)


def set_invalidated(rating_ids: Iterable[int], invalidated: bool) -> list[int]:
    """Invalidate (or restore) these ratings; returns the ids whose state changed. A restored rating counts
    again only if its rater's standing lets it."""
    with transaction.atomic():
        changed = list(
            Rating.objects.filter(pk__in=list(rating_ids), invalidated=not invalidated)
            .select_for_update()
            .values_list("pk", flat=True)
        )
        Rating.objects.filter(pk__in=changed).update(invalidated=invalidated)
        if invalidated:
            _set_counts(Rating.objects.filter(pk__in=changed, counts=True), False)
        else:
            for rater in Rater.objects.filter(ratings__pk__in=changed).distinct():
                if rater_counts(rater):
                    _set_counts(Rating.objects.filter(pk__in=changed, rater=rater), True)
    return changed


def _set_counts(ratings, counts: bool) -> int:
    with transaction.atomic():
        image_ids = sorted(set(ratings.values_list("image_id", flat=True)))
        changed = ratings.update(counts=counts)
        recount_image_counters(image_ids)
    return changed


def recount_image_counters(image_ids: Iterable[int]) -> None:
    """Set these images' counters from their counted ratings (one aggregate and one bulk update per BATCH
    images), then give them a queue entry exactly when they want ratings."""
    image_ids = list(image_ids)
    for start in range(0, len(image_ids), BATCH):
        batch = image_ids[start : start + BATCH]
        totals = {
            row["image_id"]: row
            for row in Rating.objects.filter(image_id__in=batch, counts=True)
            .order_by()
            .values("image_id")
            .annotate(
                n=Count("pk"),
                total=Sum("rating"),
                artifacts_n=Count("artifacts"),
                artifacts_total=Sum("artifacts"),
            )
        }
        images = list(Image.objects.filter(pk__in=batch).only("pk"))
        for image in images:
            row = totals.get(image.pk, {})
            image.ratings_count = row.get("n") or 0
            image.rating_sum = row.get("total") or 0
            image.artifacts_count = row.get("artifacts_n") or 0
            image.artifacts_sum = row.get("artifacts_total") or 0
        Image.objects.bulk_update(images, ["ratings_count", "rating_sum", "artifacts_count", "artifacts_sum"])
        refresh_queue(Image.objects.filter(pk__in=batch))
    if image_ids:
        counted_ratings_changed.send(sender=Rating, image_ids=image_ids)


def counted(ratings=None):
    """The ratings that count (all of them by default): what the export, training and the moderators' figures
    read."""
    return (Rating.objects.all() if ratings is None else ratings).filter(counts=True)


def _on_standing_changed(sender, rater: Rater, **kwargs) -> None:
    follow_standing(rater)


def connect() -> None:
    """Listen to raters.standing's `standing_changed` (called from RatingsConfig.ready)."""
    standing_changed.connect(_on_standing_changed, dispatch_uid="ratings.counting.follow_standing")
