"""The moderators' record: their acts (ModerationAction) and the tags they put on images (ImageTag)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class ModerationAction(models.Model):
    """One act of a moderator, and the record of what it changed, so that it can be shown and undone exactly.

    Written only by moderation.actions. `subject_ids` lists the rows the act changed (the ratings invalidated,
    the kudos lines cancelled, the reports resolved): its reverse changes those rows back and no others, so an
    undo never touches what another act did. A reverse act (`undoes`) is an act of its own.
    """

    class Kind(models.TextChoices):
        BAN = "ban", "Ban a rater"
        UNBAN = "unban", "Lift a ban"
        INVALIDATE = "invalidate", "Invalidate ratings"
        RESTORE = "restore", "Restore ratings"
        HIDE = "hide", "Hide an image"
        UNHIDE = "unhide", "Unhide an image"
        MARK_NSFW = "mark_nsfw", "Mark an image NSFW"
        UNMARK_NSFW = "unmark_nsfw", "Unmark NSFW"
        TAG = "tag", "Tag an image"
        UNTAG = "untag", "Remove a tag"
        RESOLVE_REPORTS = "resolve_reports", "Resolve reports"
        REOPEN_REPORTS = "reopen_reports", "Reopen reports"

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="moderation_acts"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    rater = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="moderation_history",
        help_text="The rater acted on (a ban, or whose ratings).",
    )
    image = models.ForeignKey(
        "datasets.Image", null=True, blank=True, on_delete=models.CASCADE, related_name="moderation_history"
    )
    span_start = models.DateTimeField(null=True, blank=True, help_text="Ratings made from this moment ...")
    span_end = models.DateTimeField(null=True, blank=True, help_text="... up to this one (invalidating a span).")
    reason = models.CharField(max_length=500, blank=True)
    subject_ids = models.JSONField(default=dict, blank=True, help_text="The rows the act changed, by kind.")
    undoes = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="undone_by",
        help_text="The act this reverses.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        permissions = [
            ("act_on_raters", "Can ban raters and invalidate or restore their ratings"),
            ("act_on_images", "Can hide, mark NSFW and tag images, and resolve reports"),
        ]
        indexes = [
            models.Index(fields=["rater", "-created_at"], name="act_by_rater", condition=Q(rater__isnull=False)),
            models.Index(fields=["image", "-created_at"], name="act_by_image", condition=Q(image__isnull=False)),
            models.Index(fields=["-created_at"], name="act_by_time"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} by {self.actor} at {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def affected(self) -> int:
        """How many rows the act changed (ratings, reports...), or 1 for an act on one rater or image."""
        return sum(len(ids) for ids in self.subject_ids.values()) or 1


class ImageTag(models.Model):
    """A tag a moderator put on an image (what a report said, confirmed): NSFW, watermark, broken, ..."""

    class Tag(models.TextChoices):
        NSFW = "nsfw", "NSFW"
        WATERMARK = "watermark", "Watermark or text"
        ARTIFACTS = "artifacts", "Heavy artifacts"
        OFF_TOPIC = "off_topic", "Not what the dataset is for"

    image = models.ForeignKey("datasets.Image", on_delete=models.CASCADE, related_name="moderator_tags")
    tag = models.CharField(max_length=20, choices=Tag.choices)
    tagged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["image", "tag"], name="tag_once_per_image")]

    def __str__(self) -> str:
        return f"{self.get_tag_display()} on {self.image_id}"
