"""Every call this site makes to the AI Horde goes through here.

Timeouts, the Client-Agent header and the mapping of failures onto two errors
(`HordeUnavailable`: down, slow or broken; `HordeRejected`: the Horde said no)
live in one place. API keys are sent in headers only and never logged.
"""

from __future__ import annotations

import hashlib
import json
import logging
import socket
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

logger = logging.getLogger(__name__)

ANONYMOUS_API_KEY = "0000000000"
SHARED_KEY_MARKER = "(Shared Key:"


class HordeError(Exception):
    """Base of the Horde client's errors."""


class HordeUnavailable(HordeError):
    """The Horde did not answer in time, could not be reached, or failed (5xx)."""


class HordeTimeout(HordeUnavailable):
    """The request was sent but no answer came in time: the Horde may or may not have acted on it."""


class HordeRejected(HordeError):
    """The Horde answered 4xx: the message and rc are the Horde's own."""

    def __init__(self, status: int, message: str, rc: str = ""):
        super().__init__(message)
        self.status = status
        self.message = message
        self.rc = rc


class InvalidAPIKey(HordeRejected):
    pass


@dataclass(frozen=True)
class HordeUser:
    """The fields of the Horde's UserDetails that this site uses."""

    id: int
    username: str
    kudos: float
    trusted: bool
    moderator: bool
    flagged: bool
    pseudonymous: bool
    account_age: int
    # When this answer was asked of the Horde (the request's start; a cached answer keeps its time).
    fetched_at: datetime | None = field(default=None, compare=False)

    @property
    def is_anonymous(self) -> bool:
        return self.id == 0

    @property
    def is_shared_key(self) -> bool:
        return SHARED_KEY_MARKER in self.username

    @classmethod
    def from_json(cls, data: dict[str, Any], *, fetched_at: datetime | None = None) -> HordeUser:
        try:
            return cls(
                id=int(data["id"]),
                username=str(data["username"]),
                kudos=float(data.get("kudos") or 0),
                trusted=bool(data.get("trusted", False)),
                moderator=bool(data.get("moderator", False)),
                flagged=bool(data.get("flagged", False)),
                pseudonymous=bool(data.get("pseudonymous", False)),
                account_age=int(data.get("account_age") or 0),
                fetched_at=fetched_at,
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise HordeUnavailable(f"The Horde sent a user we could not read: {exc}") from None


def _request(method: str, path: str, *, apikey: str | None = None, body: dict | None = None) -> Any:
    url = f"{settings.HORDE_API_URL}{path}"
    headers = {"Client-Agent": settings.HORDE_CLIENT_AGENT, "Accept": "application/json"}
    if apikey is not None:
        headers["apikey"] = apikey
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    req = urllib.request.Request(url, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(req, timeout=settings.HORDE_TIMEOUT) as resp:
            raw = resp.read()
    except urllib.error.HTTPError as exc:
        raw = exc.read()
        try:
            payload = json.loads(raw or b"{}")
        except ValueError:
            payload = {}
        message = payload.get("message") or f"The Horde answered {exc.code}"
        rc = payload.get("rc") or ""
        logger.info("Horde %s %s answered %s (%s)", method, path, exc.code, rc)
        if exc.code >= 500 or exc.code == 429:
            raise HordeUnavailable(message) from None
        if exc.code == 401 or rc == "InvalidAPIKey":
            raise InvalidAPIKey(exc.code, message, rc) from None
        raise HordeRejected(exc.code, message, rc) from None
    except urllib.error.URLError as exc:
        # Raised while connecting or sending: the Horde never saw the request.
        logger.warning("Horde %s %s failed: %s", method, path, type(exc.reason).__name__)
        raise HordeUnavailable("The Horde is not answering") from None
    except (socket.timeout, TimeoutError, ConnectionError) as exc:
        # Raised while waiting for the answer: the request may have been acted on.
        logger.warning("Horde %s %s sent, but no answer: %s", method, path, type(exc).__name__)
        raise HordeTimeout("The Horde did not answer in time") from None
    except OSError as exc:
        logger.warning("Horde %s %s failed: %s", method, path, type(exc).__name__)
        raise HordeUnavailable("The Horde is not answering") from None
    try:
        return json.loads(raw or b"null")
    except ValueError:
        raise HordeUnavailable("The Horde sent an answer we could not read") from None


def _key_cache_name(apikey: str) -> str:
    return "horde:find_user:" + hashlib.sha256(apikey.encode()).hexdigest()


def find_user(apikey: str, *, use_cache: bool = True, fresh_after: datetime | None = None) -> HordeUser:
    """GET /v2/find_user. Cached by the key's hash for FIND_USER_CACHE_SECONDS.

    The answer's `fetched_at` says when the Horde was asked. A cached answer asked before
    `fresh_after` (e.g. the rater's latest kudos payment) is not used: the Horde is asked again.
    """
    cache_name = _key_cache_name(apikey)
    if use_cache:
        cached = cache.get(cache_name)
        if cached is not None and (fresh_after is None or cached["fetched_at"] >= fresh_after):
            return HordeUser.from_json(cached["user"], fetched_at=cached["fetched_at"])
    fetched_at = timezone.now()
    data = _request("GET", "/v2/find_user", apikey=apikey)
    if not isinstance(data, dict):
        raise HordeUnavailable("The Horde sent an answer we could not read")
    user = HordeUser.from_json(data, fetched_at=fetched_at)
    if settings.FIND_USER_CACHE_SECONDS:
        cache.set(cache_name, {"user": data, "fetched_at": fetched_at}, settings.FIND_USER_CACHE_SECONDS)
    return user


def award_kudos(*, username: str, amount: int) -> None:
    """POST /v2/kudos/award with the site's service key."""
    if not settings.HORDE_SERVICE_API_KEY:
        raise HordeRejected(0, "HORDE_SERVICE_API_KEY is not set")
    _request(
        "POST",
        "/v2/kudos/award",
        apikey=settings.HORDE_SERVICE_API_KEY,
        body={"username": username, "amount": int(amount)},
    )
