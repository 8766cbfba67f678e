"""A stand-in AI Horde: a small HTTP server speaking the Horde's wire format.

For development and tests, so that the site works offline. It answers the two
Horde calls this site makes (``GET /api/v2/find_user`` and
``POST /api/v2/kudos/award``) with the Horde's own status codes and
``{"message", "rc"}`` error bodies, for a fixed set of demo keys (``DEMO_KEYS``).
Control endpoints under ``/_standin/`` (not under ``/api``) let a person or a
browser test make it fail, slow it down, add users (``POST /_standin/users``, or
``add_user``), reset it and see the awards it paid.

It also holds generation sets (``DEMO_SET_*``, plus ``add_generation_set`` or
``POST /_standin/generations``) for ``GET /api/v2/generate/status/<id>`` and
``POST /api/v2/generate/rate/<id>``, with the Horde's checks, best-of rule (quirk
included) and rewards; images are small PNGs served under ``/_standin/images/``.
A rated set is forwarded, as the Horde does, to the ratings service's
``/v1/rating/set`` when one is configured (``ratings_set_url``, ``set_ratings_service``
or ``POST /_standin/ratings_service``): a plain POST of JSON with no credential and a
3 s timeout, so the ratings service knows it only by its address (the site lists
127.0.0.1 in HORDE_RATINGS_SET_ALLOWED_IPS). ``forwards`` and ``GET /_standin/forwards``
show what was sent.

Standard library only, and no Django import: usable from plain Python::

    horde = StandinHorde().start()
    ...  # point HORDE_API_URL at horde.url, HORDE_SERVICE_API_KEY at SERVICE_API_KEY
    horde.stop()

API keys are never logged nor stored (``requests`` records only whether one was sent).
"""

from __future__ import annotations

import copy
import hashlib
import json
import struct
import sys
import threading
import urllib.error
import urllib.request
import uuid
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

__all__ = [
    "DEMO_KEYS",
    "DEMO_KEY_PURPOSES",
    "DEMO_SET_EXPIRED",
    "DEMO_SET_FOUR",
    "DEMO_SET_NOT_SHARED",
    "DEMO_SET_ONE",
    "DEMO_SET_PROCESSING",
    "DEMO_SET_THREE",
    "SERVICE_API_KEY",
    "StandinHorde",
    "horde_user",
]

SERVICE_API_KEY = "standin-service-key"
"""The privileged key allowed to call /v2/kudos/award (the site's HORDE_SERVICE_API_KEY)."""

ANONYMOUS_API_KEY = "0000000000"

_INVALID_KEY_MESSAGE = "No user matching sent API Key. Have you remembered to register at https://aihorde.net/register ?"


def horde_user(
    username: str,
    user_id: int,
    *,
    kudos: float = 1000.0,
    trusted: bool = False,
    moderator: bool = False,
    flagged: bool = False,
    pseudonymous: bool = False,
    account_age: int = 2592000,
) -> dict[str, Any]:
    """A find_user answer as the Horde sends it (for DEMO_KEYS, and for tests that add users)."""
    return {
        "username": username,
        "id": user_id,
        "kudos": float(kudos),
        "trusted": trusted,
        "moderator": moderator,
        "flagged": flagged,
        "suspicious": 0,
        "pseudonymous": pseudonymous,
        "account_age": account_age,
        "kudos_details": {
            "accumulated": float(kudos),
            "gifted": 0.0,
            "admin": 0.0,
            "received": 0.0,
            "recurring": 0.0,
            "awarded": 0.0,
        },
        "records": {},
        "worker_count": 0,
        "concurrency": 30,
        # A field this site does not know: clients must ignore extras.
        "vpn": False,
    }


DEMO_KEYS: dict[str, dict[str, Any]] = {
    ANONYMOUS_API_KEY: horde_user("Anonymous#0", 0, kudos=0.0, pseudonymous=True, account_age=0),
    "demo-rater-0001": horde_user("DemoRater#1001", 1001, kudos=1000.0, account_age=2592000),
    "demo-trusted-0002": horde_user("TrustedRater#1002", 1002, kudos=5000.0, trusted=True, account_age=31536000),
    "demo-moderator-0003": horde_user(
        "Moderator#1003", 1003, kudos=10000.0, trusted=True, moderator=True, account_age=63072000
    ),
    "demo-shared-0004": horde_user("DemoRater#1001 (Shared Key: friends)", 1001, kudos=1000.0, account_age=2592000),
    "demo-flagged-0005": horde_user("Flagged#1005", 1005, kudos=100.0, flagged=True, account_age=86400),
    "demo-rater-0006": horde_user("SecondRater#1006", 1006, kudos=1000.0, account_age=2592000),
    "demo-rater-0007": horde_user("ThirdRater#1007", 1007, kudos=1000.0, account_age=2592000),
}
"""apikey -> the Horde's find_user answer (initial balances; the server tracks the current ones)."""

