"""The simulated raters of benchmarks/load.py: HTTP only, standard library only, no Django.

Each client process (multiprocessing, spawned) holds some raters, each with its own Horde key and its own
keep-alive connection and cookies, and runs them as threads, phase by phase, as the main process tells it over a
pipe. What a rater sends is what a browser or an API client sends: the site is read only through its HTML and JSON
answers (the signed card fields, the CSRF token, the status line), never through its code, so the site's internals
may change under it.

- A pages rater logs in through /login/ (CSRF cookie and the form's token), opens /rate/ and the best-of page of
  the best-of dataset, then loops the htmx cycles that static/js/rate.js and templates/ratings/rate.html send:
  POST /images/<id>/rate/ with the card's fields and htmx's headers (HX-Request, HX-Current-URL, HX-Target,
  HX-Trigger, X-CSRFToken from the body's hx-headers); the answer is the next card. Every `bestof_every`-th
  cycle is a best-of pick (POST /rate/<slug>/best/<group>/pick/, the same way, from the best-of card it keeps),
  every `sets_every`-th a generation set (GET /generations/<request id>/, which asks the Horde's generate/status,
  then the form's POST with `confirmed=1`, as static/js/generations.js submits it after its review, which sends
  the set to the Horde's generate/rate, and the redirect's GET).
- An API rater sends `apikey` and `Client-Agent`: GET /api/v1/rating/new, then POST /api/v1/rating/<id>; every
  `sets_every`-th cycle registers a set (POST /api/v1/generations) and rates it at the Horde
  (POST /api/v2/generate/rate/<id> on the stand-in, which forwards it to the site's /api/v1/rating/set).
- A /healthz client sends GET /healthz.

Timing: a step is one request, from sending it to reading the last byte of its answer; a cycle is a rating's
requests. Closed phases start each cycle when the last ends. Paced phases (open loop) schedule each rater's cycles
by the clock, and a cycle's time runs from its scheduled start, so a late cycle (the site slow, or the rater's
previous cycle still running) counts its wait too: no coordinated omission.
"""

from __future__ import annotations

import html
import http.client
import json
import random
import re
import threading
import time
import urllib.parse
from collections import Counter, defaultdict
from dataclasses import dataclass, field

USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) horde-ratings-load/1.0"
CLIENT_AGENT = "horde-ratings-load:1.0:benchmarks"
TIMEOUT_S = 30
IDLE_CLOSE_S = 1.5


class Failure(Exception):
    """A step that did not do what a rater expects; `status` is its HTTP status (0: no answer)."""

    def __init__(self, message: str, status: int = 0):
        super().__init__(message)
        self.status = status


class Refused(Exception):
    """The site refused the save with a 403 and said why (e.g. another rater took the image's last wanted rating
    between its serving and this rating): counted apart, the rater goes on with the card the answer holds."""


class OutOfWork(Exception):
    """The site has nothing left for this rater of this kind (the queue is empty for them)."""


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


@dataclass
class Recorder:
    """What one phase measured in one process."""

    steps: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))  # step -> ms
    codes: Counter = field(default_factory=Counter)  # (step, status) -> count
    cycles: dict[str, list[tuple[float, float]]] = field(default_factory=lambda: defaultdict(list))  # kind -> (ms, end)
    failed: Counter = field(default_factory=Counter)  # kind -> cycles that failed
    refused: Counter = field(default_factory=Counter)  # (kind, the site's reason) -> cycles refused (403)
    errors: list[str] = field(default_factory=list)
    retries: int = 0
    out_of_work: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def step(self, name: str, ms: float, status: int) -> None:
        with self.lock:
            self.steps[name].append(ms)
            self.codes[(name, status)] += 1

    def cycle(self, kind: str, ms: float, end: float) -> None:
        with self.lock:
            self.cycles[kind].append((ms, end))

    def failure(self, kind: str, message: str) -> None:
        with self.lock:
            self.failed[kind] += 1
            if len(self.errors) < 20:
                self.errors.append(f"{kind}: {message}")

    def export(self) -> dict:
        return {
            "steps": dict(self.steps),
            "codes": [[step, status, n] for (step, status), n in self.codes.items()],
            "cycles": dict(self.cycles),
            "failed": dict(self.failed),
            "refused": [[kind, reason, n] for (kind, reason), n in self.refused.items()],
            "errors": self.errors,
            "retries": self.retries,
            "out_of_work": self.out_of_work,
        }


