"""Who is calling: a rater by the Horde API key in the `apikey` header, or the Horde itself (the intake).

The key is resolved as the login does (`raters.services.rater_for_key`: the login limits, find_user cached by
the key's hash, the rater made or refreshed); it is never stored nor logged. The anonymous key is refused here:
an anonymous person has no lasting rater (each login is a new one), so nothing they register could be theirs
later, and anonymous sets earn nothing.

The Horde sends no credential of its own: its forward of rated sets is accepted only with the shared secret
HORDE_RATINGS_SET_TOKEN in `X-Ratings-Set-Token` (compared in constant time), or from an address listed in
HORDE_RATINGS_SET_ALLOWED_IPS. With neither set, the intake is off.
"""

from __future__ import annotations

import hmac
import ipaddress

from django.conf import settings
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed, NotAuthenticated, PermissionDenied
from rest_framework.permissions import BasePermission

from ratings_site.api.exceptions import APIRefusal
from ratings_site.horde import client as horde
from ratings_site.raters.models import Rater
from ratings_site.raters.services import LoginRefused, rater_for_key
from ratings_site.raters.throttle import client_address

ANONYMOUS_REFUSED = (
    "The anonymous key cannot register sets: they would have no owner and earn nothing. "
    "Use your own Horde API key (free at aihorde.net/register)."
)


class HordeAPIKeyAuthentication(BaseAuthentication):
    """The rater whose Horde API key is in the `apikey` header; refusals say why, in JSON."""

    def authenticate(self, request) -> tuple[Rater, None]:
        apikey = request.headers.get("apikey")
        if apikey is None or not apikey.strip():
            raise NotAuthenticated("Send your Horde API key in the apikey header.")
        apikey = apikey.strip()
        try:
            horde.check_api_key(apikey)
        except horde.MalformedAPIKey as exc:
            raise AuthenticationFailed(exc.message) from None
        if apikey == horde.ANONYMOUS_API_KEY:
            raise PermissionDenied(ANONYMOUS_REFUSED)
        try:
            rater = rater_for_key(apikey=apikey, address=client_address(request._request))
        except LoginRefused as exc:
            if exc.status == 400:  # the Horde does not know the key, or it may not rate (a shared key)
                raise AuthenticationFailed(exc.message) from None
            raise APIRefusal(exc.status, exc.message, wait=exc.retry_after) from None
        if rater.is_horde_anonymous:
            raise PermissionDenied(ANONYMOUS_REFUSED)
        return rater, None

    def authenticate_header(self, request) -> str:
        return "apikey"


class HasRater(BasePermission):
    def has_permission(self, request, view) -> bool:
        if not isinstance(request.user, Rater):
            raise NotAuthenticated("Send your Horde API key in the apikey header.")
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
