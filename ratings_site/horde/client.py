"""Every call this site makes to the AI Horde goes through here.

Timeouts, the Client-Agent header and the mapping of failures onto two errors
(`HordeUnavailable`: down, slow or broken; `HordeRejected`: the Horde said no)
live in one place. API keys are sent in headers only and never logged: a key that
is not a printable ASCII token is refused before it goes near a header
(`check_api_key`), and every key the site handles is scrubbed from every log record
(`scrub_keys`, installed for the whole process by `install_key_scrubber`).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import re
import threading
import traceback
import unicodedata
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

logger = logging.getLogger(__name__)

ANONYMOUS_API_KEY = "0000000000"
SHARED_KEY_MARKER = "(Shared Key:"
# Printable ASCII without spaces: what the Horde's keys are made of, and all an HTTP header can carry safely.
API_KEY_PATTERN = re.compile(r"[!-~]{1,100}")
# The Horde's ids are PostgreSQL bigints: what our BigIntegerField holds too.
HORDE_ID_MAX = 2**63 - 1
USERNAME_MAX_LENGTH = 150  # Rater.username


class HordeError(Exception):
    """Base of the Horde client's errors."""


class HordeUnavailable(HordeError):
    """The Horde did not answer in time, could not be reached, or failed (5xx)."""


class HordeTimeout(HordeUnavailable):
    """The request was sent but no answer came in time: the Horde may or may not have acted on it."""


class HordeAnswerUnreadable(HordeTimeout):
    """A call that acts (a POST) was answered 2xx with a body we cannot read (an HTML page from a proxy, JSON of
    another shape): the Horde took it, so, as after a timeout, it may have acted (paid, credited a rating)."""


class HordeBusy(HordeUnavailable):
    """HORDE_MAX_CONCURRENT_CALLS calls of this process were already waiting on the Horde: this one was never sent
    (unavailable, not timed out: safe to retry, never paid)."""


class HordeRejected(HordeError):
    """The Horde answered 4xx: the message and rc are the Horde's own."""

    def __init__(self, status: int, message: str, rc: str = ""):
        super().__init__(message)
        self.status = status
        self.message = message
        self.rc = rc


class InvalidAPIKey(HordeRejected):
    pass


class MalformedAPIKey(HordeRejected):
    """Not a printable ASCII token: refused here, never sent (a CR/LF would split the header)."""

    def __init__(self) -> None:
        super().__init__(
            400,
            "This is not a Horde API key: a key is one word of printable characters (letters, digits and "
            "punctuation, no spaces or line breaks, at most 100). Copy it again from your Horde account.",
            "MalformedAPIKey",
        )


class UnusableHordeUser(HordeError):
    """The Horde answered find_user with an account this site cannot store (an id outside 0..2**63-1, a name
    that is not text). Not the rater's fault, and not a reason to fail with a 500."""


# ---- keys never printed ------------------------------------------------------------------------------------

_SCRUBBED = "[apikey]"
_seen_keys: dict[str, tuple[str, ...]] = {}  # key -> the forms it takes in text; insertion order = age
_seen_keys_lock = threading.Lock()
_seen_keys_pattern: re.Pattern[str] | None = None  # every form of every seen key, longest first
_SEEN_KEYS_MAX = 512
# `apikey: value`, `"apikey": "value"`, `apikey=value`: a key the scrubber was not told about, by its label.
_LABELLED_KEY = re.compile(r"""(?i)(\bapi_?key['"]?\s*[:=]\s*b?['"]?)[^\s'",;}&]+""")


