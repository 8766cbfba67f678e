from __future__ import annotations

from django.conf import settings
from django.db import models


class KudosReward(models.Model):
    """A line of the ledger: kudos this site owes a rater, and whether they were paid.

    Status moves pending -> sending -> paid, or back to pending on a failure the
    Horde reports, or to failed when retries are exhausted or the Horde rejects the
    rater. A line left in `sending` (the worker died mid-call) is never sent again
    automatically: the Horde's award has no idempotency key, so we pay at most once.

    A line rewards its rater for one image (`image`), at most once: when a rating is
    undone, its pending line is cancelled (deleted) but a line already sending, paid or
    failed stays, detached from the deleted rating (`rating` becomes null) and still
    tied to the image, so that rating the image again earns nothing more
    (`kudos.services.record_reward`; the constraint `reward_once_per_rater_image`).
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Being paid"
        PAID = "paid", "Paid"
        FAILED = "failed", "Failed"

    rater = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="kudos_rewards")
    rating = models.OneToOneField(
        "ratings.Rating", null=True, blank=True, on_delete=models.SET_NULL, related_name="reward"
    )
    # The image the rating was of; it outlives an undone rating (see above). Null only for lines
    # whose image was deleted.
    image = models.ForeignKey(
        "datasets.Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    amount = models.PositiveIntegerField()
    reason = models.CharField(max_length=100, default="Rating a dataset image")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["rater", "status"], name="reward_by_rater_status")]
        constraints = [
            # A rater earns kudos for an image once, however often they undo and rate it again.
            # It is also the index record_reward looks the earlier line up by.
            models.UniqueConstraint(
                fields=["rater", "image"], condition=models.Q(image__isnull=False), name="reward_once_per_rater_image"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.amount} kudos to {self.rater} ({self.status})"