DEMO_KEY_PURPOSES: dict[str, str] = {
    ANONYMOUS_API_KEY: "the anonymous key: may look, earns nothing",
    "demo-rater-0001": "an ordinary rater",
    "demo-trusted-0002": "a trusted rater",
    "demo-moderator-0003": "a moderator (trusted)",
    "demo-shared-0004": "a shared key of DemoRater#1001 (rating is refused)",
    "demo-flagged-0005": "a flagged account (awards are refused)",
    "demo-rater-0006": "a second ordinary rater",
    "demo-rater-0007": "a third ordinary rater",
}

# username "name#id" -> user id, for the users that can be named in an award
# (shared keys resolve to their owner's canonical name).
_USERNAMES: dict[str, int] = {
    details["username"]: details["id"]
    for details in DEMO_KEYS.values()
    if "(Shared Key:" not in details["username"]
}
_FLAGGED_IDS = frozenset(d["id"] for d in DEMO_KEYS.values() if d["flagged"])


def _initial_balances() -> dict[int, float]:
    balances: dict[int, float] = {}
    for details in DEMO_KEYS.values():
        balances.setdefault(details["id"], float(details["kudos"]))
    return balances


def _error(status: int, message: str, rc: str) -> tuple[int, dict[str, Any]]:
    return status, {"message": message, "rc": rc}


# ---- generation sets (GET /v2/generate/status, POST /v2/generate/rate) ------------------------------------

RATINGS_SET_TIMEOUT = 3.0
"""Seconds the Horde waits for the ratings service's answer to a forwarded set."""

STANDIN_IPADDR = "203.0.113.7"
"""The address the stand-in reports for every request's owner (a documentation address)."""

DEMO_SET_FOUR = "5e7a11d0-0000-4000-8000-000000000001"
DEMO_SET_THREE = "5e7a11d0-0000-4000-8000-000000000002"
DEMO_SET_ONE = "5e7a11d0-0000-4000-8000-000000000003"
DEMO_SET_NOT_SHARED = "5e7a11d0-0000-4000-8000-000000000004"
DEMO_SET_PROCESSING = "5e7a11d0-0000-4000-8000-000000000005"
DEMO_SET_EXPIRED = "5e7a11d0-0000-4000-8000-000000000006"


def _png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A small RGB PNG, made by hand: a diagonal gradient from `rgb` (standard library only)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    r0, g0, b0 = rgb
    rows = bytearray()
    for y in range(height):
        rows.append(0)  # filter: none
        for x in range(width):
            shade = (x + y) * 96 // max(width + height - 2, 1)
            rows += bytes(((r0 + shade) % 256, (g0 + shade) % 256, (b0 + shade) % 256))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(bytes(rows))) + chunk(b"IEND", b"")


def _image_bytes(name: str) -> bytes:
    """The PNG served at /_standin/images/<name>.png: a colour derived from the name, so each image differs."""
    digest = hashlib.sha256(name.encode()).digest()
    return _png(64, 64, (digest[0], digest[1], digest[2]))


def _generation(gen_id: str, *, state: str = "ok", model: str = "stable_diffusion", seed: str = "") -> dict[str, Any]:
    return {
        "id": gen_id,
        "img": None,  # filled in with the stand-in's own image URL when answered
        "seed": seed or str(int(hashlib.sha256(gen_id.encode()).hexdigest()[:8], 16)),
        "model": model,
        "worker_id": "00000000-57a1-4d1e-8000-00000000000a",
        "worker_name": "Stand-in Worker",
        "censored": state == "censored",
        "state": state,
        "gen_metadata": [{"type": "censorship", "value": "csam"}] if state == "censored" else [],
    }

# What each demo set is for, and whose it is (printed by `manage.py standin_horde`, so by `make run`).
DEMO_SET_PURPOSES = {
    DEMO_SET_FOUR: ("DemoRater#1001", "four images: rate them and pick the best"),
    DEMO_SET_THREE: ("SecondRater#1006", "two rateable images, one censored, one faulted"),
    DEMO_SET_ONE: ("DemoRater#1001", "one image: rate it (a best alone is refused)"),
    DEMO_SET_NOT_SHARED: ("TrustedRater#1002", "not shared: the Horde refuses its rating"),
    DEMO_SET_PROCESSING: ("DemoRater#1001", "still generating"),
    DEMO_SET_EXPIRED: ("DemoRater#1001", "expired: the Horde no longer has it"),
}


