from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class Rating(models.Model):
    """One rater's judgement of one dataset image: the row LAION's export is made of."""

    rater = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="ratings")
    image = models.ForeignKey("datasets.Image", on_delete=models.CASCADE, related_name="ratings")
    rating = models.PositiveSmallIntegerField(help_text="1 (Terrible) to 10 (Masterpiece).")
    artifacts = models.PositiveSmallIntegerField(null=True, blank=True, help_text="0 (Flawless) to 5 (Garbage).")
    client_agent = models.CharField(max_length=200, blank=True)
    rater_kudos = models.BigIntegerField(
        null=True,
        blank=True,
        help_text="The rater's Horde kudos when they rated (what find_user said at their login or key lookup; "
        "the Horde is never asked per rating): the public export's trust signal. Null when not known.",
    )
    invalidated = models.BooleanField(
        default=False, help_text="A moderator took this rating out of the dataset (moderation.actions); reversible."
    )
    counts = models.BooleanField(
        default=True,
        help_text="Whether the rating counts: not invalidated, and its rater in good standing (raters.standing). Only "
        "counted ratings are in the image's counters, the export and training; kept by ratings.counting.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["rater", "image"], name="rating_once_per_rater"),
            models.CheckConstraint(condition=Q(rating__gte=1, rating__lte=10), name="rating_1_to_10"),
            models.CheckConstraint(
                condition=Q(artifacts__isnull=True) | Q(artifacts__gte=0, artifacts__lte=5),
                name="artifacts_0_to_5",
            ),
        ]
        indexes = [models.Index(fields=["rater", "created_at"], name="rating_by_rater_time")]

    def __str__(self) -> str:
        return f"{self.rater} rated {self.image_id}: {self.rating}/{self.artifacts}"


# A report no moderator has dealt with yet (never a plain skip): the reports queue's rows, and what resolving an
# image's reports closes. The partial index `open_report_by_time` holds exactly these.
OPEN_REPORT = ~Q(reason="skipped") & Q(resolved_at=None)


class Skip(models.Model):
    """An image a rater passed over: a plain skip, or a report that feeds moderation."""

    class Reason(models.TextChoices):
        SKIPPED = "skipped", "Skipped"
        BROKEN = "broken", "Broken or not loading"
        NSFW = "nsfw", "NSFW"
        WATERMARK = "watermark", "Watermark or text"
        OTHER = "other", "Something else"

    rater = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="skips")
    image = models.ForeignKey("datasets.Image", on_delete=models.CASCADE, related_name="skips")
    reason = models.CharField(max_length=16, choices=Reason.choices, default=Reason.SKIPPED)
    note = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When a moderator dealt with this report (moderation.actions); empty while open.",
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["rater", "image"], name="skip_once_per_rater")]
        indexes = [
            models.Index(fields=["image"], name="report_by_image", condition=~Q(reason="skipped")),
            models.Index(fields=["-created_at"], name="open_report_by_time", condition=OPEN_REPORT),
        ]

    @property
    def is_report(self) -> bool:
        return self.reason != self.Reason.SKIPPED


class CaptchaAnswer(models.Model):
    """A rater's answer to a captcha image (a check image): never exported as a rating.

    A passed check is paid and undone as a rating is (ratings.services._answer_captcha), so that nothing tells it
    apart from one. Skipping or reporting a captcha is stored as an answer too (no rating, not passed): a check
    cannot be passed over for free.
    """

    rater = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="captcha_answers")
    image = models.ForeignKey("datasets.Image", on_delete=models.CASCADE, related_name="captcha_answers")
    answer = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="The rating given; empty when the rater skipped or reported it (a miss)."
    )
    artifacts = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="The artifacts given with it (0 to 5), echoed back as a rating's would be."
    )
    passed = models.BooleanField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["rater", "image"], name="captcha_once_per_rater")]
        indexes = [models.Index(fields=["rater", "passed", "created_at"], name="captcha_by_rater")]


class ServedImage(models.Model):
    """An image served to a rater and not yet answered (rated, skipped or reported): the row goes with the answer.

    Three uses (ratings.services.record_served):
    - a check image (`is_check`), on every surface, the moment it is shown: until answered it counts as a missed
      check (ratings.services._answer_captcha counts it), and it is shown again first on the rater's next card
      (ratings.selectors.next_images_for), so that reloading or leaving is no way past it;
    - any image the API's rating/new hands out: its `served_at` is when the rater first could see it, the start
      of the look-time floor (RATING_MIN_SECONDS; the pages sign the serve time into the card instead);
    - a dataset image a page shows or preloads, while holds are on (`hold_only`): a hold and nothing more.
    Every row of a dataset image is also a hold: for RATING_HOLD_SECONDS after `served_at` it keeps one of the image's
    remaining rating slots for its rater (ratings.selectors passes over an image whose free slots others hold), so
    that concurrent raters are rarely served the same last slot and told "already has all the ratings it needs".
    Rows of dataset images nobody answered are forgotten after a day (`forget_old_servings`).
    """

    rater = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    image = models.ForeignKey("datasets.Image", on_delete=models.CASCADE, related_name="+")
    is_check = models.BooleanField(default=False, help_text="A check image (captcha): a miss until answered.")
    served_at = models.DateTimeField()
    hold_only = models.BooleanField(
        default=False,
        help_text="Served by a page, not by the API's rating/new: a hold, not the start of the API's look time.",
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["rater", "image"], name="served_once_per_rater")]
        indexes = [
            models.Index(fields=["rater", "served_at"], name="pending_check", condition=Q(is_check=True)),
            models.Index(fields=["served_at"], name="served_by_time", condition=Q(is_check=False)),
            # The queue's probe of an image's holds (ratings.selectors._held_sql).
            models.Index(fields=["image", "served_at"], name="holds_by_image", condition=Q(is_check=False)),
        ]


class RaterTag(models.Model):
    """A tag a rater put on a dataset image while rating it (or on the API): what the image is, beyond its score.

    One row per (rater, image, tag). Counted per image in `Image.tag_counts` (only the tags of raters whose ratings
    count), exported per image and per rater, and read by the NSFW preference (QueueEntry.nsfw). Written only by
    ratings.tags. Distinct from moderation.ImageTag, a moderator's confirmed tag.
    """

    class Kind(models.TextChoices):
        WATERMARK = "watermark", "Watermark"
        TEXT = "text", "Text"
        NSFW = "nsfw", "NSFW"
        BROKEN = "broken", "Broken"
        NOT_ARTWORK = "not_artwork", "Not an artwork"

    rater = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tags")
    image = models.ForeignKey("datasets.Image", on_delete=models.CASCADE, related_name="rater_tags")
    tag = models.CharField(max_length=16, choices=Kind.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["rater", "image", "tag"], name="tag_once_per_rater")]
        indexes = [
            models.Index(fields=["image", "tag"], name="tag_by_image"),
            models.Index(fields=["tag", "image"], name="image_by_tag"),
        ]

    def __str__(self) -> str:
        return f"{self.rater} tagged {self.image_id} {self.tag}"
