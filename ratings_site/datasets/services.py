"""Changes to images that move them in or out of the queue."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Case, Q, QuerySet, Value, When

from ratings_site.datasets.models import Image


def queue_condition(ratings_wanted: int) -> Q:
    """The queue rule in SQL form; `Image.queue_state` is the same rule for one unsaved row."""
    return Q(hidden=False, broken=False, nsfw=False, is_captcha=False, ratings_count__lt=ratings_wanted)


def refresh_queue(images: QuerySet[Image] | None = None) -> int:
    """Recompute `in_queue` (after moderation, or after RATINGS_PER_IMAGE changed)."""
    images = Image.objects.all() if images is None else images
    wanted = settings.RATINGS_PER_IMAGE
    return images.update(in_queue=Case(When(queue_condition(wanted), then=Value(True)), default=Value(False)))


def set_flags(images: QuerySet[Image], **flags: bool) -> int:
    """Set moderation flags (hidden, nsfw, broken) and move the images in or out of the queue."""
    allowed = {"hidden", "nsfw", "broken"}
    if not flags or set(flags) - allowed:
        raise ValueError(f"Only {sorted(allowed)} can be set")
    ids = list(images.values_list("pk", flat=True))
    changed = Image.objects.filter(pk__in=ids).update(**flags)
    refresh_queue(Image.objects.filter(pk__in=ids))
    return changed