def _demo_sets() -> dict[str, dict[str, Any]]:
    def gen_id(set_id: str, n: int) -> str:
        return str(uuid.uuid5(uuid.UUID(set_id), f"generation-{n}"))

    def make(set_id: str, owner: str, states: list[str], **fields: Any) -> dict[str, Any]:
        gens = [_generation(gen_id(set_id, n + 1), state=state) for n, state in enumerate(states)]
        return _generation_set(set_id, owner, gens, **fields)

    sets = [
        make(DEMO_SET_FOUR, "DemoRater#1001", ["ok", "ok", "ok", "ok"], kudos=40.0),
        make(DEMO_SET_THREE, "SecondRater#1006", ["ok", "ok", "censored", "faulted"], kudos=30.0),
        make(DEMO_SET_ONE, "DemoRater#1001", ["ok"], kudos=10.0),
        make(DEMO_SET_NOT_SHARED, "TrustedRater#1002", ["ok", "ok"], kudos=20.0, shared=False),
        make(DEMO_SET_PROCESSING, "DemoRater#1001", ["ok", "ok"], kudos=20.0, done=False),
        make(DEMO_SET_EXPIRED, "DemoRater#1001", ["ok", "ok"], kudos=20.0, expired=True),
    ]
    return {s["id"]: s for s in sets}


def _generation_set(
    request_id: str,
    owner: str,
    generations: list[dict[str, Any]],
    *,
    kudos: float = 20.0,
    shared: bool = True,
    done: bool = True,
    expired: bool = False,
    client_agent: str = "StandinClient:1.0:standin@example.org",
) -> dict[str, Any]:
    """One request as the stand-in keeps it (`status` is what GET /v2/generate/status answers, less img)."""
    finished = len(generations) if done else max(len(generations) - 1, 0)
    return {
        "id": request_id,
        "owner": owner,
        "client_agent": client_agent,
        "expired": expired,
        "status": {
            "done": done,
            "faulted": bool(generations) and all(g["state"] == "faulted" for g in generations),
            "finished": finished,
            "processing": len(generations) - finished,
            "restarted": 0,
            "waiting": 0,
            "kudos": float(kudos),
            "is_possible": True,
            "wait_time": 0,
            "queue_position": 0,
            "shared": shared,
            "generations": generations if done else generations[:finished],
        },
    }


def _user_id_of(username: str) -> int | None:
    """The id in a "name#id" username."""
    _, sep, tail = username.rpartition("#")
    return int(tail) if sep and tail.isdigit() else None


def _rate_body_problem(body: Any) -> str:
    """What is wrong with a rate body's shape (the Horde's payload model), or "" when it fits."""
    if not isinstance(body, dict):
        return "expected a JSON object"
    best, ratings = body.get("best"), body.get("ratings")
    if best is not None and not isinstance(best, str):
        return "best must be a generation id"
    if ratings is None:
        return ""
    if not isinstance(ratings, list):
        return "ratings must be a list"
    for rating in ratings:
        if not isinstance(rating, dict) or not isinstance(rating.get("id"), str):
            return "each rating needs an id"
        value, artifacts = rating.get("rating"), rating.get("artifacts")
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 10:
            return "rating must be an integer from 1 to 10"
        if artifacts is not None and (isinstance(artifacts, bool) or not isinstance(artifacts, int)
                                      or not 0 <= artifacts <= 5):
            return "artifacts must be an integer from 0 to 5"
    return ""


class _Raw:
    """A non-JSON answer (an image)."""

    def __init__(self, data: bytes, content_type: str):
        self.data = data
        self.content_type = content_type


class _BadJSON(Exception):
    pass


