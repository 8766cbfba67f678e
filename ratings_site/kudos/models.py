from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import quote

from django.conf import settings
from django.db import models
from django.utils import timezone


def stuck_sending_cutoff(now: datetime | None = None) -> datetime:
    """Lines sending since before this moment are stuck: their call to the Horde is over for sure.

    A call may take HORDE_TIMEOUT to connect and HORDE_TIMEOUT more to answer (urllib's timeout
    counts each wait, not the whole call), so twice the timeout has passed when no live worker can
    still be waiting on it; only a worker that died mid-call leaves a line sending that long.
    """
    return (now or timezone.now()) - timedelta(seconds=2 * settings.HORDE_TIMEOUT)


class KudosRewardQuerySet(models.QuerySet):
    def waiting_for_moderator(self, now: datetime | None = None) -> KudosRewardQuerySet:
        """Lines a moderator must check on the Horde (paid or not?) before "Mark as paid" or "Send again".

        Sending lines with a reason (the call timed out), or sending since before the cutoff, or
        with no start time at all (sent before lines recorded it). `KudosReward.waiting_for_moderator`
        is the same rule for one line in hand.
        """
        stuck = ~models.Q(last_error="") | models.Q(sending_since__isnull=True)
        stuck |= models.Q(sending_since__lt=stuck_sending_cutoff(now))
        return self.filter(stuck, status=KudosReward.Status.SENDING)


class KudosReward(models.Model):
    """A line of the ledger: kudos this site owes a rater, and whether they were paid.

    Status moves pending -> sending -> paid, or back to pending on a failure the
    Horde reports, or to failed when retries are exhausted or the Horde rejects the
    rater. A line left in `sending` (the call timed out, or the worker died mid-call) is
    never sent again automatically: the Horde's award has no idempotency key, so we pay at
    most once. Such a line waits for a moderator (`waiting_for_moderator`): it says why in
    `last_error`, or it has been sending since `sending_since` for longer than a call to the
    Horde can last (`stuck_sending_cutoff`), which only a dead worker explains.

    A line is owed for something (`kind`). A rating line rewards its rater for one image
    (`image`), at most once: when a rating is undone, its pending line is cancelled (deleted)
    but a line already sending, paid or failed stays, detached from the deleted rating
    (`rating` becomes null) and still tied to the image, so that rating the image again earns
    nothing more (`kudos.services.record_reward`; the constraint `reward_once_per_rater_image`). A passed check
    image (a captcha answered right) earns a rating line too, by the same rule, with no `rating` (the answer is a
    `ratings.CaptchaAnswer`): to its rater and to the payment task it is any rating's line
    (`kudos.services.record_passed_check_reward`).
    The other kinds name what they are for in `subject`, once per rater (a best-of pick: its
    prompt group; a generation set: the Horde's request id, and `generation_set`).

    A line with status `horde` was paid by the Horde itself (the Horde's `generate/rate` pays for
    a rated generation set): it is written already paid, for the rater's history, and the payment
    task, which takes pending lines only, never sends it.
    """

    class Kind(models.TextChoices):
        RATING = "rating", "Rating a dataset image"
        BEST_PICK = "best_pick", "Best of a prompt group"
        GENERATION_SET = "generation_set", "Rating a generation set"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Being paid"
        PAID = "paid", "Paid"
        FAILED = "failed", "Failed"
        HORDE = "horde", "Paid by the Horde"
        CANCELLED = "cancelled", "Cancelled by a moderator"

    rater = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="kudos_rewards")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.RATING)
    # What a line of another kind than rating is for: a best pick's prompt group key, a generation set's
    # request id. Empty for rating lines (they name their `image`).
    subject = models.CharField(max_length=100, blank=True)
    rating = models.OneToOneField(
        "ratings.Rating", null=True, blank=True, on_delete=models.SET_NULL, related_name="reward"
    )
    # The image the rating was of; it outlives an undone rating (see above). Null only for lines
    # whose image was deleted.
    image = models.ForeignKey(
        "datasets.Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The generation set a line of kind generation_set is for (null once the set is deleted; `subject` stays).
    generation_set = models.ForeignKey(
        "generations.GenerationSet", null=True, blank=True, on_delete=models.SET_NULL, related_name="kudos_lines"
    )
    amount = models.PositiveIntegerField()
    reason = models.CharField(max_length=100, default="Rating a dataset image")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    # When the line was last marked sending (the payment call started); null for lines never sent,
    # or sent before this was recorded.
    sending_since = models.DateTimeField(null=True, blank=True)

    objects = KudosRewardQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["rater", "status"], name="reward_by_rater_status")]
        constraints = [
            # A rater earns kudos for an image once, however often they undo and rate it again.
            # It is also the index record_reward looks the earlier line up by.
            models.UniqueConstraint(
                fields=["rater", "image"],
                condition=models.Q(image__isnull=False, kind="rating"),
                name="reward_once_per_rater_image",
            ),
            # Any other kind is earned once per rater and subject (a prompt group, a request id).
            models.UniqueConstraint(
                fields=["rater", "kind", "subject"],
                condition=~models.Q(kind="rating"),
                name="reward_once_per_rater_subject",
            ),
            # The Horde pays a generation set once, to its one rater.
            models.UniqueConstraint(
                fields=["subject"], condition=models.Q(kind="generation_set"), name="reward_once_per_generation_set"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.amount} kudos to {self.rater} ({self.status})"

    @property
    def generation_set_path(self) -> str:
        """The page of the generation set a generation_set line is for, "" for other kinds.

        A plain path, /generations/<request id>/, as the generations app serves it (the ledger names the set by
        its request id, which outlives the set's row).
        """
        if self.kind != self.Kind.GENERATION_SET or not self.subject:
            return ""
        return f"/generations/{quote(self.subject, safe='')}/"

    @property
    def waiting_for_moderator(self) -> bool:
        """The queryset's `waiting_for_moderator` for this line (the rater reads it as "being checked")."""
        if self.status != self.Status.SENDING:
            return False
        return bool(self.last_error) or self.sending_since is None or self.sending_since < stuck_sending_cutoff()
