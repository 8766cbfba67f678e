"""A rater's standing: the one place that decides whether a rater may rate, and whether their ratings count.

Two things make a rater's standing, and they have different owners:
- the local ban (`Rater.banned_at`, `Rater.ban_reason`): set and lifted by this site's moderators
  (moderation.actions), never touched by the login's sync with the Horde. A rater deactivated by hand in the
  admin (`is_active` False) stands as banned too, with a reason saying so;
- the Horde's `flagged`: the Horde's word, refreshed at every login. A flagged rater may rate (and is told
  their ratings earn no kudos), but their ratings do not count.

A rating counts (`Rating.counts`) when its rater counts (`rater_counts`) and no moderator invalidated it
(`Rating.invalidated`). Only counted ratings are in an image's counters (`ratings_count`, `rating_sum`, ...),
so the queue, the means, the moderators' divergences, the export and training all see one population. The flag
is stored on the rating, kept by ratings.counting when the rater's standing changes (the `standing_changed`
signal below, sent by this module's callers), so that no query over millions of ratings joins the raters.

Every caller asks here: the login (raters.services), the web session (raters.backends), the API's key lookup,
the embed token, the rating rules (ratings.limits.check_may_rate), the kudos rule, the export and training
(through `Rating.counts`). tests/test_standing_decided_in_one_module.py keeps it so.
"""

from __future__ import annotations

from django.db.models import Q
from django.dispatch import Signal
from django.utils import timezone

from ratings_site.horde.client import HordeUser
from ratings_site.raters.models import Rater

# The rater's fields that make their standing: read again with the rater's lock (ratings.limits.lock_rater).
STANDING_FIELDS = ("banned_at", "ban_reason", "is_active", "flagged")

# Sent (sender=Rater, rater=...) after a rater's standing changed: a ban, an unban, the Horde's flag turning.
# ratings.counting listens and brings `Rating.counts` and the image counters in step.
standing_changed = Signal()

DEACTIVATED_REASON = "This account was deactivated by the site's administrators."


def is_banned(rater: Rater) -> bool:
    return rater.banned_at is not None or not rater.is_active


def ban_reason(rater: Rater) -> str:
    """Why the rater is banned, as moderators wrote it for them (empty when they are not)."""
    if rater.banned_at is not None:
        return rater.ban_reason or "No reason was given."
    if not rater.is_active:
        return DEACTIVATED_REASON
    return ""


def banned_message(rater: Rater) -> str:
    return f"This Horde account is banned from rating here. The moderators' reason: {ban_reason(rater)}"


def rater_counts(rater: Rater) -> bool:
    """Whether the rater's ratings count (in the counters, the export and training)."""
    return not is_banned(rater) and not rater.flagged


def counting_raters(prefix: str = "") -> Q:
    """The raters whose ratings count, as a filter (`prefix` e.g. "rater__" from a rating): the SQL form of
    `rater_counts`, for the rare query over raters (the ratings carry `counts`)."""
    return Q(**{f"{prefix}banned_at__isnull": True, f"{prefix}is_active": True, f"{prefix}flagged": False})


def earns_kudos(rater: Rater) -> bool:
    """Whether this site pays the rater kudos: a Horde account (not the anonymous one) in good standing."""
    return rater.earns_kudos and rater_counts(rater)


def no_kudos_reason(rater: Rater) -> str:
    """Why this rater's ratings earn no kudos, in a few words for the status line ("no kudos: account flagged");
    empty when they earn them. The reasons of `earns_kudos`, which the pages tell the rater:
    tests/test_no_kudos_reason_follows_the_kudos_rule.py keeps the two in step."""
    if rater.horde_id is None:
        return "not a Horde account"
    if rater.is_horde_anonymous:
        return "anonymous key"
    if is_banned(rater):
        return "account banned"
    if rater.flagged:
        return "account flagged"
    return ""


def set_ban(rater: Rater, reason: str) -> None:
    """Ban the rater here (moderation.actions.ban records the act): their ratings stop counting."""
    rater.banned_at, rater.ban_reason = timezone.now(), reason
    rater.save(update_fields=["banned_at", "ban_reason"])
    standing_changed.send(sender=Rater, rater=rater)


def lift_ban(rater: Rater) -> None:
    """Lift the rater's ban (moderation.actions.unban records the act): their ratings count again."""
    rater.banned_at, rater.ban_reason = None, ""
    rater.save(update_fields=["banned_at", "ban_reason"])
    standing_changed.send(sender=Rater, rater=rater)


def follow_the_hordes_flag(rater: Rater, horde_user: HordeUser) -> bool:
    """Take the Horde's flag from its find_user answer (at every login); True when it turned, so that the caller
    sends `standing_changed` once the rater is saved."""
    turned = rater.flagged != horde_user.flagged
    rater.flagged = horde_user.flagged
    return turned
