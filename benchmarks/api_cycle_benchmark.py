"""The API's next-image + rate cycle time against the web page's, measured in one run.

Not a test: run it by hand (see benchmarks/README.md). It is self-contained: in a temporary folder it makes
a throwaway SQLite database (or uses a PostgreSQL one it creates and drops, --database-url), migrates it,
collects the static files, adds one public dataset of --images URL images (bulk_create, then
datasets.services.refresh_queue), starts the stand-in Horde in this process and the site with the README's
gunicorn command (1 sync worker by default, DEBUG off, CAPTCHA_RATE=0, the rating and API rate limits out of
reach), then, over real HTTP (http.client, one connection per path, reused whenever the server keeps it
alive; a sync worker closes it after each answer, so each request opens a new one there), alternates:

- a web cycle, as the /rate/ page's htmx does it, logged in through /login/ with --web-key (CSRF cookie and
  token, session cookie): ``POST /images/<id>/rate/`` with the form's fields (csrfmiddlewaretoken, dataset,
  upcoming, rating, artifacts) and htmx's headers (HX-Request, HX-Current-URL, HX-Target, HX-Trigger and
  the page's X-CSRFToken); the answer is the next card (HTML), whose image id the next cycle rates. One
  request is one cycle.
- an API cycle with --api-key: ``GET /api/v1/rating/new`` then ``POST /api/v1/rating/<id>``
  ``{"rating", "artifacts"}`` (201). The two requests are one cycle.

--warmup pairs first (untimed), then --cycles pairs (web, api, web, api, ...). It prints, for each path,
the median and p90 client time per cycle (from sending the first request to reading the last byte of the
last answer), the requests, connections opened and bytes sent and received per cycle (counted on the socket:
request line, headers and body; status line, headers and body), the server's own time per cycle (gunicorn's
access log, %(D)s: from reading the request to writing the answer) and the ratio api / web of the medians.
Neither path downloads images (a browser would load the image too, see rating_cycle_benchmark.py).

At the end it checks that each rater's ratings were stored, stops everything and deletes the folder (and
drops the PostgreSQL database) unless --keep is given.

    .venv/bin/python benchmarks/api_cycle_benchmark.py [--cycles 200 --warmup 20 --workers 1 --worker-class sync]
    .venv/bin/python benchmarks/api_cycle_benchmark.py --database-url postgres://postgres@127.0.0.1:5432/api_cycle_bench
"""

from __future__ import annotations

import argparse
import hashlib
import html
import http.client
import json
import os
import random
import re
import shlex
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Sequence
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) api-cycle-benchmark/1.0"
CLIENT_AGENT = "api-cycle-benchmark:1.0:benchmarks"
HUGE = "1000000"


