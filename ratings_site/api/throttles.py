"""The API's rate limits: requests a minute per rater and per client address, counted in the shared cache.

The cache is the database cache by default and Redis when REDIS_URL is set (settings.CACHES), so every gunicorn
worker and every host counts together. A fixed one-minute window per rater and per address: the first request
of a window adds the counter (`cache.add`), the others increment it. On Redis the increment is atomic (INCR);
on the database cache it is a read and a write, so requests racing in the same millisecond may be counted
once — a limit against floods, not an exact meter. Past the limit: 429 `{"message"}` with Retry-After, the
seconds left in the window.

Rating itself has its own, stricter rule (ratings.limits: RATINGS_PER_MINUTE_MAX, then a pause), shared with the
web pages; these limits protect the API as a whole (the queue, the moderators' calls, a key stuck in a loop).
"""

from __future__ import annotations

import hashlib
import math
import time

from django.conf import settings
from django.core.cache import cache
from rest_framework.throttling import BaseThrottle

from ratings_site.raters.models import Rater
from ratings_site.raters.throttle import client_address

WINDOW_SECONDS = 60


def count_request(scope: str, ident: str, now: float | None = None) -> tuple[int, float]:
    """Count one request of `ident` in this window; returns (requests in the window so far, seconds left)."""
    now = time.time() if now is None else now
    window = int(now // WINDOW_SECONDS)
    name = f"api-limit:{scope}:{hashlib.sha256(ident.encode()).hexdigest()}:{window}"
    if cache.add(name, 1, timeout=WINDOW_SECONDS * 2):
        count = 1
    else:
        try:
            count = cache.incr(name)
        except ValueError:  # it expired between add and incr
            cache.add(name, 1, timeout=WINDOW_SECONDS * 2)
            count = 1
    return count, (window + 1) * WINDOW_SECONDS - now


class _PerMinute(BaseThrottle):
    scope = ""

    def limit(self) -> int:
        raise NotImplementedError

    def ident(self, request) -> str | None:
        raise NotImplementedError

    def allow_request(self, request, view) -> bool:
        ident = self.ident(request)
        if ident is None:
            return True
        count, self.left = count_request(self.scope, ident)
        return count <= self.limit()

    def wait(self) -> int:
        return max(1, math.ceil(self.left))


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
