"""Who may log in with a Horde key, and the local rater a key stands for.

One place for the login rules, used by the rater login (/login/) and the admin's login (/admin/login/):
the limits (raters.throttle), what the Horde says about the key (find_user), the refusals a person can
act on, the rater (identity is the Horde id; the name is display data) and the moderators' rights.
"""

from __future__ import annotations

import math

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Q

from ratings_site.horde import client as horde
from ratings_site.horde.client import HordeUser, clean_username
from ratings_site.raters import throttle
from ratings_site.raters.models import ANONYMOUS_HORDE_ID, MODERATORS_GROUP, Rater
from ratings_site.raters.standing import banned_message, follow_the_hordes_flag, is_banned, standing_changed
from ratings_site.refusals import Refusal

ANONYMOUS_USERNAME = "Anonymous#0"

# What a Horde moderator may do in the admin: see images, ratings, reports, captcha answers and raters, change
# images (the hide/unhide, NSFW and broken actions), and settle the kudos lines waiting for a moderator (the
# "send again" and "mark paid" actions change a line), act on images and raters and see those acts
# (moderation.actions). The group always has these (`moderators_group`); a local
# admin may give it more.
MODERATOR_PERMISSIONS = [
    ("datasets", "view_dataset"),
    ("datasets", "view_image"),
    ("datasets", "change_image"),
    ("predictor", "view_aestheticscore"),
    ("ratings", "view_rating"),
    ("ratings", "view_skip"),
    ("ratings", "view_captchaanswer"),
    ("ratings", "view_ratertag"),
    ("raters", "view_rater"),
    ("kudos", "view_kudosreward"),
    ("kudos", "change_kudosreward"),
    ("moderation", "act_on_images"),
    ("moderation", "act_on_raters"),
    ("moderation", "view_moderationaction"),
]


class SharedKeyRefused(Refusal):
    """Shared keys may not rate: ratings must come from the account's owner."""

    code = "shared_key_refused"
    status = 403


class LoginRefused(Refusal):
    """Why a key does not log in, in words for the person, with the HTTP status to answer."""

    code = "login_refused"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        status: int = 400,
        retry_after: int | None = None,
        about_key: bool = True,
    ):
        super().__init__(message, code=code, status=status, retry_after=retry_after)
        self.about_key = about_key  # shown at the key field, or (False) at the top of the form


def rater_for_key(*, apikey: str, address: str, fresh: bool = False) -> Rater:
    """The rater this Horde key stands for, made or refreshed from find_user; LoginRefused says why not.

    Failed attempts count against the address and the key (raters.throttle) and, past the limit, are
    refused before the Horde is asked. The Horde is given HORDE_LOGIN_TIMEOUT at most, so a slow Horde
    holds a web thread for seconds, not for HORDE_TIMEOUT. `fresh` asks the Horde even when its answer of
    the last FIND_USER_CACHE_SECONDS is at hand (the admin's login: moderator rights follow the Horde now).
    """
    try:
        throttle.check_login_allowed(address=address, apikey=apikey)
    except throttle.LoginThrottled as exc:
        raise LoginRefused(
            exc.message, code=exc.code, status=429, retry_after=exc.retry_after, about_key=False
        ) from None
    try:
        horde_user = horde.find_user(
            apikey, use_cache=not fresh, timeout=min(settings.HORDE_LOGIN_TIMEOUT, settings.HORDE_TIMEOUT)
        )
    except horde.MalformedAPIKey as exc:
        raise LoginRefused(exc.message, code="malformed_key") from None
    except horde.InvalidAPIKey:
        throttle.count_failed_login(address=address, apikey=apikey)
        raise LoginRefused(
            "The Horde does not know this API key. Check it (copy it again from your Horde account) "
            "or register for a free key at aihorde.net/register.",
            code="unknown_key",
        ) from None
    except horde.HordeUnavailable:
        raise LoginRefused(
            "The Horde is not answering right now. Please try again in a minute.",
            code="horde_unavailable",
            status=503,
            retry_after=30,
            about_key=False,
        ) from None
    except horde.HordeRejected as exc:
        throttle.count_failed_login(address=address, apikey=apikey)
        raise LoginRefused(f"The Horde refused this key: {exc.message}", code="key_refused_by_horde") from None
    except horde.UnusableHordeUser:
        raise LoginRefused(
            "The Horde sent an account this site cannot use, so you cannot log in with it here. "
            "Please tell the site's moderators.",
            code="unusable_horde_account",
            status=502,
            about_key=False,
        ) from None
    if horde_user.is_anonymous:
        try:
            throttle.check_anonymous_login_allowed(address=address)
        except throttle.LoginThrottled as exc:
            raise LoginRefused(
                exc.message, code=exc.code, status=429, retry_after=exc.retry_after, about_key=False
            ) from None
    try:
        rater = rater_from_horde_user(user=horde_user)
    except SharedKeyRefused:
        raise LoginRefused(
            "This is a shared key. Ratings must come from the account's owner, so shared keys "
            "cannot rate here. Log in with your own Horde API key.",
            code="shared_key_refused",
        ) from None
    if is_banned(rater):  # told why, and not let in (the ban is this site's own: raters.standing)
        raise LoginRefused(banned_message(rater), code="banned", status=403, about_key=False)
    if rater.is_horde_anonymous:
        throttle.count_anonymous_login(address=address)
    return rater