# ---- arguments ---------------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cycles", type=int, default=200, help="timed cycles of each path (default %(default)s)")
    parser.add_argument("--warmup", type=int, default=20, help="untimed cycles of each path first (default %(default)s)")
    parser.add_argument(
        "--images", type=int, default=None, help="images in the dataset (default 2 x (cycles + warmup) + 50)"
    )
    parser.add_argument(
        "--database-url",
        default="",
        help="a PostgreSQL database to create and drop (its name must contain 'bench'); default: SQLite in the "
        "temporary folder",
    )
    parser.add_argument("--workers", type=int, default=1, help="gunicorn --workers (default %(default)s)")
    parser.add_argument(
        "--worker-class", default="sync", help="gunicorn --worker-class, e.g. sync or gthread (default %(default)s)"
    )
    parser.add_argument("--threads", type=int, default=1, help="gunicorn --threads (default %(default)s)")
    parser.add_argument("--web-key", default="demo-rater-0006", help="the key logged in on /login/ (default %(default)s)")
    parser.add_argument("--api-key", default="demo-rater-0007", help="the key sent in apikey (default %(default)s)")
    parser.add_argument("--seed", type=int, default=1, help="random seed of the ratings given (default %(default)s)")
    parser.add_argument("--json", type=Path, help="also write every cycle's figures to this file")
    parser.add_argument("--keep", action="store_true", help="leave the temporary folder (and database) in place")
    args = parser.parse_args(argv)
    if args.cycles < 1 or args.warmup < 0:
        parser.error("--cycles must be 1 or more, --warmup not negative")
    if args.images is None:
        args.images = 2 * (args.cycles + args.warmup) + 50
    if args.images < args.cycles + args.warmup + 2:
        parser.error("--images must leave each rater cycles + warmup + 2 images to rate")
    if args.web_key == args.api_key:
        parser.error("--web-key and --api-key must be two raters (each rates every image once)")
    if args.worker_class == "sync" and args.threads > 1:
        parser.error("gunicorn runs a sync worker with --threads > 1 as gthread: pass --worker-class gthread")
    args.database_name = ""
    if args.database_url:
        url = urllib.parse.urlsplit(args.database_url)
        args.database_name = url.path.lstrip("/")
        if url.scheme not in ("postgres", "postgresql", "pgsql") or not args.database_name:
            parser.error("--database-url must be a postgres:// URL naming a database")
        if "bench" not in args.database_name:
            parser.error(f"refusing database {args.database_name!r}: its name must contain 'bench' (it is dropped)")
        args.maintenance_url = urllib.parse.urlunsplit(url._replace(path="/postgres"))
    return args


# ---- the database ------------------------------------------------------------------------------------------


def _conninfo(url: str) -> str:
    return re.sub(r"^(postgres|pgsql)://", "postgresql://", url)


