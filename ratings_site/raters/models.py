from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone

ANONYMOUS_HORDE_ID = 0


class Rater(AbstractUser):
    """A person who rates, known by their Horde account.

    They log in with a Horde API key; the key itself is never stored here (the
    session keeps it encrypted, see raters.keys). Django's username holds the
    Horde username ("name#id"), refreshed at every login.
    """

    horde_id = models.BigIntegerField(unique=True, null=True, blank=True)
    trusted = models.BooleanField(default=False)
    moderator = models.BooleanField(default=False, help_text="A moderator on the Horde.")
    flagged = models.BooleanField(default=False)
    account_age = models.BigIntegerField(default=0, help_text="Seconds, as the Horde reports it.")
    paused_until = models.DateTimeField(null=True, blank=True)
    pause_reason = models.CharField(max_length=200, blank=True)
    welcome_dismissed = models.BooleanField(
        default=False, help_text="The rater closed the rate page's welcome panel for good."
    )

    @property
    def is_horde_anonymous(self) -> bool:
        return self.horde_id == ANONYMOUS_HORDE_ID

    @property
    def earns_kudos(self) -> bool:
        return self.horde_id is not None and not self.is_horde_anonymous

    def active_pause(self) -> tuple[timezone.datetime, str] | None:
        if self.paused_until and self.paused_until > timezone.now():
            return self.paused_until, self.pause_reason
        return None
