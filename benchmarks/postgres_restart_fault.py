"""PostgreSQL restarted during a rating load: errors while it is down, recovery without restarting the site, and
nothing that got a 2xx lost (issue 24, "Faults").

Starts its OWN throwaway PostgreSQL server (initdb into a temporary directory as the `postgres` user, on a free
port: never the machine's shared server), migrates and seeds it, serves the site with README's gunicorn command
(DEBUG off) against it and the stand-in Horde, runs a steady API rating load (`--raters` threads, each its own
stand-in key: `rating/new` then `POST rating/<id>`), restarts PostgreSQL mid-run (`pg_ctl restart -m fast`), and
prints:

- the answers while it was down (status codes; a request that hung past `--bound` seconds is a failure);
- the time from PostgreSQL being back to the first 2xx rating, without restarting gunicorn;
- that every rating answered 201 is in the database afterwards (by rater and image).

Run as root (it switches to `postgres` for the server):

    .venv/bin/python benchmarks/postgres_restart_fault.py [--path api|pages] [--raters 8] [--before 8] [--after 12]
        [--conn-max-age 60] [--no-health-checks]
"""

from __future__ import annotations

import argparse
import glob
import http.cookiejar
import json
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ratings_site.demo.standin import StandinHorde, horde_user  # noqa: E402 (after the path)