class Connection:
    """One keep-alive HTTP connection with its cookies (a browser tab's, or an API client's)."""

    def __init__(self, host: str, port: int, recorder_holder: list):
        self.host, self.port = host, port
        self.origin = f"http://{host}:{port}"
        self.conn = http.client.HTTPConnection(host, port, timeout=TIMEOUT_S)
        self.cookies: dict[str, str] = {}
        self._holder = recorder_holder  # [Recorder]: the current phase's
        self.last_used = 0.0

    def request(self, step: str, method: str, path: str, *, body: bytes | None = None,
                headers: dict[str, str] | None = None) -> Answer:
        headers = {"User-Agent": USER_AGENT, "Host": f"{self.host}:{self.port}", **(headers or {})}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if time.monotonic() - self.last_used > IDLE_CLOSE_S:
            # gunicorn closes a keep-alive connection idle for --keep-alive (2 s); a browser finds that out before
            # reusing it, so a paced rater does not send into a closed connection and resend: it opens a new one.
            self.conn.close()
        started = time.perf_counter()
        for attempt in (1, 2):
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
                break
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError) as exc:
                # A keep-alive connection the server closed between two requests: send again on a new one. A
                # repeated rating answers as the first did, and the clients count ratings by image, so a request
                # that did reach the site is not counted twice.
                self.conn.close()
                if attempt == 2:
                    ms = (time.perf_counter() - started) * 1000
                    self._holder[0].step(step, ms, 0)
                    raise Failure(f"{method} {path}: {exc!r}") from exc
                self._holder[0].retries += 1
            except OSError as exc:
                self.conn.close()
                self._holder[0].step(step, (time.perf_counter() - started) * 1000, 0)
                raise Failure(f"{method} {path}: {exc!r}") from exc
        ms = (time.perf_counter() - started) * 1000
        self.last_used = time.monotonic()
        self._holder[0].step(step, ms, response.status)
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                pair = value.split(";", 1)[0]
                key, _, val = pair.partition("=")
                if val in ('""', ""):
                    self.cookies.pop(key.strip(), None)
                else:
                    self.cookies[key.strip()] = val.strip()
        if response.getheader("Connection", "").lower() == "close":
            self.conn.close()
        return Answer(response.status, {k.lower(): v for k, v in response.getheaders()}, data)

    def close(self) -> None:
        self.conn.close()


# ---- reading the pages ------------------------------------------------------------------------------------------

HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')


def _form(page: str, form_id: str) -> str | None:
    match = re.search(rf'<form id="{form_id}".*?</form>', page, re.S)
    return match.group(0) if match else None


def _notice(page: str) -> str:
    found = re.search(r'data-testid="(?:error|paused|notice|message)"[^>]*>(.*?)</', page, re.S)
    return re.sub(r"<[^>]+>", "", found.group(1)).strip()[:200] if found else ""


def _body_csrf(page: str, previous: str) -> str:
    found = re.search(r"hx-headers='([^']*)'", page)
    return json.loads(html.unescape(found.group(1)))["X-CSRFToken"] if found else previous


@dataclass
class RateCard:
    image: str
    url: str
    fields: dict[str, str]
    csrf: str


def read_rate_card(page: str, csrf: str) -> RateCard:
    form = _form(page, "rate-form")
    image = re.search(r'data-testid="image" data-image-id="([0-9a-f-]{36})"', page)
    if form is None or image is None:
        if 'data-testid="empty"' in page:
            raise OutOfWork("no image left to rate")
        raise Failure(f"no rate card in the answer: {_notice(page)!r}")
    action = re.search(r'hx-post="([^"]+)"', form).group(1)
    fields = {name: html.unescape(value) for name, value in HIDDEN.findall(form)}
    return RateCard(image.group(1), html.unescape(action), fields, _body_csrf(page, csrf) or fields["csrfmiddlewaretoken"])


