from __future__ import annotations

import random
import uuid

from django.db import models
from django.db.models import Q

from ratings_site.datasets.renditions import rendition_url


class Dataset(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    public = models.BooleanField(default=True, help_text="Listed and rated. Captcha pools are not public.")
    image_count = models.PositiveIntegerField(
        default=0,
        help_text="Its images that are shown (not hidden, not captchas): a stored counter kept by imports, "
        "moderation and the background recount (datasets.services.recount_images), so that listing datasets "
        "counts nothing.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


def _shuffle() -> float:
    return random.random()


# Images stored as files under MEDIA_ROOT (the others are URLs): the condition of the `image_file`
# index, which a query must repeat to use it.
HAS_FILE = ~Q(file="")


class Image(models.Model):
    """An image to rate: a URL or a file under MEDIA_ROOT.

    The rating counters live on the row (no COUNT(*) at scale). Whether the image
    still wants ratings, and its place in the queue, live in its `QueueEntry`:
    this wide row carries no queue index, so rating it and reprioritising the
    queue never rewrite each other's indexes.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="images")
    url = models.URLField(max_length=2000, blank=True)
    file = models.FileField(upload_to="images/%Y/%m/", blank=True, max_length=300)
    caption = models.TextField(blank=True, help_text="The caption or the prompt.")
    source = models.JSONField(default=dict, blank=True, help_text="The source's extra columns.")
    dedupe_key = models.CharField(max_length=64, help_text="SHA-256 of the URL or of the file's bytes.")
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)

    nsfw = models.BooleanField(default=False)
    hidden = models.BooleanField(default=False, help_text="Taken out of the queue and the export by a moderator.")
    broken = models.BooleanField(default=False)
    is_captcha = models.BooleanField(default=False)
    captcha_answer = models.PositiveSmallIntegerField(null=True, blank=True)

    shuffle = models.FloatField(default=_shuffle, help_text="A random order among captcha images.")

    ratings_count = models.PositiveIntegerField(default=0)
    rating_sum = models.PositiveIntegerField(default=0)
    artifacts_count = models.PositiveIntegerField(default=0)
    artifacts_sum = models.PositiveIntegerField(default=0)
    reports_count = models.PositiveIntegerField(default=0)
    tag_counts = models.JSONField(
        default=dict,
        blank=True,
        help_text='How many raters gave each tag (ratings.models.RaterTag), e.g. {"watermark": 2}: kept by '
        "ratings.tags from the tags of raters whose ratings count; absent tags are 0.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["dataset", "dedupe_key"], name="image_unique_per_dataset"),
        ]
        indexes = [
            models.Index(fields=["is_captcha"], name="image_captcha", condition=Q(is_captcha=True)),
            # The rendition view's check that a path is an image's file; URL images stay out of it.
            models.Index(fields=["file"], name="image_file", condition=HAS_FILE),
            # The admin's image list: most reported first, then newest (datasets.admin.ImageAdmin.ordering).
            models.Index(fields=["-reports_count", "-id"], name="image_by_reports"),
        ]

    def __str__(self) -> str:
        return f"{self.dataset.slug}/{self.public_id}" if self.dataset_id else str(self.public_id)

    @property
    def src(self) -> str:
        """The original: what zoom shows and the predictor reads."""
        return self.file.url if self.file else self.url

    @property
    def display_src(self) -> str:
        """What the rating page shows: a light WebP of a file (made on its first request), or the URL."""
        return rendition_url("display", self.file.name) if self.file else self.url

    @property
    def thumbnail_src(self) -> str:
        """A small WebP of a file for lists such as the rater's history, or the URL."""
        return rendition_url("thumb", self.file.name) if self.file else self.url

    @property
    def average_rating(self) -> float | None:
        return self.rating_sum / self.ratings_count if self.ratings_count else None


class QueueEntry(models.Model):
    """An image that still wants ratings, and its place in the queue.

    A row exists exactly while its image satisfies the queue rule
    (`datasets.services.queue_condition`: `refresh_queue` keeps it so, and the
    rating rule removes it when the last wanted rating arrives). The table is
    narrow and carries only the queue's indexes, so that the predictor can rewrite
    every priority in seconds (one short row and three small index entries per
    image, not the wide image row and its six indexes) and so that rating an image
    touches no queue index until the image leaves.
    """

    image = models.OneToOneField(Image, on_delete=models.CASCADE, primary_key=True, related_name="queue_entry")
    # The image's dataset, copied (an image never moves) so that `queue_by_dataset` needs no join;
    # the composite index serves the foreign key too.
    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="+", db_index=False)
    priority = models.FloatField(default=0.0, help_text="Higher is rated sooner; set by the predictor.")
    shuffle = models.FloatField(default=_shuffle, help_text="A random tie-breaker among equal priorities.")
    nsfw = models.BooleanField(
        default=False,
        help_text="Left out of the queue of raters who hide NSFW images (Rater.hide_nsfw): tagged NSFW by "
        "NSFW_HIDE_TAGS raters or more, or a LAION punsafe of NSFW_HIDE_PUNSAFE or more "
        "(datasets.services.queue_nsfw_condition). Kept by refresh_queue.",
    )

    class Meta:
        verbose_name_plural = "queue entries"
        indexes = [
            models.Index("dataset", models.F("priority").desc(), "shuffle", name="queue_by_dataset"),
            models.Index(models.F("priority").desc(), "shuffle", name="queue_order"),
            # The same two orders without the entries a rater hiding NSFW images must not see.
            models.Index(
                "dataset", models.F("priority").desc(), "shuffle", name="sfw_queue_by_dataset", condition=Q(nsfw=False)
            ),
            models.Index(models.F("priority").desc(), "shuffle", name="sfw_queue_order", condition=Q(nsfw=False)),
        ]

    def __str__(self) -> str:
        return f"{self.image_id} at {self.priority:.3f}"