def remember_key_for_scrubbing(apikey: str) -> None:
    """Note a key this process handles, so that `scrub_keys` can blank it in anything printed later.

    Kept in this process's memory only (the last few hundred), in the forms a traceback shows it:
    raw, repr-escaped, and as escaped UTF-8 bytes.
    """
    global _seen_keys_pattern
    if not isinstance(apikey, str) or not apikey:
        return
    with _seen_keys_lock:
        if apikey in _seen_keys:
            _seen_keys[apikey] = _seen_keys.pop(apikey)  # the most recent again
            return
        forms = {apikey, repr(apikey)[1:-1], ascii(apikey)[1:-1], repr(apikey.encode("utf-8", "replace"))[2:-1]}
        _seen_keys[apikey] = tuple(form for form in forms if len(form) >= 4)
        while len(_seen_keys) > _SEEN_KEYS_MAX:
            _seen_keys.pop(next(iter(_seen_keys)))
        every_form = sorted({form for forms in _seen_keys.values() for form in forms}, key=len, reverse=True)
        _seen_keys_pattern = re.compile("|".join(map(re.escape, every_form))) if every_form else None


def scrub_keys(text: str) -> str:
    """`text` with every key the process has handled, and any labelled `apikey` value, replaced by [apikey]."""
    pattern = _seen_keys_pattern
    if pattern is not None:
        text = pattern.sub(_SCRUBBED, text)
    return _LABELLED_KEY.sub(lambda match: match.group(1) + _SCRUBBED, text)


def _scrub_record(record: logging.LogRecord) -> None:
    try:
        message = record.getMessage()
    except Exception:  # a malformed log call: leave it to logging's own error report
        return
    scrubbed = scrub_keys(message)
    if scrubbed != message:
        record.msg, record.args = scrubbed, None
    if record.exc_info and not record.exc_text:
        record.exc_text = scrub_keys("".join(traceback.format_exception(*record.exc_info)).rstrip("\n"))
    if record.stack_info:
        record.stack_info = scrub_keys(record.stack_info)


def install_key_scrubber() -> None:
    """Scrub keys from every log record this process makes, whatever logger or handler prints it.

    A record factory rather than a handler filter: it runs once per record, before any handler (Django's,
    gunicorn's, a task worker's) formats it, and a traceback is formatted and scrubbed here, once.
    """
    current = logging.getLogRecordFactory()
    if getattr(current, "scrubs_horde_keys", False):
        return

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = current(*args, **kwargs)
        _scrub_record(record)
        return record

    factory.scrubs_horde_keys = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)


def check_api_key(apikey: str) -> str:
    """Return the key when it is a printable ASCII token; raise MalformedAPIKey (which never shows it) if not."""
    remember_key_for_scrubbing(apikey)
    if not isinstance(apikey, str) or not API_KEY_PATTERN.fullmatch(apikey):
        raise MalformedAPIKey()
    return apikey