class StandinHorde:
    """A stand-in AI Horde served over real HTTP in a daemon thread."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        ratings_set_url: str | None = None,
    ):
        self.host = host
        self.port = port
        self.verbose = False  # when True, prints "METHOD path status" per request (never headers)
        self._lock = threading.RLock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._wake = threading.Event()  # set on reset/stop to cut short any delays under way
        self._awards: list[dict[str, Any]] = []
        self._requests: list[dict[str, Any]] = []
        self._failures: list[list[Any]] = []  # [path prefix, remaining, status]
        self._misbehaviours: list[list[Any]] = []  # [path prefix, remaining, how, seconds]
        self._delay = 0.0
        self._balances = _initial_balances()
        self._awarded: dict[int, float] = {}
        self._extra_users: dict[str, dict[str, Any]] = {}  # apikey -> answer, added by tests (see add_user)
        # Generation sets: the demo ones plus those added (add_generation_set); the forward of rated sets.
        self._initial_ratings_set_url = ratings_set_url or None
        self.ratings_set_url = self._initial_ratings_set_url
        self.ratings_set_timeout = RATINGS_SET_TIMEOUT
        self._sets = _demo_sets()
        self._rated_ids: set[str] = set()  # rated sets, remembered only while no ratings service is configured
        self._rated: list[dict[str, Any]] = []
        self._forwards: list[dict[str, Any]] = []

    # ---- lifecycle -------------------------------------------------------
    def start(self) -> StandinHorde:
        if self._server is not None:
            return self
        server = ThreadingHTTPServer((self.host, self.port), _Handler)
        server.daemon_threads = True
        server.standin = self  # type: ignore[attr-defined]
        self._server = server
        self.port = server.server_address[1]
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="standin-horde", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        with self._lock:
            self._wake.set()
            self._wake = threading.Event()
        server.shutdown()
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> StandinHorde:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """The server's root, e.g. http://127.0.0.1:54321 (control endpoints live under /_standin/)."""
        if self._server is None:
            raise RuntimeError("The stand-in Horde is not started")
        host = self.host
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.port}"

    @property
    def url(self) -> str:
        """The HORDE_API_URL to use, e.g. http://127.0.0.1:54321/api."""
        return f"{self.base_url}/api"

    # ---- state -----------------------------------------------------------
    @property
    def awards(self) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(a) for a in self._awards]

    @property
    def requests(self) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(r) for r in self._requests]

    @property
    def delay_seconds(self) -> float:
        with self._lock:
            return self._delay

    @delay_seconds.setter
    def delay_seconds(self, value: float) -> None:
        value = float(value)
        if value < 0:
            raise ValueError("delay_seconds must not be negative")
        with self._lock:
            self._delay = value

    def fail(self, path: str, times: int, status: int = 503) -> None:
        """The next `times` API requests whose path (relative to /api) starts with `path` answer `status`."""
        if not path.startswith("/"):
            path = "/" + path
        with self._lock:
            self._failures.append([path, int(times), int(status)])

    def misbehave(self, path: str, times: int, how: str, *, seconds: float = 0.0) -> None:
        """The next `times` API requests whose path starts with `path` misbehave, after the Horde did its work:
        "garbage" (200, an HTML page where JSON belongs), "wrong-json" (200, JSON of the wrong shape), "close"
        (the connection closed with no answer), or "sleep" (answer `seconds` late). For fault tests."""
        if how not in {"garbage", "wrong-json", "close", "sleep"}:
            raise ValueError(f"unknown misbehaviour {how!r}")
        if not path.startswith("/"):
            path = "/" + path
        with self._lock:
            self._misbehaviours.append([path, int(times), how, float(seconds)])

    def _take_misbehaviour(self, path: str) -> tuple[str, float] | None:
        with self._lock:
            for entry in self._misbehaviours:
                prefix, remaining, how, seconds = entry
                if remaining > 0 and path.startswith(prefix):
                    entry[1] -= 1
                    if entry[1] <= 0:
                        self._misbehaviours.remove(entry)
                    return how, seconds
        return None

    def add_user(self, apikey: str, details: dict[str, Any]) -> None:
        """Answer find_user for `apikey` with `details` (any JSON, even malformed) until the next reset.

        Also replaces a demo key's answer: e.g. a moderator whom the Horde no longer calls one.
        """
        with self._lock:
            self._extra_users[apikey] = copy.deepcopy(details)

    def reset(self) -> None:
        with self._lock:
            self._extra_users.clear()
            self._awards.clear()
            self._requests.clear()
            self._failures.clear()
            self._misbehaviours.clear()
            self._delay = 0.0
            self._balances = _initial_balances()
            self._awarded = {}
            self._sets = _demo_sets()
            self._rated_ids.clear()
            self._rated.clear()
            self._forwards.clear()
            self.ratings_set_url = self._initial_ratings_set_url
            self.ratings_set_timeout = RATINGS_SET_TIMEOUT
            self._wake.set()
            self._wake = threading.Event()

    def balance(self, username: str) -> float:
        """The current kudos of a user, by "name#id" (a shared key's full username works too)."""
        with self._lock:
            user_id = self._user_id(username)
            if user_id is None:
                raise KeyError(username)
            return self._balances[user_id]

    # ---- generation sets ---------------------------------------------------
    def add_generation_set(
        self,
        generations: int | list[str] | list[dict[str, Any]] = 4,
        *,
        owner: str = "DemoRater#1001",
        request_id: str | None = None,
        kudos: float = 20.0,
        shared: bool = True,
        done: bool = True,
        expired: bool = False,
        client_agent: str = "StandinClient:1.0:standin@example.org",
    ) -> str:
        """Add a request (until the next reset) and return its id.

        `generations`: a count of "ok" images, a list of states ("ok", "censored", "faulted"), or a list of
        generation dicts (missing fields filled in; `img` kept when given, else the stand-in serves one).
        """
        request_id = str(uuid.UUID(request_id)) if request_id else str(uuid.uuid4())
        if isinstance(generations, int):
            generations = ["ok"] * generations
        gens = []
        for item in generations:
            if isinstance(item, str):
                if item not in ("ok", "censored", "faulted"):
                    raise ValueError(f"unknown generation state {item!r}")
                gens.append(_generation(str(uuid.uuid4()), state=item))
            elif isinstance(item, dict):
                gen = _generation(str(item.get("id") or uuid.uuid4()), state=str(item.get("state", "ok")))
                gen.update(copy.deepcopy(item))
                gens.append(gen)
            else:
                raise ValueError("each generation is a state or a dict")
        if not 1 <= len(gens) <= 20:
            raise ValueError("a set holds 1 to 20 generations")
        entry = _generation_set(
            request_id, owner, gens, kudos=kudos, shared=shared, done=done, expired=expired, client_agent=client_agent
        )
        with self._lock:
            self._sets[request_id] = entry
        return request_id

    def expire(self, request_id: str) -> None:
        """The request is gone from the Horde (as ~10 minutes after completion): 404 from now on."""
        with self._lock:
            self._sets[request_id]["expired"] = True

    def generation_ids(self, request_id: str) -> list[str]:
        """The ids of a set's generations (faulted ones included), in order."""
        with self._lock:
            return [g["id"] for g in self._sets[request_id]["status"]["generations"]]

    def set_ratings_service(self, url: str | None) -> None:
        """Forward rated sets to `url` (the ratings service's /v1/rating/set), with no credential, as the Horde does.

        None: no forward; the stand-in accepts and credits rated sets itself (and refuses a set rated twice).
        """
        with self._lock:
            self.ratings_set_url = url or None

    @property
    def forwards(self) -> list[dict[str, Any]]:
        """The sets forwarded to the ratings service: url, headers (those sent), payload, status (None: no answer),
        outcome."""
        with self._lock:
            return copy.deepcopy(self._forwards)

    @property
    def rated(self) -> list[dict[str, Any]]:
        """The rate calls accepted and credited: request_id, owner, reward, ratings, best (as forwarded)."""
        with self._lock:
            return copy.deepcopy(self._rated)

    def _status_answer(self, request_id: str) -> tuple[int, Any]:
        with self._lock:
            entry = self._sets.get(request_id)
            if entry is None or entry["expired"]:
                return _error(404, f"Request with ID '{request_id}' not found.", "RequestNotFound")
            answer = copy.deepcopy(entry["status"])
        for gen in answer["generations"]:
            if not gen.get("img"):
                gen["img"] = f"{self.base_url}/_standin/images/{gen['id']}.png"
        return 200, answer

    def _forward_user(self, owner: str) -> dict[str, Any]:
        details: dict[str, Any] = {}
        with self._lock:
            for candidate in [*self._extra_users.values(), *DEMO_KEYS.values()]:
                if isinstance(candidate, dict) and candidate.get("username") == owner:
                    details = copy.deepcopy(candidate)
                    break
            user_id = _user_id_of(owner)
            balance = self._balances.get(user_id, 0.0) if user_id is not None else 0.0
        accumulated = (details.get("kudos_details") or {}).get("accumulated", 0.0)
        return {
            "username": owner,
            "trusted": bool(details.get("trusted", False)),
            "account_age": float(details.get("account_age", 0)),
            "kudos": float(balance),
            "kudos_accumulated": accumulated,
            "ipaddr": STANDIN_IPADDR,
        }

    def _rate(self, request_id: str, read_body: Any) -> tuple[int, Any]:
        """POST /v2/generate/rate/<id>, following the Horde's own checks in its order."""
        invalid = "InvalidAestheticAttempt"
        with self._lock:
            entry = copy.deepcopy(self._sets.get(request_id))
        if entry is None or entry["expired"]:
            return _error(404, f"Request with ID '{request_id}' not found.", "RequestNotFound")
        body = read_body()
        problem = _rate_body_problem(body)
        if problem:
            return _error(400, f"Input payload validation failed: {problem}", "ValidationError")
        ratings, best = body.get("ratings"), body.get("best")
        status = entry["status"]
        if not status["done"]:
            return _error(400, "You can only aesthetically rate completed requests!", invalid)
        if not status["shared"]:
            return _error(400, "You can only aesthetically rate requests you have opted to share publicly", invalid)
        procgen_ids = [g["id"] for g in status["generations"] if g["state"] != "faulted"]
        payload: dict[str, Any] = {
            "set": request_id,
            "all_set_ids": procgen_ids,
            "client_agent": entry["client_agent"],
            "user": self._forward_user(entry["owner"]),
        }
        if ratings:
            seen: list[str] = []
            for rating in ratings:
                if rating["id"] not in procgen_ids:
                    return _error(400, f"Image with ID '{rating['id']}' not found in this request.", "ProcGenNotFound")
                if rating["id"] in seen:
                    return _error(400, "Duplicate image ID found in your ratings. You should be ashamed!", invalid)
                seen.append(rating["id"])
            payload["ratings"] = ratings
        if best:
            if best not in procgen_ids:
                return _error(400, f"Image with ID '{best}' not found in this request.", "ProcGenNotFound")
            payload["best"] = best
        if not best and not ratings:
            return _error(400, "You need to either point to the best image, or provide aesthetic ratings.", invalid)
        if best and not ratings and len(procgen_ids) <= 1:
            return _error(400, "You cannot select the best image in a set of 1 without providing ratings.", invalid)
        if ratings:
            # The Horde's best-of rule, quirk included: its tie check compares `>` where `==` was meant, so a
            # tie is never seen and, with two or more ratings, the FIRST top-rated image is forwarded as best,
            # whatever `best` the client sent (8, 8, 3 -> the first 8). Faithful on purpose: our intake must
            # cope with what the real Horde forwards.
            top: dict[str, Any] | None = None
            tied: list[dict[str, Any]] = []
            for rating in ratings:
                if top is None or rating["rating"] > top["rating"]:
                    top, tied = rating, []
                elif rating["rating"] > top["rating"]:  # the quirk: never true
                    tied.append(rating)
            assert top is not None
            if tied:  # unreachable, as in the Horde
                if best and best not in {top["id"], *(t["id"] for t in tied)}:
                    return _error(400, "The best image must be one of the top-rated images.", invalid)
            elif len(ratings) > 1:
                payload["best"] = top["id"]
            elif len(procgen_ids) > 1 and top["rating"] >= 7:
                payload["best"] = top["id"]
        reward = 0
        if ratings:
            for rating in ratings:
                reward += 5
                if rating.get("artifacts") is not None:
                    reward += 5
        elif best:
            reward = 15
        reward = max(min(reward, int(status["kudos"]) - 1), 0)
        with self._lock:
            url = self.ratings_set_url
            if url is None and request_id in self._rated_ids:
                return _error(400, "This generation appears already rated", "AestheticsAlreadyExist")
            if url is None:
                self._rated_ids.add(request_id)  # standing in for the ratings service's 403 on a repeat
        if url is not None:
            refusal = self._forward(url, payload)
            if refusal is not None:
                return refusal
        with self._lock:
            owner_id = _user_id_of(entry["owner"])
            if owner_id is not None:
                self._balances[owner_id] = self._balances.get(owner_id, 0.0) + reward
            self._rated.append(
                {
                    "request_id": request_id,
                    "owner": entry["owner"],
                    "reward": reward,
                    "ratings": payload.get("ratings"),
                    "best": payload.get("best"),
                }
            )
        return 200, {"reward": reward}

    def _forward(self, url: str, payload: dict[str, Any]) -> tuple[int, Any] | None:
        """POST the set to the ratings service and read its answer as the Horde does; None when accepted.

        As the Horde's `requests.post(url, json=payload, timeout=3)`: JSON and no credential of any kind.
        """
        invalid = "InvalidAestheticAttempt"
        headers = {"Content-Type": "application/json"}
        request = urllib.request.Request(url, data=json.dumps(payload).encode(), headers=headers, method="POST")
        record: dict[str, Any] = {"url": url, "headers": dict(headers), "payload": payload, "status": None}
        result: tuple[int, Any] | None = None
        try:
            with urllib.request.urlopen(request, timeout=self.ratings_set_timeout) as answer:
                answer.read()
                record["status"] = answer.status
                record["outcome"] = "accepted"
        except urllib.error.HTTPError as exc:
            record["status"] = exc.code
            if exc.code == 403:
                record["outcome"] = "already rated"
                result = _error(400, "This generation appears already rated", "AestheticsAlreadyExist")
            else:
                record["outcome"] = "error"
                try:
                    message = json.loads(exc.read())["message"]
                    result = _error(400, f"Rating Server returned error: {message}", invalid)
                except Exception:
                    result = _error(400, "Rating Server returned an unexpected error", invalid)
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, TimeoutError):
                record["outcome"] = "timeout"
                result = _error(400, "The rating server took to long to respond", invalid)
            else:
                record["outcome"] = "down"
                result = _error(400, "The rating server appears to be down", invalid)
        except (TimeoutError, ConnectionError, OSError) as exc:
            if isinstance(exc, TimeoutError):
                record["outcome"] = "timeout"
                result = _error(400, "The rating server took to long to respond", invalid)
            else:
                record["outcome"] = "down"
                result = _error(400, "The rating server appears to be down", invalid)
        with self._lock:
            self._forwards.append(record)
        return result

    # ---- internals (called by the handler) -------------------------------
    @staticmethod
    def _user_id(username: str) -> int | None:
        if username in _USERNAMES:
            return _USERNAMES[username]
        for details in DEMO_KEYS.values():
            if details["username"] == username:
                return details["id"]
        return None

    def _user_details(self, apikey: str) -> dict[str, Any] | None:
        with self._lock:
            if apikey in self._extra_users:
                return copy.deepcopy(self._extra_users[apikey])
        details = DEMO_KEYS.get(apikey)
        if details is None:
            return None
        answer = copy.deepcopy(details)
        with self._lock:
            answer["kudos"] = self._balances[details["id"]]
            answer["kudos_details"]["awarded"] = self._awarded.get(details["id"], 0.0)
        return answer

    def _record(self, method: str, path: str, client_agent: str | None, has_apikey: bool) -> None:
        with self._lock:
            self._requests.append(
                {"method": method, "path": path, "client_agent": client_agent, "has_apikey": has_apikey}
            )

    def _take_failure(self, path: str) -> int | None:
        with self._lock:
            for failure in self._failures:
                prefix, remaining, status = failure
                if remaining > 0 and path.startswith(prefix):
                    failure[1] -= 1
                    if failure[1] <= 0:
                        self._failures.remove(failure)
                    return status
        return None

    def _sleep(self) -> None:
        with self._lock:
            delay, wake = self._delay, self._wake
        if delay > 0:
            wake.wait(delay)

    def _handle_api(
        self, method: str, path: str, headers: Any, read_body: Any
    ) -> tuple[int, Any]:
        self._sleep()
        status = self._take_failure(path)
        if status is not None:
            return _error(status, "Stand-in failure", "StandinFailure")
        apikey = headers.get("apikey")
        if path == "/v2/find_user" and method == "GET":
            details = self._user_details(apikey) if apikey else None
            if details is None:
                return _error(401, _INVALID_KEY_MESSAGE, "InvalidAPIKey")
            return 200, details
        if path == "/v2/kudos/award" and method == "POST":
            return self._award(apikey, read_body, headers.get("Client-Agent"))
        if path.startswith("/v2/generate/status/") and method == "GET":
            return self._status_answer(path[len("/v2/generate/status/"):])
        if path.startswith("/v2/generate/rate/") and method == "POST":
            return self._rate(path[len("/v2/generate/rate/"):], read_body)
        return _error(404, "Not found", "NotFound")

    def _award(self, apikey: str | None, read_body: Any, client_agent: str | None) -> tuple[int, Any]:
        if apikey != SERVICE_API_KEY:
            if not apikey or apikey not in DEMO_KEYS:
                return _error(401, _INVALID_KEY_MESSAGE, "InvalidAPIKey")
            return _error(403, "This user is not allowed to award kudos.", "NotPrivileged")
        body = read_body()
        if not isinstance(body, dict):
            return _error(400, "Expected a JSON object", "BadRequest")
        username = body.get("username")
        amount = body.get("amount")
        if not isinstance(username, str) or not username:
            return _error(400, "username is required", "BadRequest")
        if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
            return _error(400, "amount must be a positive integer", "BadRequest")
        user_id = _USERNAMES.get(username)
        if user_id is None:
            return _error(404, "User not found", "UserNotFound")
        if user_id == 0:
            return _error(400, "Cannot award anonymous", "AnonForbidden")
        if user_id in _FLAGGED_IDS:
            return _error(400, "Target user is rejected", "TargetAccountFlagged")
        with self._lock:
            self._balances[user_id] += amount
            self._awarded[user_id] = self._awarded.get(user_id, 0.0) + amount
            self._awards.append({"username": username, "amount": amount, "client_agent": client_agent})
        return 200, {"awarded": amount}

    def _handle_control(self, method: str, path: str, read_body: Any) -> tuple[int, Any]:
        if path in ("/_standin", "/_standin/") and method == "GET":
            return 200, {
                "api_url": self.url,
                "service_api_key": SERVICE_API_KEY,
                "keys": [
                    {
                        "apikey": key,
                        "username": details["username"],
                        "id": details["id"],
                        "purpose": DEMO_KEY_PURPOSES.get(key, ""),
                    }
                    for key, details in DEMO_KEYS.items()
                ],
            }
        if path == "/_standin/awards" and method == "GET":
            return 200, self.awards
        if path == "/_standin/reset" and method == "POST":
            self.reset()
            return 200, {"reset": True}
        if path == "/_standin/fail" and method == "POST":
            body = read_body()
            if not isinstance(body, dict) or not isinstance(body.get("path"), str):
                return _error(400, "Expected {\"path\", \"times\", \"status\"}", "BadRequest")
            try:
                times = int(body.get("times", 1))
                status = int(body.get("status", 503))
            except (TypeError, ValueError):
                return _error(400, "times and status must be integers", "BadRequest")
            if not 100 <= status <= 599:
                return _error(400, "status must be an HTTP status", "BadRequest")
            self.fail(body["path"], times, status)
            return 200, {"path": body["path"], "times": times, "status": status}
        if path == "/_standin/users" and method == "POST":
            body = read_body()
            if not isinstance(body, dict) or not isinstance(body.get("apikey"), str) or "user" not in body:
                return _error(400, "Expected {\"apikey\", \"user\": find_user's answer}", "BadRequest")
            self.add_user(body["apikey"], body["user"])
            return 200, {"added": True}
        if path.startswith("/_standin/images/") and path.endswith(".png") and method in ("GET", "HEAD"):
            name = path[len("/_standin/images/"):-len(".png")]
            if not name or "/" in name:
                return _error(404, "Not found", "NotFound")
            return 200, _Raw(_image_bytes(name), "image/png")
        if path == "/_standin/generations" and method == "GET":
            with self._lock:
                listed = [
                    {"id": e["id"], "owner": e["owner"], "shared": e["status"]["shared"], "done": e["status"]["done"],
                     "expired": e["expired"], "generations": len(e["status"]["generations"])}
                    for e in self._sets.values()
                ]
            return 200, listed
        if path == "/_standin/generations" and method == "POST":
            body = read_body()
            if not isinstance(body, dict):
                return _error(400, "Expected {\"generations\", \"owner\", ...}", "BadRequest")
            allowed = {"generations", "owner", "request_id", "kudos", "shared", "done", "expired", "client_agent"}
            try:
                request_id = self.add_generation_set(**{k: v for k, v in body.items() if k in allowed})
            except (TypeError, ValueError, AttributeError) as exc:
                return _error(400, f"Bad generation set: {exc}", "BadRequest")
            return 200, {"id": request_id, "generations": self.generation_ids(request_id)}
        if path == "/_standin/ratings_service" and method == "POST":
            body = read_body()
            if not isinstance(body, dict) or not isinstance(body.get("url") or "", str):
                return _error(400, "Expected {\"url\": str or null}", "BadRequest")
            if "token" in body:
                return _error(
                    400,
                    "The stand-in forwards as the Horde does, with no credential: list its address (127.0.0.1) in "
                    "the site's HORDE_RATINGS_SET_ALLOWED_IPS instead of sending a token.",
                    "BadRequest",
                )
            self.set_ratings_service(body.get("url"))
            return 200, {"url": self.ratings_set_url}
        if path == "/_standin/forwards" and method == "GET":
            return 200, self.forwards
        if path == "/_standin/delay" and method == "POST":
            body = read_body()
            try:
                seconds = float(body["seconds"])
                self.delay_seconds = seconds
            except (TypeError, KeyError, ValueError):
                return _error(400, "Expected {\"seconds\": a number >= 0}", "BadRequest")
            return 200, {"seconds": seconds}
        return _error(404, "Not found", "NotFound")