@dataclass
class BestCard:
    group: str
    url: str
    fields: dict[str, str]
    candidates: list[str]
    csrf: str


def read_best_card(page: str, csrf: str) -> BestCard:
    form = _form(page, "pick-form")
    if form is None:
        if 'data-testid="empty"' in page:
            raise OutOfWork("no prompt group left to pick")
        raise Failure(f"no best-of card in the answer: {_notice(page)!r}")
    action = html.unescape(re.search(r'hx-post="([^"]+)"', form).group(1))
    group = re.search(r'data-group-id="(\d+)"', form).group(1)
    fields = {name: html.unescape(value) for name, value in HIDDEN.findall(form)}
    candidates = re.findall(r'<input type="radio" name="winner" value="([0-9a-f-]{36})"', form)
    if len(candidates) < 2:
        raise Failure("a best-of card with fewer than two images")
    return BestCard(group, action, fields, candidates, _body_csrf(page, csrf) or fields["csrfmiddlewaretoken"])


def htmx_headers(conn: Connection, *, page: str, target: str, trigger: str, csrf: str) -> dict[str, str]:
    """What htmx 2 sends with a form's hx-post (and the X-CSRFToken of the body's hx-headers)."""
    return {
        "HX-Request": "true",
        "HX-Current-URL": conn.origin + page,
        "HX-Target": target,
        "HX-Trigger": trigger,
        "X-CSRFToken": csrf,
        "Content-Type": "application/x-www-form-urlencoded",
        "Accept": "*/*",
        "Origin": conn.origin,
        "Referer": conn.origin + page,
    }


# ---- the raters ---------------------------------------------------------------------------------------------------


@dataclass
class GenerationSetPlan:
    request_id: str
    generation_ids: list[str]


class Rater:
    kind = ""

    def __init__(self, spec: dict, host: str, port: int, horde_port: int, holder: list, seed: int):
        self.spec = spec
        self.key = spec["key"]
        self.holder = holder
        self.conn = Connection(host, port, holder)
        self.horde_port = horde_port
        self.rng = random.Random(seed)
        self.sets = [GenerationSetPlan(**s) for s in spec.get("sets", [])]
        self.counter = 0
        self.exhausted: set[str] = set()
        # What the site answered as saved, for the consistency check: by image, group and request id, so that
        # a request sent again (a dropped keep-alive connection) is not counted twice.
        self.rated_images: set[str] = set()
        self.picked_groups: set[str] = set()
        self.rated_sets: dict[str, int] = {}  # request id -> generation ratings sent
        self.horde_refused: dict[str, list] = {}  # API: request id -> [ratings sent, the Horde's words]

    def choose(self, every_best: int, every_set: int) -> str:
        self.counter += 1
        if every_set and self.counter % every_set == 0 and self.sets and "set" not in self.exhausted:
            return "set"
        if every_best and self.counter % every_best == 0 and "best" not in self.exhausted and self.has_best:
            return "best"
        return "rating"

    has_best = False

    def rating_pair(self) -> tuple[int, int]:
        return self.rng.randint(1, 10), self.rng.randint(0, 5)

    def done(self) -> dict:
        return {
            "key": self.key,
            "horde_id": self.spec["horde_id"],
            "path": self.kind,
            "rated_images": len(self.rated_images),
            "picked_groups": len(self.picked_groups),
            "rated_sets": len(self.rated_sets),
            "generation_ratings": sum(self.rated_sets.values()),
            "set_ids": sorted(self.rated_sets),
            "horde_refused": self.horde_refused,
        }


