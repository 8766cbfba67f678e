"""The API's rate limits: requests a minute per rater and per client address, counted in the database.

One row per rater (or address) and minute, shared by every gunicorn worker and every host, raised by a conditional
UPDATE that counts a request only while under its limit, the rater's and the address's rows in one statement
(raters.limits_store.count_hits; one Lua script on Redis): exact under parallel requests (200 at once against 120
let 120 through), on SQLite and PostgreSQL, with or without Redis. Not the
shared cache: the database cache's increment is a read then a write (157–226 of 200 got through 120) and it
culls entries when full. A fixed one-minute window; past the limit: 429 `{"message"}` with Retry-After, the
seconds left in the window.

Rating itself has its own, stricter rule (ratings.limits: RATINGS_PER_MINUTE_MAX, then a pause), shared with the
web pages; these limits protect the API as a whole (the queue, the moderators' calls, a key stuck in a loop).
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from rest_framework.throttling import BaseThrottle

from ratings_site.raters import limits_store
from ratings_site.raters.models import Rater
from ratings_site.raters.throttle import client_address

WINDOW_SECONDS = 60


def _name(scope: str, ident: str) -> str:
    return f"api-limit:{scope}:{hashlib.sha256(ident.encode()).hexdigest()}"


def count_request(scope: str, ident: str, *, limit: int, now: float | None = None) -> limits_store.Hit:
    """Count one request of `ident` in this minute if it is under `limit`: whether it was, and the seconds left."""
    return limits_store.count_hit(_name(scope, ident), window_seconds=WINDOW_SECONDS, limit=limit, now=now)


class _PerMinute(BaseThrottle):
    scope = ""

    def limit(self) -> int:
        raise NotImplementedError

    def ident(self, request) -> str | None:
        raise NotImplementedError

    def allow_request(self, request, view) -> bool:
        hit = _counted(request, view).get(self.scope)
        if hit is None:
            return True
        allowed, self.left = hit
        return allowed

    def wait(self) -> int:
        return self.left


def _counted(request, view) -> dict[str, limits_store.Hit]:
    """This request counted by every per-minute limit of the view, by scope: all of them in one statement
    (limits_store.count_hits), made by the first of them DRF asks and remembered on the request for the others."""
    counted = getattr(request, "_per_minute_hits", None)
    if counted is None:
        limits = {}
        for throttle in view.get_throttles():
            if isinstance(throttle, _PerMinute) and (ident := throttle.ident(request)) is not None:
                limits[throttle.scope] = (_name(throttle.scope, ident), throttle.limit())
        hits = limits_store.count_hits(dict(limits.values()), window_seconds=WINDOW_SECONDS)
        counted = request._per_minute_hits = {scope: hits[name] for scope, (name, _) in limits.items()}
    return counted


class PerAddressThrottle(_PerMinute):
    """API_REQUESTS_PER_MINUTE_PER_ADDRESS requests a minute from one client address."""

    scope = "address"

    def limit(self) -> int:
        return settings.API_REQUESTS_PER_MINUTE_PER_ADDRESS

    def ident(self, request) -> str | None:
        return client_address(request._request)


class PerRaterThrottle(_PerMinute):
    """API_REQUESTS_PER_MINUTE_PER_RATER requests a minute from one rater (an anonymous one is per address)."""

    scope = "rater"

    def limit(self) -> int:
        return settings.API_REQUESTS_PER_MINUTE_PER_RATER

    def ident(self, request) -> str | None:
        user = getattr(request, "user", None)
        return f"rater:{user.pk}" if isinstance(user, Rater) else None