class _Handler(BaseHTTPRequestHandler):
    server_version = "StandinHorde/1.0"
    sys_version = ""

    def _dispatch(self, method: str) -> None:
        standin: StandinHorde = self.server.standin  # type: ignore[attr-defined]
        path = urlsplit(self.path).path
        body_read = False

        def read_body() -> Any:
            # Reads the body once; later calls see the same outcome.
            nonlocal body_read, raw
            if not body_read:
                body_read = True
                try:
                    length = max(int(self.headers.get("Content-Length") or 0), 0)
                except ValueError:
                    length = 0
                raw = self.rfile.read(length) if length else b""
            if not raw.strip():
                return None
            try:
                return json.loads(raw)
            except ValueError:
                raise _BadJSON from None

        raw = b""

        try:
            if path == "/api" or path.startswith("/api/"):
                api_path = path[len("/api"):] or "/"
                standin._record(method, api_path, self.headers.get("Client-Agent"), "apikey" in self.headers)
                status, payload = standin._handle_api(method, api_path, self.headers, read_body)
                misbehaviour = standin._take_misbehaviour(api_path)
                if misbehaviour is not None:
                    how, seconds = misbehaviour
                    if how == "close":
                        self.close_connection = True
                        return  # no status line at all: the caller sees the connection closed
                    if how == "sleep":
                        standin._wake.wait(seconds)
                    elif how == "garbage":
                        status, payload = 200, _Raw(b"<html><body>502 Bad Gateway</body></html>", "text/html")
                    else:
                        status, payload = 200, ["not", "what", "was", "asked"]
            elif path == "/_standin" or path.startswith("/_standin/"):
                status, payload = standin._handle_control(method, path, read_body)
            else:
                standin._record(method, path, self.headers.get("Client-Agent"), "apikey" in self.headers)
                status, payload = _error(404, "Not found", "NotFound")
        except _BadJSON:
            status, payload = _error(400, "Malformed JSON body", "BadRequest")
        except Exception as exc:  # a bug here must not hang the caller
            status, payload = _error(500, f"Stand-in error: {type(exc).__name__}", "InternalServerError")
        # Drain an unread body so the client never sees a reset connection.
        if not body_read:
            try:
                read_body()
            except Exception:
                pass
        self._send(status, payload)
        if standin.verbose:
            sys.stderr.write(f"[standin-horde] {method} {path} {status}\n")

    def _send(self, status: int, payload: Any) -> None:
        if isinstance(payload, _Raw):
            data, content_type = payload.data, payload.content_type
        else:
            data, content_type = json.dumps(payload).encode(), "application/json"
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (e.g. timed out during a delay)

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_PUT(self) -> None:
        self._dispatch("PUT")

    def do_PATCH(self) -> None:
        self._dispatch("PATCH")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    def do_HEAD(self) -> None:
        self._dispatch("HEAD")

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        # Quiet: the default would print to stderr for every request. Keys travel in
        # headers and are never written anywhere; `verbose` prints method and path only.
        pass