class PagesRater(Rater):
    """A browser on the rating pages (htmx), logged in with its own key."""

    kind = "pages"
    has_best = True

    def login(self, best_slug: str) -> None:
        c = self.conn
        answer = c.request("login", "GET", "/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', answer.text())
        if answer.status != 200 or not token or "csrftoken" not in c.cookies:
            raise Failure(f"GET /login/ answered {answer.status} without a CSRF cookie and token", answer.status)
        body = urllib.parse.urlencode({"csrfmiddlewaretoken": token.group(1), "apikey": self.key}).encode()
        answer = c.request("login", "POST", "/login/", body=body, headers={
            "Content-Type": "application/x-www-form-urlencoded", "Origin": c.origin, "Referer": c.origin + "/login/"})
        if answer.status != 302 or "sessionid" not in c.cookies:
            raise Failure(f"logging in answered {answer.status}: {_notice(answer.text())!r}", answer.status)
        answer = c.request("open /rate/", "GET", "/rate/")
        if answer.status != 200:
            raise Failure(f"GET /rate/ answered {answer.status}", answer.status)
        self.card = read_rate_card(answer.text(), "")
        self.best_page = f"/rate/{best_slug}/best/"
        answer = c.request("open best-of", "GET", self.best_page)
        if answer.status != 200:
            raise Failure(f"GET {self.best_page} answered {answer.status}", answer.status)
        self.best = read_best_card(answer.text(), self.card.csrf)

    def reopen(self, what: str) -> None:
        """After a failed step: load the page again, as a rater would (its time is not a cycle's)."""
        try:
            if what == "best":
                answer = self.conn.request("reopen", "GET", self.best_page)
                self.best = read_best_card(answer.text(), self.card.csrf)
            else:
                answer = self.conn.request("reopen", "GET", "/rate/")
                self.card = read_rate_card(answer.text(), self.card.csrf)
        except OutOfWork:
            self.exhausted.add(what)
        except Failure:
            pass

    def cycle(self, kind: str) -> None:
        getattr(self, f"_{kind}")()

    def _rating(self) -> None:
        card = self.card
        rating, artifacts = self.rating_pair()
        body = urllib.parse.urlencode({**card.fields, "rating": rating, "artifacts": artifacts}).encode()
        headers = htmx_headers(self.conn, page="/rate/", target="card", trigger="rate-form", csrf=card.csrf)
        answer = self.conn.request("POST rate (htmx)", "POST", card.url, body=body, headers=headers)
        text = answer.text()
        saved = answer.status == 200 and 'data-testid="saved"' in text
        if saved:
            self.rated_images.add(card.image)
        elif answer.status != 403:
            raise Failure(f"POST {card.url} answered {answer.status}: {_notice(text)!r}", answer.status)
        try:
            self.card = read_rate_card(text, card.csrf)  # htmx swaps a 4xx's card in too (base.html's htmx-config)
        except OutOfWork:
            self.exhausted.add("rating")
        if not saved:
            raise Refused(_notice(text))

    def _best(self) -> None:
        card = self.best
        body = urllib.parse.urlencode({**card.fields, "winner": self.rng.choice(card.candidates)}).encode()
        headers = htmx_headers(self.conn, page=self.best_page, target="best-card", trigger="pick-form", csrf=card.csrf)
        answer = self.conn.request("POST best-of pick (htmx)", "POST", card.url, body=body, headers=headers)
        text = answer.text()
        saved = answer.status == 200 and 'data-testid="saved"' in text
        if saved:
            self.picked_groups.add(card.group)
        elif answer.status != 403:
            raise Failure(f"POST {card.url} answered {answer.status}: {_notice(text)!r}", answer.status)
        try:
            self.best = read_best_card(text, card.csrf)
        except OutOfWork:
            self.exhausted.add("best")
        if not saved:
            raise Refused(_notice(text))

    def _set(self) -> None:
        plan = self.sets.pop()
        if not self.sets:
            self.exhausted.add("set")
        c = self.conn
        page = f"/generations/{plan.request_id}/"
        answer = c.request("GET generation set", "GET", page)
        text = answer.text()
        form = _form(text, "gen-form")
        if answer.status != 200 or form is None:
            raise Failure(f"GET {page} answered {answer.status} without its form: {_notice(text)!r}", answer.status)
        fields = {name: html.unescape(value) for name, value in HIDDEN.findall(form)}
        rateable = list(dict.fromkeys(re.findall(r'name="rating-([^"]+)"', form)))
        ratings = {}
        for generation_id in rateable:
            rating, artifacts = self.rating_pair()
            ratings[f"rating-{generation_id}"] = rating
            ratings[f"artifacts-{generation_id}"] = artifacts
        body = urllib.parse.urlencode({**fields, **ratings, "best": "", "confirmed": "1"}).encode()
        answer = c.request("POST generation set", "POST", page, body=body, headers={
            "Content-Type": "application/x-www-form-urlencoded", "Origin": c.origin, "Referer": c.origin + page})
        if answer.status != 302:
            raise Failure(f"POST {page} answered {answer.status}: {_notice(answer.text())!r}", answer.status)
        location = urllib.parse.urlsplit(answer.headers.get("location", page)).path
        answer = c.request("GET generation set after", "GET", location)
        text = answer.text()
        if answer.status != 200 or 'data-testid="saved"' not in text:
            raise Failure(f"the set's page after saving answered {answer.status}: {_notice(text)!r}", answer.status)
        self.rated_sets[plan.request_id] = len(rateable)


class ApiRater(Rater):
    """An API client: its own key in `apikey` on every call; sets rated at the Horde, which forwards them."""

    kind = "api"

    def login(self, best_slug: str) -> None:
        self.headers = {"apikey": self.key, "Client-Agent": CLIENT_AGENT, "Accept": "application/json"}
        self.horde = Connection(self.conn.host, self.horde_port, self.holder)

    def reopen(self, what: str) -> None:
        pass

    def cycle(self, kind: str) -> None:
        getattr(self, f"_{kind}")()

    def _rating(self) -> None:
        answer = self.conn.request("GET rating/new", "GET", "/api/v1/rating/new", headers=self.headers)
        if answer.status == 404 and b"image" in answer.body.lower():
            self.exhausted.add("rating")
            raise OutOfWork(answer.text()[:200])
        if answer.status != 200:
            raise Failure(f"GET /api/v1/rating/new answered {answer.status}: {answer.text()[:200]!r}", answer.status)
        image = json.loads(answer.body)["id"]
        rating, artifacts = self.rating_pair()
        body = json.dumps({"rating": rating, "artifacts": artifacts}).encode()
        answer = self.conn.request("POST rating/<id>", "POST", f"/api/v1/rating/{image}", body=body,
                                   headers={**self.headers, "Content-Type": "application/json"})
        if answer.status == 403:
            raise Refused(answer.text()[:200])
        if answer.status != 201:
            raise Failure(f"POST /api/v1/rating/{image} answered {answer.status}: {answer.text()[:200]!r}",
                          answer.status)
        self.rated_images.add(image)

    def _set(self) -> None:
        plan = self.sets.pop()
        if not self.sets:
            self.exhausted.add("set")
        registration = {
            "request_id": plan.request_id,
            "prompt": f"a load test set {plan.request_id[:8]}",
            "params": {"steps": 20},
            "images": [{"id": gid, "model": "stable_diffusion"} for gid in plan.generation_ids],
        }
        headers = {**self.headers, "Content-Type": "application/json"}
        answer = self.conn.request("POST generations", "POST", "/api/v1/generations",
                                   body=json.dumps(registration).encode(), headers=headers)
        if answer.status != 201:
            raise Failure(f"POST /api/v1/generations answered {answer.status}: {answer.text()[:200]!r}", answer.status)
        ratings = []
        for gid in plan.generation_ids:
            rating, artifacts = self.rating_pair()
            ratings.append({"id": gid, "rating": rating, "artifacts": artifacts})
        answer = self.horde.request("Horde generate/rate (forwards)", "POST", f"/api/v2/generate/rate/{plan.request_id}",
                                    body=json.dumps({"ratings": ratings}).encode(), headers=headers)
        if answer.status != 200:
            # E.g. the Horde's 3 s wait for the site's answer to its forward ran out: the site may still have
            # recorded the set (the consistency check says so), but the Horde paid nothing.
            self.horde_refused[plan.request_id] = [len(ratings), answer.text()[:200]]
            raise Failure(f"the Horde's generate/rate answered {answer.status}: {answer.text()[:200]!r}", answer.status)
        self.rated_sets[plan.request_id] = len(ratings)


class HealthzClient(Rater):
    kind = "healthz"

    def login(self, best_slug: str) -> None:
        pass

    def reopen(self, what: str) -> None:
        pass

    def choose(self, every_best: int, every_set: int) -> str:
        return "healthz"

    def cycle(self, kind: str) -> None:
        answer = self.conn.request("GET /healthz", "GET", "/healthz")
        if answer.status != 200:
            raise Failure(f"GET /healthz answered {answer.status}", answer.status)


# ---- a phase --------------------------------------------------------------------------------------------------------


def run_rater(rater: Rater, recorder: Recorder, spec: dict, offset: float) -> None:
    """One rater's loop in a phase: closed (`interval` None) or paced, until `end` (a time.time())."""
    start, end, interval = spec["start"], spec["end"], spec.get("interval")
    every_best, every_set = spec["bestof_every"], spec["sets_every"]
    scheduled = start + offset
    delay = scheduled - time.time()
    if delay > 0:
        time.sleep(delay)
    while True:
        if interval is not None:
            if scheduled >= end:
                return
            wait = scheduled - time.time()
            if wait > 0:
                time.sleep(wait)
            began_wall, began = scheduled, time.perf_counter() - max(0.0, time.time() - scheduled)
            scheduled += interval
        else:
            if time.time() >= end:
                return
            began_wall, began = time.time(), time.perf_counter()
        kind = rater.choose(every_best, every_set)
        if kind in rater.exhausted:
            recorder.out_of_work += 1
            return
        try:
            rater.cycle(kind)
        except OutOfWork:
            with recorder.lock:
                recorder.out_of_work += 1
            continue
        except Refused as exc:
            with recorder.lock:
                recorder.refused[(kind, str(exc)[:120])] += 1
            continue
        except Failure as exc:
            recorder.failure(kind, str(exc))
            rater.reopen(kind)
            continue
        except Exception as exc:  # a page the client cannot read: a finding, not a crash of the run
            recorder.failure(kind, f"{type(exc).__name__}: {exc}")
            rater.reopen(kind)
            continue
        ms = (time.perf_counter() - began) * 1000
        recorder.cycle(kind, ms, began_wall + ms / 1000)


def client_process(pipe, host: str, port: int, horde_port: int, specs: list[dict], best_slug: str, seed: int) -> None:
    """A client process: its raters, driven phase by phase by the main process's commands."""
    holder = [Recorder()]
    classes = {"pages": PagesRater, "api": ApiRater, "healthz": HealthzClient}
    raters = [classes[s["path"]](s, host, port, horde_port, holder, seed + n) for n, s in enumerate(specs)]
    while True:
        command, payload = pipe.recv()
        if command == "stop":
            for rater in raters:
                rater.conn.close()
            pipe.send(("stopped", [r.done() for r in raters if r.kind != "healthz"]))
            return
        recorder = Recorder()
        holder[0] = recorder
        chosen = [r for r in raters if r.kind == payload["path"]]
        cpu, wall = time.process_time(), time.perf_counter()
        threads = []
        for rater in chosen:
            if command == "login":
                target, args = _login, (rater, recorder, best_slug)
            else:
                interval = payload.get("interval")
                offset = rater.rng.uniform(0, interval) if interval else 0.0
                target, args = run_rater, (rater, recorder, payload, offset)
            thread = threading.Thread(target=target, args=args, daemon=True)
            thread.start()
            threads.append(thread)
        for thread in threads:
            thread.join()
        result = recorder.export()
        result["cpu_s"] = time.process_time() - cpu
        result["wall_s"] = time.perf_counter() - wall
        pipe.send((command, result))


def _login(rater: Rater, recorder: Recorder, best_slug: str) -> None:
    """Log in, trying again a few times: many logins at once may meet the site's bound on calls to the Horde
    (HORDE_MAX_CONCURRENT_CALLS, a quick 503), which a person would meet by trying again."""
    for attempt in range(6):
        try:
            rater.login(best_slug)
            return
        except (Failure, OutOfWork) as exc:
            if attempt == 5 or isinstance(exc, OutOfWork) or exc.status not in (0, 429, 503):
                recorder.failure("login", f"{rater.key[:14]}…: {exc}")
                return
            rater.conn.cookies.clear()
            time.sleep(0.5 * (attempt + 1))