def clean_username(raw: str, *, horde_id: int) -> str:
    """A Horde username as display data: control and format characters (NUL, CR/LF, bidi overrides) removed,
    spaces collapsed, cut to fit Rater.username keeping its "#id" ending. Never empty."""
    text = "".join(ch for ch in str(raw) if unicodedata.category(ch)[0] != "C")
    text = " ".join(text.split())
    suffix = f"#{horde_id}"
    if text.endswith(suffix):
        text = text[: -len(suffix)].rstrip()[: USERNAME_MAX_LENGTH - len(suffix)] + suffix
    else:
        text = text[:USERNAME_MAX_LENGTH]
    return text or suffix


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
        user_id, username = data.get("id"), data.get("username")
        if isinstance(user_id, bool) or not isinstance(user_id, int) or not 0 <= user_id <= HORDE_ID_MAX:
            raise UnusableHordeUser(f"The Horde sent an account id this site cannot use: {str(user_id)[:40]!r}")
        if not isinstance(username, str):
            raise UnusableHordeUser("The Horde sent an account whose name is not text")
        try:
            return cls(
                id=user_id,
                username=username,
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


# ---- the bound on calls in flight ---------------------------------------------------------------------------

# How long a call waits for one of the process's HORDE_MAX_CONCURRENT_CALLS slots before it fails as HordeBusy.
# Short: while the Horde is slow no slot frees for seconds, and each waiting call holds a web thread meanwhile.
CALL_SLOT_WAIT_SECONDS = 0.1

_call_slots: tuple[int, threading.BoundedSemaphore] | None = None  # (size, slots) of this process
_call_slots_lock = threading.Lock()


def _slots() -> threading.BoundedSemaphore:
    """This process's slots for calls to the Horde (made anew if the setting changed; a call in flight gives its
    slot back to the semaphore it took it from)."""
    global _call_slots
    size = settings.HORDE_MAX_CONCURRENT_CALLS
    current = _call_slots
    if current is None or current[0] != size:
        with _call_slots_lock:
            if _call_slots is None or _call_slots[0] != size:
                _call_slots = (size, threading.BoundedSemaphore(size))
            current = _call_slots
    return current[1]


@contextlib.contextmanager
def _call_slot(method: str, path: str) -> Iterator[None]:
    """Hold one of the process's slots for a call to the Horde, or raise HordeBusy (nothing sent) when none frees
    within CALL_SLOT_WAIT_SECONDS. So a slow Horde holds at most HORDE_MAX_CONCURRENT_CALLS web threads of a process,
    and the others go on serving pages that do not need it (and /healthz)."""
    slots = _slots()
    if not slots.acquire(timeout=CALL_SLOT_WAIT_SECONDS):
        logger.warning("Horde %s %s not sent: %s calls are already waiting on the Horde", method, path,
                       settings.HORDE_MAX_CONCURRENT_CALLS)  # fmt: skip
        raise HordeBusy("The Horde is not answering: too many calls are waiting on it already")
    try:
        yield
    finally:
        slots.release()


def _request(
    method: str,
    path: str,
    *,
    apikey: str | None = None,
    body: dict | None = None,
    timeout: float | None = None,
    rejected_statuses: tuple[int, ...] = (),
) -> Any:
    """One call to the Horde. `rejected_statuses`: 5xx/429 codes that mean "the Horde said no" for this call
    (HordeRejected) rather than HordeUnavailable. At most HORDE_MAX_CONCURRENT_CALLS of a process are in flight
    at once; one more fails at once as HordeBusy, never sent (`_call_slot`)."""
    url = f"{settings.HORDE_API_URL}{path}"
    headers = {"Client-Agent": settings.HORDE_CLIENT_AGENT, "Accept": "application/json"}
    if apikey is not None:
        headers["apikey"] = check_api_key(apikey)
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    req = urllib.request.Request(url, data=data, headers=headers, method=method)
    try:
        with _call_slot(method, path), urllib.request.urlopen(req, timeout=timeout or settings.HORDE_TIMEOUT) as resp:
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
        if (exc.code >= 500 or exc.code == 429) and exc.code not in rejected_statuses:
            raise HordeUnavailable(message) from None
        if exc.code == 401 or rc == "InvalidAPIKey":
            raise InvalidAPIKey(exc.code, message, rc) from None
        raise HordeRejected(exc.code, message, rc) from None
    except urllib.error.URLError as exc:
        # Raised while connecting or sending: the Horde never saw the request.
        logger.warning("Horde %s %s failed: %s", method, path, type(exc.reason).__name__)
        raise HordeUnavailable("The Horde is not answering") from None
    except (TimeoutError, ConnectionError) as exc:  # socket.timeout is TimeoutError
        # Raised while waiting for the answer: the request may have been acted on.
        logger.warning("Horde %s %s sent, but no answer: %s", method, path, type(exc).__name__)
        raise HordeTimeout("The Horde did not answer in time") from None
    except OSError as exc:
        logger.warning("Horde %s %s failed: %s", method, path, type(exc).__name__)
        raise HordeUnavailable("The Horde is not answering") from None
    try:
        return json.loads(raw or b"null")
    except ValueError:
        if method != "GET":  # a 2xx to a call that acts: it went through, whatever the body says
            raise HordeAnswerUnreadable("The Horde took the call but sent an answer we could not read") from None
        raise HordeUnavailable("The Horde sent an answer we could not read") from None


def _key_cache_name(apikey: str) -> str:
    return "horde:find_user:" + key_hash(apikey)


def key_hash(apikey: str) -> str:
    """The name a key goes by wherever it must be told apart from others (caches, limits): never the key."""
    return hashlib.sha256(apikey.encode("utf-8", "replace")).hexdigest()


def find_user(
    apikey: str, *, use_cache: bool = True, fresh_after: datetime | None = None, timeout: float | None = None
) -> HordeUser:
    """GET /v2/find_user. Cached by the key's hash for FIND_USER_CACHE_SECONDS (the Horde caches 30 s too).

    The answer's `fetched_at` says when the Horde was asked. A cached answer asked before
    `fresh_after` (e.g. the rater's latest kudos payment) is not used: the Horde is asked again.
    "The Horde does not know this key" is remembered for INVALID_KEY_CACHE_SECONDS, so retrying a
    wrong key costs the Horde one call. `timeout` overrides HORDE_TIMEOUT (login waits less).
    """
    check_api_key(apikey)
    cache_name = _key_cache_name(apikey)
    invalid_name = cache_name + ":invalid"
    if use_cache:
        cached = cache.get(cache_name)
        if cached is not None and (fresh_after is None or cached["fetched_at"] >= fresh_after):
            return HordeUser.from_json(cached["user"], fetched_at=cached["fetched_at"])
        invalid = cache.get(invalid_name)
        if invalid is not None:
            raise InvalidAPIKey(401, invalid["message"], invalid["rc"])
    fetched_at = timezone.now()
    try:
        data = _request("GET", "/v2/find_user", apikey=apikey, timeout=timeout)
    except InvalidAPIKey as exc:
        if settings.INVALID_KEY_CACHE_SECONDS:
            cache.set(invalid_name, {"message": exc.message, "rc": exc.rc}, settings.INVALID_KEY_CACHE_SECONDS)
        raise
    if not isinstance(data, dict):
        raise HordeUnavailable("The Horde sent an answer we could not read")
    user = HordeUser.from_json(data, fetched_at=fetched_at)
    if settings.FIND_USER_CACHE_SECONDS:
        cache.set(cache_name, {"user": data, "fetched_at": fetched_at}, settings.FIND_USER_CACHE_SECONDS)
    cache.delete(invalid_name)
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


# ---- generation sets: GET /v2/generate/status, POST /v2/generate/rate --------------------------------------

# The Horde forwards a rated set to the ratings service and waits up to 3 s for it before answering: the rate
# call may take that long on top of its own work, whatever HORDE_TIMEOUT says.
RATE_GENERATION_TIMEOUT = 8.0


class RequestNotFound(HordeRejected):
    """The Horde does not know this request id (never made, or gone about 10 minutes after completing)."""


@dataclass(frozen=True)
class Generation:
    """One image of a request, as GET /v2/generate/status lists it."""

    id: str
    img: str
    seed: str
    model: str
    worker_id: str
    worker_name: str
    censored: bool
    state: str  # "ok", "censored" or "faulted"
    gen_metadata: list = field(default_factory=list)

    @classmethod
    def from_json(cls, data: Any) -> Generation:
        if not isinstance(data, dict) or not isinstance(data.get("id"), str):
            raise HordeUnavailable("The Horde sent a generation we could not read")
        return cls(
            id=data["id"],
            img=str(data.get("img") or ""),
            seed=str(data.get("seed") or ""),
            model=str(data.get("model") or ""),
            worker_id=str(data.get("worker_id") or ""),
            worker_name=str(data.get("worker_name") or ""),
            censored=bool(data.get("censored", False)),
            state=str(data.get("state") or "ok"),
            gen_metadata=list(data.get("gen_metadata") or []),
        )


@dataclass(frozen=True)
class GenerationStatus:
    """The Horde's answer to GET /v2/generate/status/{id} (the fields this site uses; extras ignored)."""

    request_id: str
    done: bool
    faulted: bool
    finished: int
    processing: int
    waiting: int
    kudos: float
    shared: bool
    generations: list[Generation]

    @classmethod
    def from_json(cls, request_id: str, data: Any) -> GenerationStatus:
        if not isinstance(data, dict):
            raise HordeUnavailable("The Horde sent an answer we could not read")
        try:
            generations = data.get("generations") or []
            if not isinstance(generations, list):
                raise TypeError("generations is not a list")
            return cls(
                request_id=request_id,
                done=bool(data.get("done", False)),
                faulted=bool(data.get("faulted", False)),
                finished=int(data.get("finished") or 0),
                processing=int(data.get("processing") or 0),
                waiting=int(data.get("waiting") or 0),
                kudos=float(data.get("kudos") or 0),
                shared=bool(data.get("shared", False)),
                generations=[Generation.from_json(g) for g in generations],
            )
        except (TypeError, ValueError) as exc:
            raise HordeUnavailable(f"The Horde sent a request status we could not read: {exc}") from None


def _generation_path(kind: str, request_id: str) -> str:
    # The id goes into the path: only a UUID may (no "/", "?" or "..").
    try:
        return f"/v2/generate/{kind}/{uuid.UUID(str(request_id))}"
    except ValueError:
        raise RequestNotFound(404, "Not a Horde request id", "RequestNotFound") from None


def _not_found_as_request_not_found(exc: HordeRejected) -> HordeRejected:
    if exc.status == 404 and exc.rc in ("RequestNotFound", ""):
        return RequestNotFound(exc.status, exc.message, "RequestNotFound")
    return exc


def generation_status(request_id: str, *, timeout: float | None = None) -> GenerationStatus:
    """GET /v2/generate/status/{id} (no key needed). RequestNotFound when the Horde does not know the id.
    `timeout` overrides HORDE_TIMEOUT (a page waits less)."""
    path = _generation_path("status", request_id)
    try:
        data = _request("GET", path, timeout=timeout)
    except HordeRejected as exc:
        raise _not_found_as_request_not_found(exc) from None
    return GenerationStatus.from_json(str(uuid.UUID(str(request_id))), data)


def rate_generation(request_id: str, *, ratings: list[dict[str, Any]] | None, best: str | None) -> int:
    """POST /v2/generate/rate/{id}: the kudos the Horde credited to the request's owner.

    `ratings`: [{"id", "rating" 1..10, "artifacts" 0..5 optional}]; `best`: a generation id. No key is sent:
    the kudos go to whoever made the request. The Horde's refusals (400, 404, and 429 for more than 5 calls a
    minute) raise HordeRejected with its message (RequestNotFound for an unknown id); HordeUnavailable and
    HordeTimeout as for every call (after a timeout the Horde may have credited the reward).
    """
    path = _generation_path("rate", request_id)
    body: dict[str, Any] = {}
    if ratings is not None:
        body["ratings"] = [dict(r) for r in ratings]
    if best is not None:
        body["best"] = best
    timeout = max(settings.HORDE_TIMEOUT, RATE_GENERATION_TIMEOUT)
    try:
        data = _request("POST", path, body=body, timeout=timeout, rejected_statuses=(429,))
    except HordeRejected as exc:
        raise _not_found_as_request_not_found(exc) from None
    # A 2xx: the Horde took the rating; without a reward we can read, it may have credited it (never send it again).
    if not isinstance(data, dict):
        raise HordeAnswerUnreadable("The Horde took the rating but sent an answer we could not read")
    reward = data.get("reward")
    if isinstance(reward, bool) or not isinstance(reward, int | float):
        raise HordeAnswerUnreadable("The Horde took the rating but sent an answer we could not read")
    return int(reward)
