"""Best of a set for dataset images: prompt groups, the raters' picks, and the pairwise preferences they make.

Datasets where several images share a prompt (DiffusionDB has many; a LAION caption can repeat) are cut into
prompt groups of 2 to 4 images (`services.refresh_prompt_groups`). A rater sees a group's images side by side and
picks the best, or says no image is clearly better; a pick is stored as a `BestPick` and, when it names a winner,
as one `ImagePreference` per image it beat: the pairs preference scorers learn from. The queue of groups is
`selectors.next_groups_for`; recording a pick is `services.record_pick`. Now and then a group is shown with a
best-of check among its images (`checks`): each one served is a `CheckGroup`.
"""

from __future__ import annotations

import random

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from ratings_site.datasets.models import Dataset, Image

# The sizes of a group: a prompt with more images than MAX_GROUP_SIZE is cut into several groups.
MIN_GROUP_SIZE = 2
MAX_GROUP_SIZE = 4


def _shuffle() -> float:
    return random.random()


class Source(models.TextChoices):
    """Where a pick reached us from."""

    PAGE = "page", "Our best-of page"
    API = "api", "The API"


class PromptGroup(models.Model):
    """2 to 4 images of one dataset that share a prompt (their caption), to pick the best of.

    `prompt_key` is the SHA-256 of the normalised prompt (`services.normalise_prompt`); a prompt with more than
    four images gets several groups, told apart by `part`. An image belongs to one group at most.

    The queue of groups lives on this row, as the image queue lives in `QueueEntry`: `wants_picks` is true
    exactly while the group has fewer than BEST_PICKS_PER_GROUP picks and at least two images that may be shown
    (not hidden, broken or NSFW), to everyone: a group short of images only for a rater who hides NSFW images stays
    (bestof.selectors passes it over for them). The pick rule clears it with the pick that fills the group; the
    queue clears it for a group whose images were taken down meanwhile; `refresh_prompt_groups` sets it right for
    every group (after BEST_PICKS_PER_GROUP changed, or after moderation). The partial index `bestof_queue` holds
    only such groups, in (priority DESC, shuffle) order, so the next group is read from its top.
    """

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="+", db_index=False)
    prompt_key = models.CharField(max_length=64, help_text="SHA-256 of the normalised prompt.")
    part = models.PositiveSmallIntegerField(default=0, help_text="Which group of this prompt's images.")
    prompt = models.TextField(help_text="The prompt (caption) as the first image carries it.")
    size = models.PositiveSmallIntegerField(help_text="How many images the group has (2 to 4).")
    picks_count = models.PositiveIntegerField(default=0)
    wants_picks = models.BooleanField(default=True, help_text="In the queue: wants more picks and can be shown.")
    priority = models.FloatField(default=0.0, help_text="Higher is shown sooner.")
    shuffle = models.FloatField(default=_shuffle, help_text="A random tie-breaker among equal priorities.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["dataset", "prompt_key", "part"], name="prompt_group_once"),
            models.CheckConstraint(
                condition=Q(size__gte=MIN_GROUP_SIZE, size__lte=MAX_GROUP_SIZE), name="prompt_group_2_to_4"
            ),
        ]
        indexes = [
            models.Index(
                "dataset", F("priority").desc(), "shuffle", name="bestof_queue", condition=Q(wants_picks=True)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.prompt[:60]} ({self.size} images)"


class PromptGroupImage(models.Model):
    """An image of a prompt group, at its place (1 to 4) on the page."""

    group = models.ForeignKey(PromptGroup, on_delete=models.CASCADE, related_name="members")
    image = models.OneToOneField(Image, on_delete=models.CASCADE, related_name="prompt_group_member")
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["group", "position"]
        constraints = [models.UniqueConstraint(fields=["group", "position"], name="prompt_group_position_once")]

    def __str__(self) -> str:
        return f"{self.group_id}#{self.position}: {self.image_id}"


class BestPick(models.Model):
    """One rater's pick of one prompt group: the best image, or none ("no image is clearly better").

    Counted by the flood limit with the ratings (`rater`, `created_at`), and paid KUDOS_PER_BEST_PICK.
    """

    # The unique (rater, group) index serves the foreign key too.
    rater = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="best_picks", db_index=False
    )
    group = models.ForeignKey(PromptGroup, on_delete=models.CASCADE, related_name="picks")
    winner = models.ForeignKey(
        Image, null=True, blank=True, on_delete=models.CASCADE, related_name="+", help_text="Empty: no clear winner."
    )
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.PAGE)
    client_agent = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["rater", "group"], name="best_pick_once_per_rater")]
        indexes = [models.Index(fields=["rater", "created_at"], name="best_pick_by_rater_time")]

    def __str__(self) -> str:
        return f"{self.rater} picked {self.winner_id or 'none'} in group {self.group_id}"


class GroupSkip(models.Model):
    """A group a rater passed over (S): out of their queue, no pick, no kudos."""

    rater = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False)
    group = models.ForeignKey(PromptGroup, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["rater", "group"], name="group_skip_once_per_rater")]


class ImagePreference(models.Model):
    """A pairwise preference between two dataset images: `rater` judged `winner` better than `loser`.

    A pick with a winner stores one row per other image shown in its group. Uniqueness: one row per
    (rater, winner, loser). Different raters each keep their own row for the same pair (their agreement is
    the data), and one rater never holds both (a, b) and (b, a), since an image belongs to one group and a
    rater picks a group once.
    """

    winner = models.ForeignKey(Image, on_delete=models.CASCADE, related_name="+")
    loser = models.ForeignKey(Image, on_delete=models.CASCADE, related_name="+")
    group = models.ForeignKey(PromptGroup, on_delete=models.CASCADE, related_name="preferences")
    pick = models.ForeignKey(BestPick, on_delete=models.CASCADE, related_name="pairs")
    rater = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.PAGE)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["rater", "winner", "loser"], name="image_preference_once_per_rater"),
            models.CheckConstraint(condition=~Q(winner=F("loser")), name="image_preference_between_two_images"),
        ]

    def __str__(self) -> str:
        return f"{self.winner_id} > {self.loser_id}"


class CheckGroup(models.Model):
    """A best-of check served to a rater: a check image ("THIS IS THE BEST IMAGE / PICK IT", datasets.captchas)
    shown among the images of one of their prompt groups, at a random place (bestof.checks).

    The row keeps which images were shown, in their order, so that a reload shows the same card again, and how it
    was answered: picking the check passes (paid as a pick); anything else (another image, "no clear winner", a
    skip) is a miss, stored as a `ratings.CaptchaAnswer` too and counted with the rating page's missed checks.
    While unanswered the check is also a `ratings.ServedImage` (a miss until answered, on every page). The group
    itself is not picked, skipped or paid by answering: it stays in the rater's queue.
    """

    rater = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False)
    check_image = models.ForeignKey(Image, on_delete=models.CASCADE, related_name="+")
    group = models.ForeignKey(PromptGroup, on_delete=models.CASCADE, related_name="+")
    images = models.JSONField(help_text="The images shown, in their order (their primary keys): the check among them.")
    served_at = models.DateTimeField()
    passed = models.BooleanField(null=True, blank=True, help_text="Empty until answered.")
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["rater", "check_image"], name="check_group_once_per_rater")]

    def __str__(self) -> str:
        state = "unanswered" if self.passed is None else ("passed" if self.passed else "missed")
        return f"{self.rater_id}: check {self.check_image_id} in group {self.group_id} ({state})"