def postgres(args: argparse.Namespace, statement: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(_conninfo(args.maintenance_url), autocommit=True) as conn:
        conn.execute(sql.SQL(statement).format(sql.Identifier(args.database_name)))


def prepare_site(args: argparse.Namespace, env: dict[str, str]) -> dict:
    """Migrate, collect static files and add the dataset, in this process (Django set up on `env`)."""
    os.environ.update(env)
    for name in ("CACHE_URL", "REDIS_URL", "CACHE_KEY_PREFIX", "HORDE_TIMEOUT", "STANDIN_HORDE_ALLOWED"):
        os.environ.pop(name, None)
    sys.path.insert(0, str(ROOT))
    import django
    from django.core.management import call_command

    django.setup()
    started = time.perf_counter()
    call_command("migrate", "--noinput", verbosity=0)
    call_command("collectstatic", "--noinput", verbosity=0)
    migrated = time.perf_counter() - started

    from django.db import connections

    from ratings_site.datasets import services
    from ratings_site.datasets.models import Dataset, Image

    dataset = Dataset.objects.create(slug="api-cycle-bench", name="API cycle bench", public=True)
    urls = [f"https://images.example.org/api-cycle-bench/{n}.webp" for n in range(args.images)]
    Image.objects.bulk_create(
        [
            Image(dataset=dataset, url=url, dedupe_key=hashlib.sha256(url.encode()).hexdigest(), width=1024, height=1024)
            for url in urls
        ],
        batch_size=1000,
    )
    added, _ = services.refresh_queue(Image.objects.filter(dataset=dataset))
    recount = getattr(services, "recount_images", None)
    if recount is not None:
        recount(Dataset.objects.filter(pk=dataset.pk))
    connections.close_all()
    return {"migrate_s": migrated, "queued": added}


def stored_ratings() -> dict[int, int]:
    """Ratings per Horde user id, read after the server stopped."""
    from django.db import connections
    from django.db.models import Count

    from ratings_site.ratings.models import Rating

    counts = dict(Rating.objects.values_list("rater__horde_id").annotate(n=Count("pk")).values_list("rater__horde_id", "n"))
    connections.close_all()
    return counts


# ---- the server --------------------------------------------------------------------------------------------


def readme_gunicorn_command() -> list[str]:
    """The production web command, as README.md's "Web" line writes it (as tests/served_site.py reads it)."""
    match = re.search(r"`(gunicorn ratings_site\.wsgi[^`]*)`", (ROOT / "README.md").read_text())
    if not match:
        raise SystemExit("README.md names no `gunicorn ratings_site.wsgi ...` command")
    return shlex.split(match.group(1))


def with_option(args: list[str], option: str, value: str) -> list[str]:
    out, skip = [], False
    for arg in args:
        if skip:
            skip = False
            continue
        if arg == option:
            skip = True
            continue
        if arg.startswith(option + "="):
            continue
        out.append(arg)
    return [*out, option, value]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


ACCESS_FORMAT = "%(m)s %(U)s %(s)s %(D)s"


def start_gunicorn(args: argparse.Namespace, env: dict[str, str], base: Path) -> tuple[subprocess.Popen, int, list[str]]:
    port = free_port()
    command = readme_gunicorn_command()
    for option, value in (
        ("--bind", f"127.0.0.1:{port}"),
        ("--workers", str(args.workers)),
        ("--worker-class", args.worker_class),
        ("--threads", str(args.threads)),
        ("--access-logfile", str(base / "access.log")),
        ("--access-logformat", ACCESS_FORMAT),
    ):
        command = with_option(command, option, value)
    command[0] = str(Path(PYTHON).with_name("gunicorn"))
    log = (base / "server.log").open("wb")
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while True:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                conn.close()
                break
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            raise SystemExit("gunicorn did not start:\n" + (base / "server.log").read_text(errors="replace"))
        time.sleep(0.2)
    return process, port, command


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


# ---- the client --------------------------------------------------------------------------------------------


class CountingReader:
    """The answer's socket file, counting the bytes http.client consumes (status line, headers, body)."""

    def __init__(self, fp, counter: list[int]):
        self._fp = fp
        self._counter = counter

    def _count(self, data):
        self._counter[0] += len(data)
        return data

    def read(self, *a):
        return self._count(self._fp.read(*a))

    def read1(self, *a):
        return self._count(self._fp.read1(*a))

    def readline(self, *a):
        return self._count(self._fp.readline(*a))

    def readinto(self, b):
        n = self._fp.readinto(b)
        self._counter[0] += n or 0
        return n

    def __getattr__(self, name):
        return getattr(self._fp, name)


class CountingConnection(http.client.HTTPConnection):
    """An HTTPConnection that counts bytes sent and received and the TCP connections it opens."""

    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.sent = 0
        self.received = [0]
        self.opened = 0
        counter = self.received

        class Response(http.client.HTTPResponse):
            def __init__(self, sock, *ra, **rkw):
                super().__init__(sock, *ra, **rkw)
                self.fp = CountingReader(self.fp, counter)

        self.response_class = Response

    def connect(self):
        super().connect()
        self.opened += 1

    def send(self, data):
        self.sent += len(data)
        super().send(data)


@dataclass
class Answer:
    status: int
    headers: http.client.HTTPMessage
    body: bytes


@dataclass
class Cycle:
    path: str
    ms: float = 0.0
    requests: int = 0
    opened: int = 0
    sent: int = 0
    received: int = 0
    server_ms: float | None = None
    server_parts: list[float] = field(default_factory=list)  # each request's server time, in order
    image: str = ""


class Client:
    """One keep-alive connection with its cookies; `fetch` is what a cycle is timed around."""

    def __init__(self, port: int):
        self.host = f"127.0.0.1:{port}"
        self.origin = f"http://{self.host}"
        self.conn = CountingConnection("127.0.0.1", port, timeout=30)
        self.cookies: dict[str, str] = {}
        self.log: list[tuple[str, str]] = []  # (method, path) of every request, for the access log

    def fetch(self, method: str, path: str, *, body: bytes | None = None, headers: dict[str, str] | None = None) -> Answer:
        headers = {"User-Agent": USER_AGENT, **(headers or {})}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        for attempt in (1, 2):
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # The server closed an idle kept-alive connection just as we reused it: send again, once.
                self.conn.close()
                if attempt == 2:
                    raise
        if response.will_close:
            self.conn.close()
        self.log.append((method, urllib.parse.urlsplit(path).path))
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(header)
            for name, morsel in cookie.items():
                self.cookies[name] = morsel.value
        return Answer(response.status, response.headers, data)

    def timed(self, path: str, steps) -> Cycle:
        """Run `steps(self)` (its requests) and time it; counts requests, connections and bytes."""
        before = (len(self.log), self.conn.opened, self.conn.sent, self.conn.received[0])
        started = time.perf_counter()
        image = steps(self)
        elapsed = time.perf_counter() - started
        return Cycle(
            path=path,
            ms=elapsed * 1000,
            requests=len(self.log) - before[0],
            opened=self.conn.opened - before[1],
            sent=self.conn.sent - before[2],
            received=self.conn.received[0] - before[3],
            image=image,
        )


class Failure(Exception):
    pass


# ---- the web page ------------------------------------------------------------------------------------------


@dataclass
class Card:
    image: str
    rate_url: str
    fields: dict[str, str]  # the rate form's hidden fields, in the page's order
    csrf: str  # the body's hx-headers X-CSRFToken (the full page) or the form's token (a card)


CARD_FORM = re.compile(r'<form id="rate-form".*?</form>', re.S)


def parse_card(page: str, previous_csrf: str = "") -> Card:
    image = re.search(r'data-testid="image" data-image-id="([0-9a-f-]{36})"', page)
    form = CARD_FORM.search(page)
    if not image or not form:
        notice = re.search(r'data-testid="(?:empty|paused|error|notice)"[^>]*>(.*?)<', page, re.S)
        raise Failure("the answer holds no card to rate" + (f": {notice.group(1).strip()}" if notice else ""))
    action = re.search(r'hx-post="([^"]+)"', form.group(0))
    fields = {
        name: html.unescape(value)
        for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form.group(0))
    }
    headers = re.search(r"hx-headers='([^']*)'", page)
    csrf = json.loads(html.unescape(headers.group(1)))["X-CSRFToken"] if headers else previous_csrf
    return Card(image=image.group(1), rate_url=html.unescape(action.group(1)), fields=fields, csrf=csrf or fields["csrfmiddlewaretoken"])