@transaction.atomic
def rater_from_horde_user(*, user: HordeUser) -> Rater:
    """Create or update the local rater from the Horde's find_user answer.

    Identity is the Horde id. The anonymous account (id 0) gets a new rater at every login, named
    Anonymous#0 whatever the answer says, so anonymous people never share ratings or pauses and an odd
    answer cannot rename anyone.
    """
    if user.is_shared_key:
        raise SharedKeyRefused(user.username)
    if user.id == ANONYMOUS_HORDE_ID:
        rater = Rater(
            horde_id=ANONYMOUS_HORDE_ID,
            username=ANONYMOUS_USERNAME,
            account_age=user.account_age,
            horde_kudos=whole_kudos(user.kudos),
        )
        rater.set_unusable_password()
        rater.save()
        return rater
    rater, created = Rater.objects.select_for_update().get_or_create(
        horde_id=user.id,
        defaults={"username": clean_username(user.username, horde_id=user.id)},
    )
    rater.username = clean_username(user.username, horde_id=user.id)
    rater.trusted = user.trusted
    rater.moderator = user.moderator
    flag_turned = follow_the_hordes_flag(rater, user)
    rater.account_age = user.account_age
    rater.horde_kudos = whole_kudos(user.kudos)
    if created:
        rater.set_unusable_password()
    _follow_horde_moderator_flag(rater)
    rater.save()
    if flag_turned:  # the Horde's flag is part of the rater's standing: their ratings stop or start counting
        standing_changed.send(sender=Rater, rater=rater)
    return rater


def whole_kudos(kudos: float) -> int | None:
    """The Horde's kudos (a float) as the whole number a rater and their ratings keep; None when it is not a
    finite number that fits a 64-bit column."""
    if not math.isfinite(kudos) or abs(kudos) >= 2**63 - 1:
        return None
    return round(kudos)


def moderators_group() -> Group:
    """The "moderators" group, with every permission of MODERATOR_PERMISSIONS.

    Those it lacks are added each time it is fetched (at every Horde login), so a database made before a
    permission joined the list gets it without a data migration; when none is missing that costs one query.
    """
    group, _ = Group.objects.get_or_create(name=MODERATORS_GROUP)
    wanted = Q()
    for app_label, codename in MODERATOR_PERMISSIONS:
        wanted |= Q(content_type__app_label=app_label, codename=codename)
    missing = list(Permission.objects.filter(wanted).exclude(group=group))
    if missing:
        group.permissions.add(*missing)
    return group


def _follow_horde_moderator_flag(rater: Rater) -> None:
    """A Horde moderator is staff in the moderators group; one the Horde no longer calls so loses both
    (unless a local admin made them superuser or gave them another group)."""
    group = moderators_group()
    if rater.moderator:
        rater.is_staff = True
        rater.groups.add(group)
        return
    rater.groups.remove(group)
    rater.is_staff = rater.is_superuser or rater.groups.exists()
