"""Changes to images that move them in or out of the queue (their `QueueEntry`)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from ratings_site.datasets.models import Dataset, Image, QueueEntry
from ratings_site.datasets.signals import images_hidden_changed

# The images a dataset's `image_count` counts: the ones raters can be shown.
COUNTED_IMAGES = Q(hidden=False, is_captcha=False)


def recount_images(datasets: QuerySet[Dataset] | None = None) -> int:
    """Store each dataset's `image_count` (all datasets by default) in one UPDATE; returns the rows updated.

    A COUNT per dataset over its images (the dataset_id index): run after imports and moderation, and by the
    background recount of the site's figures, never while a page or an API call waits."""
    datasets = Dataset.objects.all() if datasets is None else datasets
    counted = (
        Image.objects.filter(COUNTED_IMAGES, dataset=OuterRef("pk"))
        .order_by()
        .values("dataset")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return datasets.update(image_count=Coalesce(Subquery(counted, output_field=IntegerField()), 0))


# What keeps an image from raters whatever its ratings: each flag with the value a shown image has. The queue rule
# is these and "wants ratings"; the best-of pages show only images with these values; ratings.services names the
# flag that refuses a rating (`hiding_flags`).
SHOWN_FLAGS = {"hidden": False, "broken": False, "nsfw": False, "is_captcha": False}


def queue_condition(ratings_wanted: int) -> Q:
    """The queue rule: the images that want ratings. The one place it is written."""
    return Q(**SHOWN_FLAGS, ratings_count__lt=ratings_wanted)


def hiding_flags(image: Image) -> set[str]:
    """The flags of SHOWN_FLAGS that keep this image (in memory) from raters; empty when none does."""
    return {flag for flag, shown in SHOWN_FLAGS.items() if getattr(image, flag) != shown}


def queue_nsfw_condition() -> Q:
    """The images kept from the queue of a rater who hides NSFW images (Rater.hide_nsfw): tagged NSFW by
    NSFW_HIDE_TAGS raters or more (`tag_counts`, kept by ratings.tags), or with a LAION punsafe of NSFW_HIDE_PUNSAFE
    or more. The one place it is written; the queue reads it as `QueueEntry.nsfw`, which `refresh_queue` keeps.

    punsafe is the number LAION's parquet gives (the importer stores it as is in `source`); a punsafe that is not a
    number from 0 to 1 (a CSV's text, null) does not count, as the importer's NSFW threshold ignores it. The upper
    bound is what makes PostgreSQL and SQLite agree on text: jsonb orders a string below every number, SQLite's
    JSON_EXTRACT above.
    """
    tagged = Q(tag_counts__nsfw__gte=settings.NSFW_HIDE_TAGS)
    unsafe = Q(source__punsafe__gte=settings.NSFW_HIDE_PUNSAFE, source__punsafe__lte=1)
    return tagged | unsafe


def queue_nsfw_flag() -> Case:
    """`queue_nsfw_condition` as a true/false column (never null, where a JSON key is missing): what the queue's
    entries store (`QueueEntry.nsfw`), and what the best-of pages annotate a group's images with (bestof.selectors),
    for images that have no queue entry once they have all their ratings."""
    return Case(When(queue_nsfw_condition(), then=Value(True)), default=Value(False), output_field=BooleanField())


def refresh_queue(images: QuerySet[Image] | None = None) -> tuple[int, int]:
    """Give these images (all by default) a queue entry exactly when they satisfy the queue rule, its `nsfw` flag
    set by `queue_nsfw_condition`.

    Called after images are created, after moderation and tagging, and after RATINGS_PER_IMAGE or the NSFW_HIDE_*
    settings changed. Three statements whatever the number of images: entries of images that no longer belong are
    deleted; images that belong and have none get one (priority 0 until the predictor sets it) with its flag;
    entries whose flag is wrong are set right (those already right are not written, so the queue's indexes are not
    churned). Returns (entries added, entries removed).
    """
    images = Image.objects.all() if images is None else images
    wanted = settings.RATINGS_PER_IMAGE
    with transaction.atomic():
        removed, _ = QueueEntry.objects.filter(image__in=images.exclude(queue_condition(wanted)).values("pk")).delete()
        # Per entry, one probe of its image by primary key (no NOT IN over a set of images that may not fit in memory).
        hidden = Exists(Image.objects.filter(queue_nsfw_condition(), pk=OuterRef("image_id")))
        QueueEntry.objects.filter(image__in=images.values("pk")).exclude(nsfw=hidden).update(nsfw=hidden)
        joining = (
            images.filter(queue_condition(wanted), queue_entry__isnull=True)
            .annotate(hides_nsfw=queue_nsfw_flag())
            .values_list("pk", "dataset_id", "shuffle", "hides_nsfw")
        )
        try:
            sql, params = joining.query.sql_with_params()
        except EmptyResultSet:  # e.g. pk__in=[]
            return 0, removed
        table = connection.ops.quote_name(QueueEntry._meta.db_table)
        with connection.cursor() as cursor:
            # ON CONFLICT: a concurrent refresh may have just added the same image (WHERE true lets
            # SQLite parse ON CONFLICT after a SELECT).
            cursor.execute(
                f"INSERT INTO {table} (image_id, dataset_id, shuffle, nsfw, priority) "
                f"SELECT joining.*, 0.0 FROM ({sql}) AS joining WHERE true ON CONFLICT DO NOTHING",
                params,
            )
            added = cursor.rowcount
    return added, removed


def set_flags(images: QuerySet[Image], **flags: bool) -> int:
    """Set moderation flags (hidden, nsfw, broken) and move the images in or out of the queue."""
    allowed = {"hidden", "nsfw", "broken"}
    if not flags or set(flags) - allowed:
        raise ValueError(f"Only {sorted(allowed)} can be set")
    ids = list(images.values_list("pk", flat=True))
    changed = Image.objects.filter(pk__in=ids).update(**flags)
    refresh_queue(Image.objects.filter(pk__in=ids))
    if "hidden" in flags:
        recount_images(Dataset.objects.filter(images__pk__in=ids).distinct())
        images_hidden_changed.send(sender=Image, image_ids=ids)
    return changed
