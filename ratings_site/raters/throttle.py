"""Limits on logging in, counted in the database (raters.limits_store) so that every web process counts together
and no count is forgotten early: the shared cache may evict any entry (the database cache culls a third of its
300 entries when full), which let a throttled address guess again.

Counted per client address and per key (by its hash, never the key): failed logins (a key the Horde
does not know, or refuses) and anonymous logins (each makes a new rater), each count over LOGIN_THROTTLE_SECONDS
from its first. A limit reached answers 429 with Retry-After before the Horde is asked anything.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.http import HttpRequest

from ratings_site.horde.client import key_hash
from ratings_site.raters import limits_store
from ratings_site.refusals import Refusal


class LoginThrottled(Refusal):
    """Too many failed logins from this address or with this key; `retry_after` in whole seconds."""

    code = "login_throttled"
    status = 429

    def __init__(self, message: str, *, retry_after: int):
        super().__init__(message, retry_after=retry_after)


def client_address(request: HttpRequest) -> str:
    """The address a request came from: REMOTE_ADDR, or with FORWARDED_PROXIES proxies in front, the entry
    of X-Forwarded-For that the outermost trusted proxy wrote (the ones to its left a client can forge)."""
    if settings.FORWARDED_PROXIES:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= settings.FORWARDED_PROXIES:
            return forwarded[-settings.FORWARDED_PROXIES]
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _name(kind: str, value: str) -> str:
    return f"login-limit:{kind}:" + hashlib.sha256(value.encode("utf-8", "replace")).hexdigest()


def _add_one(name: str) -> None:
    limits_store.add_hit(name, window_seconds=settings.LOGIN_THROTTLE_SECONDS)


def _refuse_at(name: str, limit: int, message: str) -> None:
    count, retry_after = limits_store.hits(name)
    if count >= limit:
        raise LoginThrottled(message, retry_after=retry_after)


def check_login_allowed(*, address: str, apikey: str) -> None:
    """Raise LoginThrottled when this address or this key has failed too often lately."""
    message = "Too many failed logins from here. Wait a few minutes, then check your key and try again."
    _refuse_at(_name("address", address), settings.LOGIN_FAILURES_PER_ADDRESS, message)
    _refuse_at(_name("key", key_hash(apikey)), settings.LOGIN_FAILURES_PER_KEY, message)


def count_failed_login(*, address: str, apikey: str) -> None:
    _add_one(_name("address", address))
    _add_one(_name("key", key_hash(apikey)))


def check_anonymous_login_allowed(*, address: str) -> None:
    _refuse_at(
        _name("anonymous", address),
        settings.ANONYMOUS_LOGINS_PER_ADDRESS,
        "Too many anonymous logins from here lately. Wait a while, or log in with your own Horde key "
        "(free at aihorde.net/register), which also earns kudos.",
    )


def count_anonymous_login(*, address: str) -> None:
    _add_one(_name("anonymous", address))
