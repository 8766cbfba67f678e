"""Who is calling: a rater by the Horde API key in the `apikey` header, or the Horde itself (the intake).

The key is resolved as the login does (`raters.services.rater_for_key`: the login limits, find_user, the rater
made or refreshed), then remembered for API_KEY_CACHE_SECONDS under the key's hash (never the key), so that a
client's stream of ratings costs one cache read and one rater row per call, not a call to the Horde. The key
itself is never stored nor logged. API calls know no session and no CSRF: a session cookie alone reaches nothing.

The anonymous key: `HordeAPIKeyAuthentication` refuses it (what an anonymous person registers could never be
theirs later, and earns nothing); `RatingKeyAuthentication` (rating dataset images) takes it, as the old
service did, as the *anonymous rater of the calling address*: one lasting rater per address (a keyed hash of
the address, never the address, in `Rater.anonymous_client`), so an anonymous client has its own queue, never
rates an image twice and is paused like anyone, and earns nothing.

The Horde sends no credential of its own: its forward of rated sets is accepted only with the shared secret
HORDE_RATINGS_SET_TOKEN in `X-Ratings-Set-Token` (compared in constant time), or from an address listed in
HORDE_RATINGS_SET_ALLOWED_IPS. With neither set, the intake is off.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed, NotAuthenticated, PermissionDenied
from rest_framework.permissions import BasePermission

from ratings_site.api.exceptions import APIRefusal
from ratings_site.horde import client as horde
from ratings_site.raters.models import ANONYMOUS_HORDE_ID, Rater
from ratings_site.raters.services import ANONYMOUS_USERNAME, LoginRefused, rater_for_key
from ratings_site.raters.throttle import client_address

ANONYMOUS_REFUSED = (
    "The anonymous key cannot register sets: they would have no owner and earn nothing. "
    "Use your own Horde API key (free at aihorde.net/register)."
)


NO_KEY = "Send your Horde API key in the apikey header (the anonymous key 0000000000 may rate, and earns nothing)."
ACCOUNT_CLOSED = "This account may not use this site. Ask the site's moderators if you think this is a mistake."


def _cache_name(apikey: str) -> str:
    return "api-rater:" + horde.key_hash(apikey)


def rater_for_api_key(*, apikey: str, address: str) -> Rater:
    """The (not anonymous) rater a key stands for: remembered by the key's hash for API_KEY_CACHE_SECONDS, else
    resolved through `rater_for_key` (find_user). Raises LoginRefused."""
    name = _cache_name(apikey)
    remembered = cache.get(name)
    if remembered is not None:
        rater = Rater.objects.filter(pk=remembered, horde_id__isnull=False).first()
        if rater is not None:
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
    rater = Rater.objects.filter(horde_id=ANONYMOUS_HORDE_ID, anonymous_client=client).first()
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
                rater = rater_for_api_key(apikey=apikey, address=address)
            except LoginRefused as exc:
                if exc.status == 400:  # the Horde does not know the key, or it may not rate (a shared key)
                    raise AuthenticationFailed(exc.message) from None
                raise APIRefusal(exc.status, exc.message, wait=exc.retry_after) from None
            if rater.is_horde_anonymous and not self.allow_anonymous:
                raise PermissionDenied(ANONYMOUS_REFUSED)
        if not rater.is_active:
            raise PermissionDenied(ACCOUNT_CLOSED)
        return rater, None

    def authenticate_header(self, request) -> str:
        return "apikey"


class RatingKeyAuthentication(HordeAPIKeyAuthentication):
    """For rating dataset images: the anonymous key too, as the anonymous rater of the calling address."""

    allow_anonymous = True


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


class FromTheHorde(BasePermission):
    """The Horde's forward of rated sets: the token, or a listed address (REMOTE_ADDR, or the address the trusted
    proxies saw when FORWARDED_PROXIES is set); otherwise 403."""

    def has_permission(self, request, view) -> bool:
        token = settings.HORDE_RATINGS_SET_TOKEN
        allowed = settings.HORDE_RATINGS_SET_ALLOWED_IPS
        if not token and not allowed:
            raise PermissionDenied(
                "This site takes no rated sets from the Horde: neither HORDE_RATINGS_SET_TOKEN nor "
                "HORDE_RATINGS_SET_ALLOWED_IPS is set."
            )
        if token_matches(request.headers.get("X-Ratings-Set-Token"), token):
            return True
        if allowed and address_allowed(client_address(request._request), allowed):
            return True
        raise PermissionDenied("Only the AI Horde may post rated sets here.")
