"""/healthz while many logins wait on a slow Horde, without and with the bound on calls in flight (issue 20, 12).

Not a test: run it by hand (see benchmarks/README.md). Self-contained: in a temporary folder it migrates a
throwaway SQLite database and collects the static files, starts the stand-in Horde in this process (answering
every call after --delay seconds) and, for each --bounds value in turn, the README's gunicorn command (--workers
and --threads replaced, DEBUG off) with HORDE_MAX_CONCURRENT_CALLS set to that value ("off": 1000, more than any
thread count, so no call ever waits for a slot: how the site behaved before the bound). Then --logins logins at
once, each as a browser does it (GET /login/ for the CSRF cookie, then POST the key: a key the stand-in knows, one
per login), and, from --probe-after seconds on, GET /healthz one after the other (50 ms apart) until every login has answered.

It prints, per bound: the first /healthz probe's time and the slowest one's, the logins' answers (status, median
and slowest time, how many answered within 1 s) and how many find_user calls reached the Horde.

    .venv/bin/python benchmarks/slow_horde_healthz_benchmark.py [--logins 20 --delay 4 --workers 1 --threads 8 --bounds off,4]
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from api_cycle_benchmark import readme_gunicorn_command, with_option  # noqa: E402 (the README's gunicorn command)

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
NO_BOUND = "1000"


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--logins", type=int, default=20, help="logins sent at once (default %(default)s)")
    parser.add_argument("--delay", type=float, default=4.0, help="the stand-in Horde's delay, s (default %(default)s)")
    parser.add_argument("--workers", type=int, default=1, help="gunicorn --workers (default %(default)s)")
    parser.add_argument("--threads", type=int, default=8, help="gunicorn --threads (default %(default)s, the README's)")
    parser.add_argument("--bounds", default=f"off,{4}", help="HORDE_MAX_CONCURRENT_CALLS values, 'off' for none")
    parser.add_argument("--probe-after", type=float, default=1.0, help="first /healthz probe, s after the logins")
    return parser.parse_args(argv)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url: str, *, data: bytes | None = None, opener=None, timeout: float = 60) -> tuple[int, str]:
    request = urllib.request.Request(url, data=data, method="POST" if data is not None else "GET")
    try:
        with (opener or urllib.request.build_opener()).open(request, timeout=timeout) as answer:
            return answer.status, answer.read().decode(errors="replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(errors="replace")


def login(url: str, apikey: str) -> tuple[int, float]:
    started = time.monotonic()
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    fetch(url + "/login/", opener=opener)
    token = next(cookie.value for cookie in jar if cookie.name == "csrftoken")
    body = urllib.parse.urlencode({"apikey": apikey, "csrfmiddlewaretoken": token}).encode()
    status, _ = fetch(url + "/login/", data=body, opener=opener)
    return status, time.monotonic() - started


def run_one(args: argparse.Namespace, env: dict[str, str], base: Path, horde, bound: str) -> dict:
    port = free_port()
    command = readme_gunicorn_command()
    for option, value in (("--bind", f"127.0.0.1:{port}"), ("--workers", str(args.workers)),
                          ("--threads", str(args.threads))):  # fmt: skip
        command = with_option(command, option, value)
    command[0] = str(Path(PYTHON).with_name("gunicorn"))
    log = (base / f"server-{bound}.log").open("wb")
    env = {**env, "HORDE_MAX_CONCURRENT_CALLS": NO_BOUND if bound == "off" else bound}
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if fetch(url + "/healthz", timeout=2)[0] == 200:
                    break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("gunicorn did not start:\n" + (base / f"server-{bound}.log").read_text())
            time.sleep(0.2)
        horde.reset()
        from ratings_site.demo.standin import horde_user

        for n in range(args.logins):
            horde.add_user(f"bench-key-{n:04d}", horde_user(f"Bench#{7000 + n}", 7000 + n))
        horde.delay_seconds = args.delay
        answers: list[tuple[int, float]] = []
        threads = [
            threading.Thread(target=lambda n=n: answers.append(login(url, f"bench-key-{n:04d}")))
            for n in range(args.logins)
        ]
        for thread in threads:
            thread.start()
        time.sleep(args.probe_after)
        probes = []
        while any(thread.is_alive() for thread in threads) or not probes:
            started = time.monotonic()
            status, _ = fetch(url + "/healthz")
            probes.append(time.monotonic() - started)
            assert status == 200, status
            time.sleep(0.05)
        for thread in threads:
            thread.join()
        seen = sum(1 for r in horde.requests if r["path"] == "/v2/find_user")
        horde.reset()
    finally:
        process.terminate()
        process.wait(timeout=30)
    seconds = sorted(s for _, s in answers)
    return {
        "bound": bound,
        "first_healthz": probes[0],
        "max_healthz": max(probes),
        "probes": len(probes),
        "statuses": dict(Counter(status for status, _ in answers)),
        "login_median": statistics.median(seconds),
        "login_max": seconds[-1],
        "within_1s": sum(1 for s in seconds if s < 1.0),
        "find_user_sent": seen,
    }


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    base = Path(tempfile.mkdtemp(prefix="slow-horde-bench-"))
    sys.path.insert(0, str(ROOT))
    from ratings_site.demo.standin import StandinHorde

    horde = StandinHorde().start()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE", "CACHE_URL", "REDIS_URL", "CACHE_KEY_PREFIX",
                       "HORDE_TIMEOUT", "HORDE_LOGIN_TIMEOUT", "HORDE_MAX_CONCURRENT_CALLS", "STANDIN_HORDE_ALLOWED"}
    }  # fmt: skip
    env.update(
        DJANGO_SETTINGS_MODULE="ratings_site.settings",
        DEBUG="0",
        SECRET_KEY="slow-horde-benchmark-only-not-a-secret",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        DATABASE_URL=f"sqlite:///{base / 'db.sqlite3'}",
        STATIC_ROOT=str(base / "static"),
        MEDIA_ROOT=str(base / "media"),
        HORDE_API_URL=horde.url,
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    print(
        f"Slow Horde benchmark: {args.logins} logins at once, the Horde answering in {args.delay} s "
        f"(HORDE_LOGIN_TIMEOUT 3 s), gunicorn {args.workers} gthread worker(s) x {args.threads} threads; "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}",
        flush=True,
    )
    try:
        for command in (["migrate", "--noinput"], ["collectstatic", "--noinput"]):
            subprocess.run([PYTHON, "manage.py", *command], cwd=ROOT, env=env, check=True, capture_output=True)
        print("| HORDE_MAX_CONCURRENT_CALLS | /healthz, first probe | /healthz, slowest of n | login answers | "
              "login median / slowest | answered within 1 s | find_user sent |")  # fmt: skip
        print("|---|---|---|---|---|---|---|")
        for bound in args.bounds.split(","):
            row = run_one(args, env, base, horde, bound.strip())
            print(
                f"| {row['bound']} | {row['first_healthz']:.2f} s | {row['max_healthz']:.2f} s of {row['probes']} | "
                f"{row['statuses']} | {row['login_median']:.2f} / {row['login_max']:.2f} s | "
                f"{row['within_1s']} of {args.logins} | {row['find_user_sent']} |",
                flush=True,
            )
    finally:
        horde.stop()
        shutil.rmtree(base, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
