"""Who is calling: a rater by the Horde API key in the `apikey` header, or the Horde itself (the intake).

The key is resolved as the login does (`raters.services.rater_for_key`: the login limits, find_user, the rater
made or refreshed), then remembered for API_KEY_CACHE_SECONDS under the key's hash (never the key), so that a
client's stream of ratings costs one cache read and one rater row per call, not a call to the Horde. A Horde
moderator is asked about again on each call that gives moderators rights (not the rating calls), as the admin does (raters.moderator_rights: find_user through its own
cache), so the moderators' calls follow the Horde within the admin's bound, FIND_USER_CACHE_SECONDS. The key
itself is never stored nor logged. API calls know no session and no CSRF: a session cookie alone reaches nothing.

The anonymous key: `HordeAPIKeyAuthentication` refuses it (what an anonymous person registers could never be
theirs later, and earns nothing); `RatingKeyAuthentication` (rating dataset images) takes it, as the old
service did, as the *anonymous rater of the calling address*: one lasting rater per address (a keyed hash of
the address, never the address, in `Rater.anonymous_client`), so an anonymous client has its own queue, never
rates an image twice and is paused like anyone, and earns nothing.

The Horde sends no credential of its own (a plain POST of JSON, shared/horde-wire.md §2), so its forward of rated
sets is known by its address: one listed in HORDE_RATINGS_SET_ALLOWED_IPS (addresses and networks), read as
`raters.throttle.client_address` reads it (REMOTE_ADDR, or behind FORWARDED_PROXIES trusted proxies the entry of
X-Forwarded-For the outermost of them wrote, never one a client wrote). An operator who proxies the Horde's call
may instead have the proxy send HORDE_RATINGS_SET_TOKEN in `X-Ratings-Set-Token` (compared in constant time).
Any other caller gets 401 naming the fix, never 403: the Horde reads 403 as "this generation appears already
rated" and pays nothing. With neither setting the intake takes nothing (401 saying so; `manage.py check
--deploy` warns, api.checks).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import logging

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed, NotAuthenticated, PermissionDenied
from rest_framework.permissions import BasePermission

from ratings_site.api.exceptions import APIRefusal
from ratings_site.compiled_queries import OneRowQuery
from ratings_site.horde import client as horde
from ratings_site.raters import moderator_rights
from ratings_site.raters.backends import horde_rater
from ratings_site.raters.models import ANONYMOUS_HORDE_ID, Rater
from ratings_site.raters.services import ANONYMOUS_USERNAME, LoginRefused, rater_for_key
from ratings_site.raters.standing import banned_message, is_banned
from ratings_site.raters.throttle import client_address

logger = logging.getLogger(__name__)

ANONYMOUS_REFUSED = (
    "The anonymous key cannot register sets: they would have no owner and earn nothing. "
    "Use your own Horde API key (free at aihorde.net/register)."
)


NO_KEY = "Send your Horde API key in the apikey header (the anonymous key 0000000000 may rate, and earns nothing)."


def _cache_name(apikey: str) -> str:
    return "api-rater:" + horde.key_hash(apikey)


# The rater a remembered key stands for, and an address's anonymous rater: read on every rating call.
_remembered_rater = horde_rater
_anonymous_rater = OneRowQuery(
    lambda client: Rater.objects.filter(horde_id=ANONYMOUS_HORDE_ID, anonymous_client=client)[:1],
    client=Rater._meta.get_field("anonymous_client"),
)


def rater_for_api_key(*, apikey: str, address: str, moderator_rights_matter: bool = True) -> Rater:
    """The (not anonymous) rater a key stands for: remembered by the key's hash for API_KEY_CACHE_SECONDS, else
    resolved through `rater_for_key` (find_user). Raises LoginRefused.

    A remembered Horde moderator is asked about again on every call where their rights matter (raters.moderator_rights,
    the admin's rule: find_user through its own cache), so one the Horde demoted loses the moderators' calls within
    FIND_USER_CACHE_SECONDS, as they lose the admin, not API_KEY_CACHE_SECONDS; while the Horde does not answer
    they keep them, as they keep the admin. Rating calls, where a moderator is a rater like any other
    (`moderator_rights_matter` False), never wait for the Horde once the key is remembered."""
    name = _cache_name(apikey)
    remembered = cache.get(name)
    if remembered is not None:
        rater = _remembered_rater.get(pk=remembered)
        if rater is not None and (
            not moderator_rights_matter
            or not moderator_rights.follows_the_horde(rater)
            or moderator_rights.horde_still_says_moderator(rater=rater, apikey=apikey) is not False
        ):
            return rater
    rater = rater_for_key(apikey=apikey, address=address)
    if not rater.is_horde_anonymous and settings.API_KEY_CACHE_SECONDS:
        cache.set(name, rater.pk, timeout=settings.API_KEY_CACHE_SECONDS)
    return rater


def anonymous_client_hash(address: str) -> str:
    """A keyed hash of a client address: tells anonymous API clients apart without storing where they are."""
    return hmac.new(settings.SECRET_KEY.encode(), f"anonymous-api:{address}".encode(), hashlib.sha256).hexdigest()


def anonymous_rater_for(address: str) -> Rater:
    """The anonymous rater of this client address, made the first time it rates through the API."""
    client = anonymous_client_hash(address)
    rater = _anonymous_rater.get(client=client)
    if rater is not None:
        return rater
    try:
        with transaction.atomic():
            rater = Rater(horde_id=ANONYMOUS_HORDE_ID, username=ANONYMOUS_USERNAME, anonymous_client=client)
            rater.set_unusable_password()
            rater.save()
            return rater
    except IntegrityError:  # the same address's parallel first call made it
        return Rater.objects.get(horde_id=ANONYMOUS_HORDE_ID, anonymous_client=client)


class HordeAPIKeyAuthentication(BaseAuthentication):
    """The rater whose Horde API key is in the `apikey` header; refusals say why, in JSON. The anonymous key is
    refused unless `allow_anonymous`."""

    allow_anonymous = False
    # Whether the calls behind it give a Horde moderator rights, so that a remembered moderator is asked about again
    # (`rater_for_api_key`).
    moderator_rights_matter = True

    def authenticate(self, request) -> tuple[Rater, None]:
        apikey = request.headers.get("apikey")
        if apikey is None or not apikey.strip():
            raise NotAuthenticated(NO_KEY)
        apikey = apikey.strip()
        try:
            horde.check_api_key(apikey)
        except horde.MalformedAPIKey as exc:
            raise AuthenticationFailed(exc.message) from None
        address = client_address(request._request)
        if apikey == horde.ANONYMOUS_API_KEY:
            if not self.allow_anonymous:
                raise PermissionDenied(ANONYMOUS_REFUSED)
            rater = anonymous_rater_for(address)
        else:
            try:
                rater = rater_for_api_key(
                    apikey=apikey, address=address, moderator_rights_matter=self.moderator_rights_matter
                )
            except LoginRefused as exc:
                if exc.status == 400:  # the Horde does not know the key, or it may not rate (a shared key)
                    raise AuthenticationFailed(exc.message) from None
                raise  # throttled, or the Horde is down: answered by api.errors, with Retry-After
            if rater.is_horde_anonymous and not self.allow_anonymous:
                raise PermissionDenied(ANONYMOUS_REFUSED)
        if is_banned(rater):
            raise PermissionDenied(banned_message(rater))
        return rater, None

    def authenticate_header(self, request) -> str:
        return "apikey"


class RatingKeyAuthentication(HordeAPIKeyAuthentication):
    """For rating dataset images (and their tags, and the embed token): the anonymous key too, as the anonymous rater
    of the calling address. A moderator rates as anyone does: no Horde call for their rights."""

    allow_anonymous = True
    moderator_rights_matter = False


class HasRater(BasePermission):
    def has_permission(self, request, view) -> bool:
        if not isinstance(request.user, Rater):
            raise NotAuthenticated(NO_KEY)
        return True


def address_allowed(address: str, allowed: list[str]) -> bool:
    """Whether `address` is one of, or inside one of, the addresses or networks listed."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    for entry in allowed:
        try:
            if ip in ipaddress.ip_network(entry, strict=False):
                return True
        except (ValueError, TypeError):
            continue
    return False


def token_matches(sent: str | None, expected: str) -> bool:
    if not sent or not expected:
        return False
    return hmac.compare_digest(sent.encode("utf-8", "replace"), expected.encode("utf-8", "replace"))


INTAKE_NOT_CONFIGURED = (
    "This site takes no rated sets yet: its intake is not configured. Its operator lists the AI Horde's addresses "
    "in HORDE_RATINGS_SET_ALLOWED_IPS (behind a proxy, also sets FORWARDED_PROXIES), or sets HORDE_RATINGS_SET_TOKEN "
    "for a proxy of theirs that sends it in X-Ratings-Set-Token."
)


class NotTheHorde(APIRefusal):
    """401 for a forward of rated sets the intake cannot tell comes from the Horde. Never 403: the Horde reads 403
    as "this generation appears already rated"; 401 reaches its client as "Rating Server returned error: ..."."""

    auth_header = 'X-Ratings-Set-Token realm="rated sets"'  # a 401 names how to authenticate (RFC 9110 §11.6.1)

    def __init__(self, message: str):
        super().__init__(401, message)


def _shown(address: str) -> str:
    """The caller's address for the message, or a stand-in when it is not one (a misconfigured proxy's entry)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return "an address that is not an IP address"
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return str(ip.ipv4_mapped)  # as address_allowed compares it
    return str(ip)


def not_the_horde_message(*, address: str, token_sent: bool) -> str:
    """What a caller the intake does not take is told: where it called from and how the operator lets it in
    (never the token)."""
    message = (
        f"Only the AI Horde may post rated sets here. This call came from {_shown(address)}, which is not in "
        "HORDE_RATINGS_SET_ALLOWED_IPS: list the Horde's addresses there (behind a proxy, set FORWARDED_PROXIES), "
        "or send HORDE_RATINGS_SET_TOKEN in X-Ratings-Set-Token."
    )
    if token_sent:
        if settings.HORDE_RATINGS_SET_TOKEN:
            message += " The X-Ratings-Set-Token sent is not this site's."
        else:
            message += " This site has no HORDE_RATINGS_SET_TOKEN, so X-Ratings-Set-Token counts for nothing."
    return message


class FromTheHorde(BasePermission):
    """The Horde's forward of rated sets: from an address in HORDE_RATINGS_SET_ALLOWED_IPS (the connection's, or the
    one the trusted proxies saw when FORWARDED_PROXIES is set), or with the optional HORDE_RATINGS_SET_TOKEN in
    X-Ratings-Set-Token; otherwise 401 (NotTheHorde), before the body is read."""

    def has_permission(self, request, view) -> bool:
        token = settings.HORDE_RATINGS_SET_TOKEN
        allowed = settings.HORDE_RATINGS_SET_ALLOWED_IPS
        if not token and not allowed:
            raise NotTheHorde(INTAKE_NOT_CONFIGURED)
        sent = request.headers.get("X-Ratings-Set-Token")
        if token_matches(sent, token):
            return True
        address = client_address(request._request)
        if allowed and address_allowed(address, allowed):
            return True
        logger.warning("A forward of rated sets from %s refused: not in HORDE_RATINGS_SET_ALLOWED_IPS", _shown(address))
        raise NotTheHorde(not_the_horde_message(address=address, token_sent=bool(sent)))
