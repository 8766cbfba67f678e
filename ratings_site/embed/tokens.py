"""The embed token: how a client app lets its user into a framed rating page without the Horde key.

The client exchanges the user's key at `POST /api/v1/embed/token` for a token signed with SECRET_KEY, bound to the
rater and to the embedding origin, valid EMBED_TOKEN_SECONDS, and puts it in the frame's URL (`?token=`). The frame
redeems it once (`redeem`): a second use, an expired, tampered or foreign token is refused with a reason the page
shows. The key itself never enters the token, the URL, the page or a log.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.utils import timezone

from ratings_site.raters import limits_store
from ratings_site.raters.models import Rater
from ratings_site.raters.standing import banned_message, is_banned
from ratings_site.refusals import Refusal

SALT = "horde-ratings.embed-token"


class TokenRefused(Refusal):
    """Why a token does not open the frame, in words for the person looking at it."""

    code = "token_refused"
    status = 403


@dataclass(frozen=True)
class IssuedToken:
    token: str
    expires: datetime


def origin_allowed(origin: str) -> bool:
    return origin.rstrip("/") in settings.EMBED_ALLOWED_ORIGINS


def issue(*, rater: Rater, origin: str) -> IssuedToken:
    """A fresh token for this rater, to be framed by `origin` (which must be in EMBED_ALLOWED_ORIGINS)."""
    origin = origin.rstrip("/")
    if not origin_allowed(origin):
        raise TokenRefused(f"{origin!r} may not embed this site's pages: it is not in EMBED_ALLOWED_ORIGINS.")
    token = signing.dumps({"r": rater.pk, "o": origin, "n": secrets.token_urlsafe(12)}, salt=SALT, compress=True)
    return IssuedToken(token=token, expires=timezone.now() + timedelta(seconds=settings.EMBED_TOKEN_SECONDS))


@dataclass(frozen=True)
class Redeemed:
    rater: Rater
    origin: str


def origin_of(token: str) -> str | None:
    """The origin a token was issued for, without redeeming it (so that the frame can be checked first), or None
    for a token that is not valid: `redeem` then says why."""
    try:
        data = signing.loads(token, salt=SALT, max_age=settings.EMBED_TOKEN_SECONDS)
    except signing.BadSignature:
        return None
    return str(data["o"]) if isinstance(data, dict) and "o" in data else None


def redeem(token: str) -> Redeemed:
    """The rater and origin of a token, once: raises TokenRefused when it is expired, used, tampered with, for an
    origin no longer allowed, or for a rater who may no longer rate."""
    try:
        data = signing.loads(token, salt=SALT, max_age=settings.EMBED_TOKEN_SECONDS)
    except signing.SignatureExpired:
        raise TokenRefused(
            "This frame's sign-in has expired (it is valid for a few minutes). Reload the app that shows this page."
        ) from None
    except signing.BadSignature:
        raise TokenRefused("This frame's sign-in is not valid. Reload the app that shows this page.") from None
    if not isinstance(data, dict) or not {"r", "o", "n"} <= set(data):
        raise TokenRefused("This frame's sign-in is not valid. Reload the app that shows this page.")
    if not origin_allowed(str(data["o"])):
        raise TokenRefused("The app showing this page may no longer embed it.")
    # Single use: the first redemption claims the nonce, in the database (a cache may evict the marker).
    if not limits_store.use_once(f"embed-token-used:{data['n']}", ttl_seconds=settings.EMBED_TOKEN_SECONDS + 60):
        raise TokenRefused("This frame's sign-in was already used. Reload the app that shows this page.")
    rater = Rater.objects.filter(pk=data["r"], horde_id__isnull=False).first()
    if rater is None:
        raise TokenRefused("This account may not rate here.")
    if is_banned(rater):
        raise TokenRefused(banned_message(rater))
    return Redeemed(rater=rater, origin=str(data["o"]))