# URL images (never fetched: the API hands out their URL), queued as the importer queues them.
SEED = """
import hashlib
from ratings_site.datasets import services
from ratings_site.datasets.models import Dataset, Image
dataset = Dataset.objects.create(slug="pg-fault", name="PostgreSQL fault", public=True)
urls = [f"https://images.example.org/pg-fault/{{n}}.webp" for n in range({count})]
Image.objects.bulk_create([Image(dataset=dataset, url=url, width=1024, height=1024,
    dedupe_key=hashlib.sha256(url.encode()).hexdigest()) for url in urls], batch_size=2000)
services.refresh_queue(Image.objects.all())
services.recount_images(Dataset.objects.all())
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def pg_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        sys.exit(f"no {name} under /usr/lib/postgresql/*/bin")
    return found[-1]


def as_postgres(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["runuser", "-u", "postgres", "--", *command], check=True, capture_output=True, text=True, **kwargs
    )


class ThrowawayPostgres:
    """A PostgreSQL server of this run only: a temporary data directory, a free port, its socket in the directory."""

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="pg-restart-fault-"))
        shutil.chown(self.dir, "postgres", "postgres")
        self.data = self.dir / "data"
        self.port = free_port()
        self.log = self.dir / "server.log"

    def start(self) -> ThrowawayPostgres:
        as_postgres([pg_bin("initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync"])
        self._ctl("start", "-w")
        as_postgres([pg_bin("createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "ratings"])
        return self

    def _ctl(self, *args: str) -> None:
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off"
        as_postgres([pg_bin("pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-o", options, *args])

    def restart(self) -> None:
        self._ctl("restart", "-m", "fast", "-w")

    def stop(self) -> None:
        try:
            self._ctl("stop", "-m", "immediate", "-w")
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(self.dir, ignore_errors=True)

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/ratings"


def readme_gunicorn_command() -> list[str]:
    import re

    match = re.search(r"`(gunicorn ratings_site\.wsgi[^`]*)`", (ROOT / "README.md").read_text())
    assert match, "README.md names no gunicorn command"
    return shlex.split(match.group(1))


def with_bind(args: list[str], bind: str) -> list[str]:
    out, skip = [], False
    for arg in args:
        if skip:
            skip = False
            continue
        if arg == "--bind":
            skip = True
            continue
        out.append(arg)
    return [*out, "--bind", bind]


class Load:
    """`raters` threads, each rating through the API with its own key, recording every answer."""

    def __init__(self, base: str, keys: list[str], bound: float, *, pages: bool = False) -> None:
        self.base, self.keys, self.bound, self.pages = base, keys, bound, pages
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.answers: list[tuple[float, str, int]] = []  # (time sent, step, status; 0 = no answer within the bound)
        self.stored: list[tuple[str, str]] = []  # (key, image id) answered 201
        self.hung = 0
        self.refusals: Counter[str] = Counter()  # 4xx answers by their message

    def _call(self, method: str, path: str, key: str, body: dict | None = None, opener=None) -> tuple[int, dict]:
        if opener is not None:  # a page: a browser's form post, with its session and CSRF cookies
            data = urllib.parse.urlencode(body).encode() if body is not None else None
            request = urllib.request.Request(self.base + path, data=data, method=method)
        else:
            data = json.dumps(body).encode() if body is not None else None
            request = urllib.request.Request(self.base + path, data=data, method=method, headers={
                "apikey": key, "Client-Agent": "postgres-restart-fault:1", "Content-Type": "application/json"})
        try:
            with (opener or urllib.request.build_opener()).open(request, timeout=self.bound) as response:
                raw = response.read()
                if opener is not None:
                    return response.status, {"html": raw.decode(errors="replace")}
                return response.status, json.loads(raw or b"{}")
        except urllib.error.HTTPError as exc:
            if 400 <= exc.code < 500:
                raw = exc.read() or b"{}"
                message = json.loads(raw).get("message", "") if opener is None and raw.startswith(b"{") else ""
                with self.lock:
                    self.refusals[f"{exc.code} {message[:80]}".strip()] += 1
            return exc.code, {}
        except TimeoutError:
            with self.lock:
                self.hung += 1
            return 0, {}
        except (urllib.error.URLError, ConnectionError):
            return -1, {}

    def _page_rater(self, key: str) -> None:
        """The no-JavaScript page cycle: /rate/ shows an image, its form posts the rating and redirects (302)."""
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect())
        self._call("GET", "/login/", key, opener=opener)
        token = next(cookie.value for cookie in jar if cookie.name == "csrftoken")
        status, _ = self._call("POST", "/login/", key, {"apikey": key, "csrfmiddlewaretoken": token}, opener=opener)
        assert status == 302, f"login: {status}"
        while not self.stop.is_set():
            sent = time.monotonic()
            status, body = self._call("GET", "/rate/", key, opener=opener)
            self._note("new", status, sent)
            found = re.search(r'data-image-id="([0-9a-f-]{36})"', body.get("html", "")) if status == 200 else None
            if found is None:
                time.sleep(0.05)
                continue
            token = next(cookie.value for cookie in jar if cookie.name == "csrftoken")
            form = {"rating": "7", "csrfmiddlewaretoken": token}
            sent = time.monotonic()
            status, _ = self._call("POST", f"/images/{found.group(1)}/rate/", key, form, opener=opener)
            status = 201 if status == 302 else status  # the form's redirect is its "stored"
            self._note("rate", status, sent)
            if status == 201:
                with self.lock:
                    self.stored.append((key, found.group(1)))

    def _rater(self, key: str) -> None:
        if self.pages:
            return self._page_rater(key)
        while not self.stop.is_set():
            sent = time.monotonic()
            status, body = self._call("GET", "/api/v1/rating/new", key)
            self._note("new", status, sent)
            if status != 200:
                time.sleep(0.05)
                continue
            sent = time.monotonic()
            status, _ = self._call("POST", f"/api/v1/rating/{body['id']}", key, {"rating": 7})
            self._note("rate", status, sent)
            if status == 201:
                with self.lock:
                    self.stored.append((key, body["id"]))

    def _note(self, step: str, status: int, sent: float) -> None:
        with self.lock:
            self.answers.append((sent, step, status))

    def start(self) -> list[threading.Thread]:
        threads = [threading.Thread(target=self._rater, args=(key,), daemon=True) for key in self.keys]
        for thread in threads:
            thread.start()
        return threads


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # the 302 itself is the answer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--raters", type=int, default=8)
    parser.add_argument("--path", choices=["api", "pages"], default="api", help="the API cycle or the page cycle")
    parser.add_argument("--before", type=float, default=8, help="seconds of load before the restart")
    parser.add_argument("--after", type=float, default=12, help="seconds of load after it")
    parser.add_argument("--bound", type=float, default=10, help="seconds a request may take before it counts as hung")
    parser.add_argument("--images", type=int, default=600)
    parser.add_argument("--conn-max-age", default=None, help="CONN_MAX_AGE for the site (default: the settings')")
    parser.add_argument("--no-health-checks", action="store_true",
                        help="CONN_HEALTH_CHECKS=0: reuse kept connections unchecked (the site before the fix)")
    options = parser.parse_args()

    pg = ThrowawayPostgres().start()
    horde = StandinHorde().start()
    keys = [f"pg-fault-rater-{n:03d}" for n in range(options.raters)]
    for n, key in enumerate(keys):
        horde.add_user(key, horde_user(f"PgFault#{50000 + n}", 50000 + n))
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "CACHE_URL"}},
        "DJANGO_SETTINGS_MODULE": "ratings_site.settings", "DEBUG": "0", "SECRET_KEY": "pg-restart-fault",
        "ALLOWED_HOSTS": "127.0.0.1", "DATABASE_URL": pg.url, "STATIC_ROOT": str(pg.dir / "static"),
        "MEDIA_ROOT": str(pg.dir / "media"), "HORDE_API_URL": horde.url, "CAPTCHA_RATE": "0",
        "RATING_MIN_SECONDS": "0", "RATINGS_PER_MINUTE_MAX": "100000", "API_REQUESTS_PER_MINUTE_PER_RATER": "100000",
        "API_REQUESTS_PER_MINUTE_PER_ADDRESS": "1000000", "PYTHONUNBUFFERED": "1",
    }
    if options.no_health_checks:
        env["CONN_HEALTH_CHECKS"] = "0"
    if options.conn_max_age is not None:
        env["CONN_MAX_AGE"] = options.conn_max_age
    manage = [sys.executable, "manage.py"]
    gunicorn = None
    try:
        for command in (["migrate", "-v", "0"], ["collectstatic", "--noinput", "-v", "0"],
                        ["shell", "-c", SEED.format(count=options.images)]):
            subprocess.run([*manage, *command], cwd=ROOT, env=env, check=True, capture_output=True)
        port = free_port()
        args = with_bind(readme_gunicorn_command(), f"127.0.0.1:{port}")
        args = [sys.executable, "-m", *args]  # the venv's gunicorn
        log = open(pg.dir / "gunicorn.log", "w")
        gunicorn = subprocess.Popen(args, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(base + "/healthz", timeout=2)
                break
            except OSError:
                time.sleep(0.2)
        print(f"gunicorn: {' '.join(args[3:])}; PostgreSQL {pg_bin('postgres').split('/')[-3]} on port {pg.port}; "
              f"CONN_MAX_AGE={env.get('CONN_MAX_AGE', 'settings default')}, "
              f"CONN_HEALTH_CHECKS={env.get('CONN_HEALTH_CHECKS', 'settings default')}; {options.raters} raters through the {options.path}")

        load = Load(base, keys, options.bound, pages=options.path == "pages")
        threads = load.start()
        time.sleep(options.before)
        restart_began = time.monotonic()
        pg.restart()
        back = time.monotonic()
        time.sleep(options.after)
        load.stop.set()
        for thread in threads:
            thread.join(options.bound + 5)
        gunicorn_alive = gunicorn.poll() is None

        before = [a for a in load.answers if a[0] < restart_began]
        during = [a for a in load.answers if restart_began <= a[0] < back + 0.001]
        after = [a for a in load.answers if a[0] >= back]
        first_ok = next((t for t, step, status in sorted(after) if step == "rate" and status == 201), None)
        after_restart_errors = Counter(status for _, _, status in after if status not in (200, 201))
        # Requests are sorted by the moment they were sent: "meanwhile" is what was sent while PostgreSQL restarted.
        print(f"before the restart: {len(before)} answers, {Counter(s for _, _, s in before)}")
        print(f"restart took {back - restart_began:.2f} s; answers meanwhile: {Counter(s for _, _, s in during)}")
        print(f"after PostgreSQL was back: {len(after)} answers, errors {dict(after_restart_errors)}")
        print("first 201 rating after PostgreSQL was back: "
              + (f"{first_ok - back:.2f} s" if first_ok is not None else "NONE (the site did not recover)"))
        print(f"requests that hung past {options.bound} s: {load.hung}; gunicorn still the same processes: "
              f"{gunicorn_alive}")
        status_500 = sum(1 for _, _, s in load.answers if s >= 500)
        print(f"5xx answers in all: {status_500} (expected only around the restart); 4xx: {dict(load.refusals)}")

        # Every 201 is in the database: read it back through Django on the same database.
        check = (
            "import json,sys\n"
            "from ratings_site.ratings.models import Rating\n"
            "pairs={tuple(p) for p in json.load(sys.stdin)}\n"
            "rows=set(Rating.objects.filter(rater__username__startswith='PgFault#').values_list("
            "'rater__username','image__public_id'))\n"
            "stored={(u,str(i)) for u,i in rows}\n"
            "print(json.dumps({'answered':len(pairs),'missing':len(pairs-stored),'stored':len(stored)}))\n"
        )
        names = {key: f"PgFault#{50000 + n}" for n, key in enumerate(keys)}
        pairs = json.dumps([[names[k], i] for k, i in load.stored])
        result = subprocess.run([*manage, "shell", "-c", check], cwd=ROOT, env=env, input=pairs, text=True,
                                capture_output=True, check=True)
        figures = json.loads(result.stdout.strip().splitlines()[-1])
        print(f"ratings answered 201: {figures['answered']}; in the database: {figures['stored']}; "
              f"answered but missing: {figures['missing']}")
        ok = figures["missing"] == 0 and first_ok is not None and load.hung == 0 and gunicorn_alive
        print("RESULT:", "recovered, nothing lost" if ok else "FAILED")
        sys.exit(0 if ok else 1)
    finally:
        if gunicorn is not None:
            gunicorn.terminate()
            try:
                gunicorn.wait(10)
            except subprocess.TimeoutExpired:
                gunicorn.kill()
        horde.stop()
        pg.stop()


if __name__ == "__main__":
    main()
