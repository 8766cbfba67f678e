"""Generation sets: images the Horde made for a rater from one prompt, their ratings and best-of picks.

Every rated set becomes a row of the open dataset of generations, and every best-of pick becomes pairwise
preferences (winner beats loser), which is what preference scorers learn from. The rules that decide what
a rating of a set means live once, in `rules.py`; `services.py` stores them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q


class Source(models.TextChoices):
    """Where a set, or its rating, reached us from."""

    PAGE = "page", "Our rating page"
    CLIENT = "client", "A client's registration"
    HORDE = "horde", "The Horde's intake"


class GenerationSet(models.Model):
    """One Horde request (several images from one prompt) as the dataset keeps it.

    Keyed by the Horde's request id, kept as the string the Horde sends (a UUID today), so that the page,
    a client's registration and the Horde's intake (`/v1/rating/set`, field `set`) all find the same row.
    The prompt and parameters are known only when a client registered the set: the Horde's status answer
    does not carry them.

    `rater` is whose set this is as far as we know: the rater who registered it or rated it through us, or the user
    the Horde's forward named; null for a set only opened (opening a page claims nothing) and for an anonymous
    request. `owner_known`: the Horde's own forward of the set (`/api/v1/rating/set`) named `rater` as the request's
    owner. Only then does the ledger show the kudos the Horde paid for it (`generate/rate` takes no key: the Horde
    pays the request's owner, whoever sends the rating).
    """

    class Submission(models.TextChoices):
        # Stored here; nothing to send to the Horde (not rated yet, or the Horde itself forwarded it).
        RECORDED = "recorded", "Recorded"
        PENDING = "pending", "Waiting to reach the Horde"
        SENT = "sent", "Accepted by the Horde"
        REFUSED = "refused", "Refused by the Horde"
        # The Horde's forward named another user as the request's owner: the submitter's rating was taken back
        # and the set is its owner's to rate.
        NOT_OWNER = "not_owner", "Refused: the Horde names another owner"

    request_id = models.CharField(max_length=64, unique=True, help_text="The Horde's request id.")
    rater = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="generation_sets"
    )
    owner_known = models.BooleanField(
        default=False, help_text="The Horde's forward of the set named its rater as the request's owner."
    )
    prompt = models.TextField(blank=True)
    negative_prompt = models.TextField(blank=True)
    params = models.JSONField(default=dict, blank=True, help_text="The generation parameters the client sent.")
    source = models.CharField(max_length=10, choices=Source.choices, help_text="Where the set first reached us.")
    client_agent = models.CharField(max_length=200, blank=True)
    # The rating of the set as a whole: the best image, or "no image is clearly better". The ratings of
    # single images are GenerationRating rows; the pairs the best implies are Preference rows.
    best = models.ForeignKey(
        "GenerationImage", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    best_none = models.BooleanField(default=False, help_text="The rater said no image is clearly better.")
    best_picked = models.BooleanField(
        default=False, help_text="The rater picked the best (else the rules inferred it from the ratings)."
    )
    rated_at = models.DateTimeField(null=True, blank=True, help_text="When the set's rating was recorded.")
    rated_via = models.CharField(max_length=10, choices=Source.choices, blank=True)
    # Our forward of the rating to the Horde's generate/rate, and the reward it answered.
    submission = models.CharField(max_length=10, choices=Submission.choices, default=Submission.RECORDED)
    submission_attempts = models.PositiveSmallIntegerField(default=0)
    submission_error = models.CharField(max_length=300, blank=True, help_text="The Horde's refusal, in its words.")
    submitted_at = models.DateTimeField(null=True, blank=True)
    horde_reward = models.PositiveIntegerField(null=True, blank=True, help_text="Kudos the Horde answered.")
    # The body of `generate/rate` we send (and resend): the rater's validated choices, kept after a refusal so
    # the page can offer them again.
    submission_body = models.JSONField(default=dict, blank=True)
    # A worker (or the page) is calling the Horde for this set since then: nobody else sends it meanwhile.
    submission_sending_since = models.DateTimeField(null=True, blank=True)
    # An earlier call was sent but got no answer: the Horde may have accepted it, so a retry first looks for
    # its forward (`horde_intake_at`) and reads "already rated" as accepted.
    submission_uncertain = models.BooleanField(default=False)
    # When the Horde's own forward of this set reached our intake (`/api/v1/rating/set`). The intake
    # answers 2xx once to a set our site or a client is submitting, 403 to any later forward.
    horde_intake_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            # A rater's sets, newest first (/generations/).
            models.Index(F("rater"), F("created_at").desc(), name="genset_by_rater_newest"),
            # A rater's sets rated in the last minute (the flood count, ratings.limits).
            models.Index(
                fields=["rater", "rated_at"], name="genset_rated_by_rater", condition=Q(rated_at__isnull=False)
            ),
            # The background worker's retries.
            models.Index(fields=["submission"], name="genset_pending", condition=Q(submission="pending")),
        ]

    def __str__(self) -> str:
        return f"Generation set {self.request_id}"

    @property
    def is_rated(self) -> bool:
        return self.rated_at is not None

    @property
    def is_sending(self) -> bool:
        """Whether its rating is on its way to the Horde: recorded and not tried yet, or a send in flight (the set's
        page says "sending to the Horde…" and polls)."""
        return self.submission == self.Submission.PENDING and (
            not self.submission_attempts or self.submission_sending_since is not None
        )


class GenerationImage(models.Model):
    """One image of a set, as the Horde's `generate/status` lists it, and our lasting copy of it.

    The Horde's links expire within the hour, so a task copies each image into MEDIA_ROOT (`file`, with
    its size and content hash); until then `copy_state` is waiting, and a copy that keeps failing is marked
    failed rather than blocking the set.
    """

    class State(models.TextChoices):
        OK = "ok", "OK"
        CENSORED = "censored", "Censored"
        FAULTED = "faulted", "Faulted"

    class CopyState(models.TextChoices):
        WAITING = "waiting", "Waiting to be copied"
        COPIED = "copied", "Copied"
        FAILED = "failed", "Copy failed"

    generation_set = models.ForeignKey(GenerationSet, on_delete=models.CASCADE, related_name="images")
    generation_id = models.CharField(max_length=64, help_text="The Horde's generation id.")
    position = models.PositiveSmallIntegerField(default=0, help_text="Its place in the Horde's list.")
    url = models.URLField(max_length=2000, blank=True, help_text="The Horde's link; it expires.")
    model = models.CharField(max_length=200, blank=True)
    seed = models.CharField(max_length=64, blank=True, help_text="As the Horde sends it: a string.")
    state = models.CharField(max_length=10, choices=State.choices, default=State.OK)
    file = models.FileField(upload_to="generations/", blank=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    copy_state = models.CharField(max_length=10, choices=CopyState.choices, default=CopyState.WAITING)
    copy_attempts = models.PositiveSmallIntegerField(default=0)
    copy_error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["generation_set", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["generation_set", "generation_id"], name="generation_once_per_set"),
        ]
        indexes = [
            # The copy task's work list.
            models.Index(fields=["copy_state"], name="generation_copy_waiting", condition=Q(copy_state="waiting")),
        ]

    def __str__(self) -> str:
        return f"Generation {self.generation_id}"

    @property
    def faulted(self) -> bool:
        return self.state == self.State.FAULTED


class GenerationRating(models.Model):
    """The set's rater's judgement of one image, on the same scales as a dataset image's `Rating`.

    One per image: a set has one rater (its owner), and a set is rated once.
    """

    image = models.OneToOneField(GenerationImage, on_delete=models.CASCADE, related_name="rating")
    rating = models.PositiveSmallIntegerField(help_text="1 (Terrible) to 10 (Masterpiece).")
    artifacts = models.PositiveSmallIntegerField(null=True, blank=True, help_text="0 (Flawless) to 5 (Garbage).")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(rating__gte=1, rating__lte=10), name="generation_rating_1_to_10"),
            models.CheckConstraint(
                condition=Q(artifacts__isnull=True) | Q(artifacts__gte=0, artifacts__lte=5),
                name="generation_artifacts_0_to_5",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.image_id}: {self.rating}/{self.artifacts}"


class Preference(models.Model):
    """A pairwise preference: the rater judged `winner` better than `loser`, both of one set.

    A best-of pick is stored as one row per image it beat: the form preference scorers train on and the
    export publishes.
    """

    generation_set = models.ForeignKey(GenerationSet, on_delete=models.CASCADE, related_name="preferences")
    winner = models.ForeignKey(GenerationImage, on_delete=models.CASCADE, related_name="wins")
    loser = models.ForeignKey(GenerationImage, on_delete=models.CASCADE, related_name="losses")
    rater = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="preferences"
    )
    source = models.CharField(max_length=10, choices=Source.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["winner", "loser"], name="preference_once_per_pair"),
            models.CheckConstraint(condition=~Q(winner=F("loser")), name="preference_between_two_images"),
        ]
        indexes = [
            models.Index(fields=["loser"], name="preference_by_loser"),
            models.Index(fields=["generation_set"], name="preference_by_set"),
        ]

    def __str__(self) -> str:
        return f"{self.winner_id} > {self.loser_id}"