def web_login(client: Client, key: str) -> Card:
    answer = client.fetch("GET", "/login/")
    if answer.status != 200 or "csrftoken" not in client.cookies:
        raise Failure(f"GET /login/ answered {answer.status} without a csrftoken cookie")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', answer.body.decode())
    body = urllib.parse.urlencode({"csrfmiddlewaretoken": token.group(1) if token else "", "apikey": key}).encode()
    answer = client.fetch(
        "POST",
        "/login/",
        body=body,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": client.origin,
            "Referer": client.origin + "/login/",
        },
    )
    if answer.status != 302 or "sessionid" not in client.cookies:
        raise Failure(f"logging in with {key!r} answered {answer.status}: {answer.body[:300]!r}")
    answer = client.fetch("GET", "/rate/")
    if answer.status != 200:
        raise Failure(f"GET /rate/ answered {answer.status}")
    return parse_card(answer.body.decode())


def web_cycle(card: Card, rating: int, artifacts: int):
    """One rating as rate.js + htmx send it: the rate form's fields and htmx's headers; the answer is the next card."""
    holder: dict[str, Card] = {}

    def steps(client: Client) -> str:
        body = urllib.parse.urlencode({**card.fields, "rating": str(rating), "artifacts": str(artifacts)}).encode()
        answer = client.fetch(
            "POST",
            card.rate_url,
            body=body,
            headers={
                "HX-Request": "true",
                "HX-Current-URL": client.origin + "/rate/",
                "HX-Target": "card",
                "HX-Trigger": "rate-form",
                "X-CSRFToken": card.csrf,
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept": "*/*",
                "Origin": client.origin,
                "Referer": client.origin + "/rate/",
            },
        )
        if answer.status != 200:
            raise Failure(f"POST {card.rate_url} answered {answer.status}: {answer.body[:300]!r}")
        text = answer.body.decode()
        if 'data-testid="error"' in text:
            raise Failure(f"the web rating was refused: {re.search(r'data-testid=.error.[^>]*>(.*?)<', text, re.S).group(1)!r}")
        nxt = parse_card(text, card.csrf)
        if nxt.image == card.image:
            raise Failure(f"the next card shows the image just rated ({card.image})")
        holder["card"] = nxt
        return nxt.image

    return steps, holder


# ---- the API -----------------------------------------------------------------------------------------------


def api_cycle(key: str, rating: int, artifacts: int):
    def steps(client: Client) -> str:
        headers = {"apikey": key, "Client-Agent": CLIENT_AGENT, "Accept": "application/json"}
        answer = client.fetch("GET", "/api/v1/rating/new", headers=headers)
        if answer.status != 200:
            raise Failure(f"GET /api/v1/rating/new answered {answer.status}: {answer.body[:300]!r}")
        image = json.loads(answer.body)["id"]
        body = json.dumps({"rating": rating, "artifacts": artifacts}).encode()
        answer = client.fetch(
            "POST", f"/api/v1/rating/{image}", body=body, headers={**headers, "Content-Type": "application/json"}
        )
        if answer.status != 201:
            raise Failure(f"POST /api/v1/rating/{image} answered {answer.status}: {answer.body[:300]!r}")
        reply = json.loads(answer.body)
        if "reward" not in reply or "message" not in reply:
            raise Failure(f"POST /api/v1/rating/{image} answered {reply!r}")
        return image

    return steps


# ---- the run -----------------------------------------------------------------------------------------------


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def p90(values: list[float]) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=10, method="inclusive")[-1]


def load_average() -> str:
    try:
        return " ".join(f"{v:.2f}" for v in os.getloadavg())
    except OSError:
        return "n/a"


def server_times(log_path: Path, requests: list[tuple[str, str]]) -> list[float] | None:
    """Each request's server time in ms (gunicorn's %(D)s, microseconds), in the clients' order.

    The clients send one request at a time, so the access log's lines are in the order the requests were
    sent; returns None when the lines do not match the requests one for one."""
    lines = [line.split() for line in log_path.read_text().splitlines() if line.strip()]
    lines = [parts for parts in lines if parts[1] != "/healthz"]
    if len(lines) != len(requests):
        return None
    out = []
    for parts, (method, path) in zip(lines, requests):
        if parts[0] != method or parts[1] != path:
            return None
        out.append(int(parts[3]) / 1000)
    return out


def run(args: argparse.Namespace, port: int) -> tuple[list[Cycle], list[Cycle], list[tuple[str, str]]]:
    rng = random.Random(args.seed)
    web, api = Client(port), Client(port)
    card = web_login(web, args.web_key)
    # Everything before the first cycle (login, the full page) is left out of the per-request server times.
    order: list[tuple[str, str]] = [*web.log]
    web_cycles: list[Cycle] = []
    api_cycles: list[Cycle] = []
    for index in range(args.warmup + args.cycles):
        rating, artifacts = rng.randint(1, 10), rng.randint(0, 5)
        steps, holder = web_cycle(card, rating, artifacts)
        mark = len(web.log)
        cycle = web.timed("web", steps)
        order += web.log[mark:]
        card = holder["card"]
        if index >= args.warmup:
            web_cycles.append(cycle)
        mark = len(api.log)
        cycle = api.timed("api", api_cycle(args.api_key, rating, artifacts))
        order += api.log[mark:]
        if index >= args.warmup:
            api_cycles.append(cycle)
    web.conn.close()
    api.conn.close()
    return web_cycles, api_cycles, order


def attach_server_times(args, base: Path, order, web_cycles: list[Cycle], api_cycles: list[Cycle]) -> bool:
    times = server_times(base / "access.log", order)
    if times is None:
        return False
    # order: the login's requests, then per index one web request and two API requests.
    login = len(order) - (args.warmup + args.cycles) * 3
    for i in range(args.cycles):
        at = login + 3 * (args.warmup + i)
        web_cycles[i].server_parts = [times[at]]
        api_cycles[i].server_parts = [times[at + 1], times[at + 2]]
        web_cycles[i].server_ms = times[at]
        api_cycles[i].server_ms = times[at + 1] + times[at + 2]
    return True


def report(args, web_cycles: list[Cycle], api_cycles: list[Cycle], with_server: bool) -> dict:
    rows = {}
    print()
    print(f"{args.cycles} cycles of each path, interleaved (web, api, ...), after {args.warmup} untimed ones")
    print(
        f"{'':28} {'median ms':>9} {'p90 ms':>8} {'mean ms':>8} {'server ms':>9} {'server %':>8} "
        f"{'requests':>8} {'conns':>6} {'sent B':>7} {'recv B':>7}"
    )
    for label, cycles in (
        ("web page: POST /images/<id>/rate/ (htmx)", web_cycles),
        ("API: GET rating/new + POST rating/<id>", api_cycles),
    ):
        ms = [c.ms for c in cycles]
        server = [c.server_ms for c in cycles if c.server_ms is not None]
        row = {
            "median_ms": median(ms),
            "p90_ms": p90(ms),
            "mean_ms": statistics.fmean(ms),
            "server_median_ms": median(server) if server else None,
            "server_share": (sum(server) / sum(ms)) if server else None,
            "requests": median([c.requests for c in cycles]),
            "connections": median([c.opened for c in cycles]),
            "sent_bytes": median([c.sent for c in cycles]),
            "received_bytes": median([c.received for c in cycles]),
            "received_bytes_p90": p90([c.received for c in cycles]),
        }
        rows[cycles[0].path] = row
        server_text = f"{row['server_median_ms']:9.1f} {100 * row['server_share']:7.0f}%" if server else f"{'-':>9} {'-':>8}"
        print(f"  {label}")
        print(
            f"  {'':26} {row['median_ms']:9.1f} {row['p90_ms']:8.1f} {row['mean_ms']:8.1f} {server_text} "
            f"{row['requests']:8.0f} {row['connections']:6.0f} {row['sent_bytes']:7.0f} {row['received_bytes']:7.0f}"
        )
    ratio = rows["api"]["median_ms"] / rows["web"]["median_ms"]
    rows["ratio_api_web_median"] = ratio
    print()
    print(f"ratio api / web of the medians: {ratio:.2f}")
    if rows["web"]["server_median_ms"] and rows["api"]["server_median_ms"]:
        print(
            f"ratio api / web of the server-side medians: "
            f"{rows['api']['server_median_ms'] / rows['web']['server_median_ms']:.2f}"
        )
    if with_server:
        get_new = [c.server_parts[0] for c in api_cycles]
        post = [c.server_parts[1] for c in api_cycles]
        print(
            f"server-side medians of the API's two requests: GET rating/new {median(get_new):.1f} ms, "
            f"POST rating/<id> {median(post):.1f} ms"
        )
    else:
        print("(the access log did not match the requests one for one: no server-side times)")
    print(
        "server ms: gunicorn's %(D)s summed over the cycle's requests (median); server %: their sum over all cycles "
        "/ the client's; bytes and requests: median per cycle (sent: request lines, headers and bodies; recv: "
        "status lines, headers and bodies)"
    )
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    base = Path(tempfile.mkdtemp(prefix="api-cycle-bench-"))
    database_url = args.database_url or f"sqlite:///{base / 'db.sqlite3'}"
    print(
        f"API cycle benchmark: {'PostgreSQL ' + args.database_name if args.database_url else 'SQLite'}, "
        f"{args.images} images, gunicorn {args.workers} {args.worker_class} worker(s) x {args.threads} thread(s); "
        f"{os.cpu_count()} CPUs, load average {load_average()}; folder {base}",
        flush=True,
    )
    sys.path.insert(0, str(ROOT))
    from ratings_site.demo.standin import SERVICE_API_KEY, StandinHorde

    horde = StandinHorde().start()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE", "CACHE_URL", "REDIS_URL", "CACHE_KEY_PREFIX", "HORDE_TIMEOUT", "STANDIN_HORDE_ALLOWED"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="ratings_site.settings",
        DEBUG="0",
        SECRET_KEY="api-cycle-benchmark-only-not-a-secret",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        DATABASE_URL=database_url,
        STATIC_ROOT=str(base / "static"),
        MEDIA_ROOT=str(base / "media"),
        HORDE_API_URL=horde.url,
        HORDE_SERVICE_API_KEY=SERVICE_API_KEY,
        CAPTCHA_RATE="0",
        RATINGS_PER_MINUTE_MAX=HUGE,
        API_REQUESTS_PER_MINUTE_PER_RATER=HUGE,
        API_REQUESTS_PER_MINUTE_PER_ADDRESS=HUGE,
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    created = False
    process = None
    started = time.perf_counter()
    try:
        if args.database_url:
            postgres(args, "DROP DATABASE IF EXISTS {} WITH (FORCE)")
            postgres(args, "CREATE DATABASE {}")
            created = True
        prepared = prepare_site(args, env)
        print(f"Migrated and collected static files in {prepared['migrate_s']:.1f} s; {prepared['queued']} images queued", flush=True)
        process, port, command = start_gunicorn(args, env, base)
        print("Serving: gunicorn", " ".join(shlex.quote(part) for part in command[1:]), flush=True)
        web_cycles, api_cycles, order = run(args, port)
        stop(process)
        process = None
        with_server = attach_server_times(args, base, order, web_cycles, api_cycles)
        rows = report(args, web_cycles, api_cycles, with_server)
        counts = stored_ratings()
        from ratings_site.demo.standin import DEMO_KEYS

        for label, key in (("web", args.web_key), ("api", args.api_key)):
            stored = counts.get(DEMO_KEYS[key]["id"], 0) if key in DEMO_KEYS else None
            print(f"stored ratings of the {label} rater ({key}): {stored} (expected {args.warmup + args.cycles})")
            if stored is not None and stored != args.warmup + args.cycles:
                print("  <- MISMATCH")
        print(f"Took {time.perf_counter() - started:.1f} s; load average at the end {load_average()}")
        if args.json:
            args.json.write_text(
                json.dumps(
                    {
                        "summary": rows,
                        "web": [c.__dict__ for c in web_cycles],
                        "api": [c.__dict__ for c in api_cycles],
                        "database": "postgresql" if args.database_url else "sqlite",
                        "gunicorn": command,
                    },
                    indent=1,
                )
            )
            print(f"Wrote {args.json}")
        return 0
    except Failure as exc:
        print(f"Stopped: {exc}")
        if process is not None:
            print((base / "server.log").read_text(errors="replace")[-3000:])
        return 1
    finally:
        if process is not None:
            stop(process)
        horde.stop()
        if "django" in sys.modules:
            from django.db import connections

            connections.close_all()
        if args.keep:
            print(f"Kept {base}" + (f" and the database {args.database_name}" if created else ""))
        else:
            shutil.rmtree(base, ignore_errors=True)
            if created:
                postgres(args, "DROP DATABASE IF EXISTS {} WITH (FORCE)")


if __name__ == "__main__":
    sys.exit(main())
