from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.utils import timezone

ANONYMOUS_HORDE_ID = 0
MODERATORS_GROUP = "moderators"


class RaterManager(UserManager):
    def get_by_natural_key(self, username: str) -> Rater:
        """Only local accounts (made with createsuperuser, no Horde id) log in by name and password.

        A Horde rater's name is display data that anyone on the Horde can pick, so it never names a
        local account, and two Horde raters may share one.
        """
        return self.get(**{self.model.USERNAME_FIELD: username, "horde_id__isnull": True})


class Rater(AbstractUser):
    """A person who rates, known by their Horde account.

    They log in with a Horde API key; the key itself is never stored here (the
    session keeps it encrypted, see raters.keys). Identity is the Horde id; the username
    is the Horde username ("name#id", cleaned and cut to fit), refreshed at every login.
    Every login with the anonymous key makes a rater of its own (horde_id 0), so anonymous
    people never share a history, a queue or a pause. Local accounts (no Horde id) log in
    to the admin with a password and are the only ones whose name is unique.
    """

    username = models.CharField(
        "username",
        max_length=150,
        help_text="The Horde username for raters (display only); a unique login name for local accounts.",
    )
    horde_id = models.BigIntegerField(null=True, blank=True)
    trusted = models.BooleanField(default=False)
    moderator = models.BooleanField(default=False, help_text="A moderator on the Horde.")
    flagged = models.BooleanField(default=False)
    account_age = models.BigIntegerField(default=0, help_text="Seconds, as the Horde reports it.")
    horde_kudos = models.BigIntegerField(
        null=True,
        blank=True,
        help_text="The rater's kudos on the Horde, as find_user last said (at login or an API key lookup), rounded. "
        "Each rating keeps the value of its moment (Rating.rater_kudos). Null until the Horde told us.",
    )
    banned_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When this site's moderators banned the rater (moderation.actions); the login's sync with the Horde "
        "never touches it. Standing is decided in raters.standing.",
    )
    ban_reason = models.CharField(max_length=500, blank=True, help_text="The moderators' reason, shown to the rater.")
    paused_until = models.DateTimeField(null=True, blank=True)
    pause_reason = models.CharField(max_length=200, blank=True)
    anonymous_client = models.CharField(
        max_length=64,
        blank=True,
        default="",
        help_text="For the API's anonymous rater of one client address: a keyed hash of that address (never the "
        "address). Empty for everyone else.",
    )
    welcome_dismissed = models.BooleanField(
        default=False, help_text="The rater closed the rate page's welcome panel for good."
    )
    hide_nsfw = models.BooleanField(
        default=False,
        help_text="The rater's NSFW preference (their settings page): their queue leaves out the images that raters "
        "tagged NSFW often enough or whose LAION punsafe is high (QueueEntry.nsfw). Off by default.",
    )
    in_top_raters = models.BooleanField(
        default=True,
        help_text="Whether the stats page may list the rater among its top raters (they can opt out on their settings "
        "page).",
    )

    # The header's "N rated today · M in all" on every page (ratings.context_processors), kept here so that no page
    # counts the rater's history: dataset ratings and passed check answers (to the rater they are ratings like any
    # other), whether they count or not (an invalidation or a ban leaves the figures alone). Kept by the rating rule
    # only (ratings.services: a rating or passed check stored adds one, an undo takes its own day's one away), under
    # the rater's lock (ratings.limits.lock_rater).
    ratings_total = models.PositiveIntegerField(default=0, help_text="The rater's ratings and passed checks, in all.")
    ratings_today = models.PositiveIntegerField(
        default=0, help_text="Their ratings and passed checks on `ratings_day` (0 on any other day)."
    )
    ratings_day = models.DateField(null=True, blank=True, help_text="The local day `ratings_today` counts.")

    objects = RaterManager()

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        constraints = [
            models.UniqueConstraint(
                fields=["horde_id"], condition=Q(horde_id__gt=ANONYMOUS_HORDE_ID), name="one_rater_per_horde_account"
            ),
            models.UniqueConstraint(
                fields=["username"], condition=Q(horde_id__isnull=True), name="local_account_names_unique"
            ),
            models.UniqueConstraint(
                fields=["anonymous_client"],
                condition=Q(horde_id=ANONYMOUS_HORDE_ID) & ~Q(anonymous_client=""),
                name="one_anonymous_api_rater_per_address",
            ),
            models.CheckConstraint(condition=Q(horde_id__gte=0) | Q(horde_id__isnull=True), name="horde_id_not_negative"),
        ]

    @property
    def is_horde_anonymous(self) -> bool:
        return self.horde_id == ANONYMOUS_HORDE_ID

    @property
    def earns_kudos(self) -> bool:
        return self.horde_id is not None and not self.is_horde_anonymous

    @property
    def no_kudos_reason(self) -> str:
        """Why this rater's ratings earn no kudos (raters.standing.no_kudos_reason), for the templates."""
        from ratings_site.raters.standing import no_kudos_reason

        return no_kudos_reason(self)

    def ratings_on(self, day) -> int:
        """The rater's ratings (and passed checks) of `day`, a local date: `ratings_today` when it counts that day."""
        return self.ratings_today if self.ratings_day == day else 0

    def active_pause(self) -> tuple[timezone.datetime, str] | None:
        if self.paused_until and self.paused_until > timezone.now():
            return self.paused_until, self.pause_reason
        return None


class SecurityCount(models.Model):
    """Security state that the cache must never hold, because evicting it opens a hole (raters.limits_store):
    a single-use marker (an embed token redeemed: `use_once`), a login limit's count (failed logins per address and
    per key, anonymous logins per address) and an API rate count (per rater and per address, one row a minute).
    One row per name; the row means nothing once `expires_at` has passed, and is deleted then (each new row first
    deletes the expired ones, so the table holds about one window's worth)."""

    name = models.CharField(max_length=200, primary_key=True)
    count = models.PositiveIntegerField(default=1)
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.name}: {self.count} until {self.expires_at:%Y-%m-%d %H:%M:%S}"
