"""A stand-in AI Horde: a small HTTP server speaking the Horde's wire format.

For development and tests, so that the site works offline. It answers the two
Horde calls this site makes (``GET /api/v2/find_user`` and
``POST /api/v2/kudos/award``) with the Horde's own status codes and
``{"message", "rc"}`` error bodies, for a fixed set of demo keys (``DEMO_KEYS``).
Control endpoints under ``/_standin/`` (not under ``/api``) let a person or a
browser test make it fail, slow it down, add users (``POST /_standin/users``, or
``add_user``), reset it and see the awards it paid.

Standard library only, and no Django import: usable from plain Python::

    horde = StandinHorde().start()
    ...  # point HORDE_API_URL at horde.url, HORDE_SERVICE_API_KEY at SERVICE_API_KEY
    horde.stop()

API keys are never logged nor stored (``requests`` records only whether one was sent).
"""

from __future__ import annotations

import copy
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

__all__ = ["DEMO_KEYS", "DEMO_KEY_PURPOSES", "SERVICE_API_KEY", "StandinHorde", "horde_user"]

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


class _BadJSON(Exception):
    pass


class StandinHorde:
    """A stand-in AI Horde served over real HTTP in a daemon thread."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0):
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
        self._delay = 0.0
        self._balances = _initial_balances()
        self._awarded: dict[int, float] = {}
        self._extra_users: dict[str, dict[str, Any]] = {}  # apikey -> answer, added by tests (see add_user)

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
            self._delay = 0.0
            self._balances = _initial_balances()
            self._awarded = {}
            self._wake.set()
            self._wake = threading.Event()

    def balance(self, username: str) -> float:
        """The current kudos of a user, by "name#id" (a shared key's full username works too)."""
        with self._lock:
            user_id = self._user_id(username)
            if user_id is None:
                raise KeyError(username)
            return self._balances[user_id]

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
        data = json.dumps(payload).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
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
