"""Load: N raters at once against gunicorn on PostgreSQL, through the pages and the API, with /healthz as the
ceiling, then a consistency check of what was stored (issue 24, point 1).

Not a test: run it by hand (see benchmarks/README.md, "Load: load.py"). One command does everything:

    .venv/bin/python benchmarks/load.py [--raters 32 --seconds 60 --workers 2 --worker-class sync --threads 1
        --database-url postgres://postgres@127.0.0.1:5432/horde_load_<pid> --paths pages,api --json out.json --keep]

Set-up. It creates a PostgreSQL database of its own (dropped at the end unless --keep), migrates it, collects the
static files, and seeds a public dataset of --images images plus a best-of dataset of --groups prompt groups of four
(bulk_create, then datasets.services.refresh_queue and bestof.services.refresh_prompt_groups, as
benchmarks/api_cycle_benchmark.py seeds). It starts the stand-in Horde in this process with one user and key for
each simulated rater (StandinHorde.add_user) and, for each, generation sets it owns (add_generation_set); rated
sets are forwarded to the site's /api/v1/rating/set as the Horde does. Then it starts the site with README.md's
production command (`gunicorn ratings_site.wsgi ...`, the worker count, class and threads given here), DEBUG off.
The floors that exist to stop scripts are lifted, so that they do not refuse the load: CAPTCHA_RATE=0 (no check
images), RATING_MIN_SECONDS=0 (no look-time floor), RATINGS_PER_MINUTE_MAX, API_REQUESTS_PER_MINUTE_PER_RATER,
API_REQUESTS_PER_MINUTE_PER_ADDRESS and GENERATION_STATUS_LOOKUPS_PER_MINUTE out of reach. The `default` queue's
task worker runs (`manage.py db_worker --queue-name default`, as in production): it sends the sets rated on the pages
to the Horde. Kudos payments are off (no HORDE_SERVICE_API_KEY): the ledger's lines are written and stay pending,
which is what the check reads.

The clients. --raters raters per path, each with its own key and its own keep-alive connection and cookies,
spread over --client-processes processes (threads inside each; see benchmarks/load_clients.py for exactly what each
sends). The client runs on the same machine as the site: it takes CPU from it, so each phase reports the cores used
by the clients (measured in their processes), gunicorn, the task worker, this database's PostgreSQL backends and
this process (the stand-in Horde), and the rest of the machine's busy time: other work, which on a shared machine
skews every figure (the load average before each phase is printed too).

Phases, in this order, each a closed or an open loop of the same clients:
1. /healthz: --raters clients, closed loop (no think time), --seconds / 2: the site's ceiling, requests/s.
2. for each path (pages, api):
   a. ceiling: the raters in a closed loop for --seconds: rating cycles/s, and its ratio to /healthz's requests/s.
      At saturation a closed loop's latency only restates its throughput (Little's law: latency = clients /
      throughput, 32 clients at 100 cycles/s wait 320 ms whatever the site), so this phase's percentiles are shown
      but are not the latency figure.
   b. paced: the same raters in an open loop for --seconds, each sending at a fixed share of the ceiling just
      measured (--paced-fraction, 0.5 by default, of the cycles/s, spread evenly over the raters, each with a
      random phase). A cycle is timed from its scheduled start, so one that waits for a slow answer counts its
      wait (no coordinated omission). These are the latency figures: p50/p95/p99 per step and per cycle.
A cycle is what a rater does to rate: on the pages one htmx POST (it saves and answers the next card; images are
not loaded), every --bestof-every-th a best-of pick, every --sets-every-th a generation set (its page, the POST that
records it and hands it to the task worker, the redirect; the page's poll while the worker sends is not sent); on
the API GET rating/new + POST rating/<id>, every --sets-every-th a set
registered (POST /api/v1/generations) and rated at the Horde (which forwards it to the site).

Then it checks the database: ratings stored = the saves the clients counted (dataset ratings, best-of picks,
generation ratings, per rater), no image over RATINGS_PER_IMAGE counted ratings and no group over
BEST_PICKS_PER_GROUP picks, no rater with two ratings of one image or two picks of one group, and the kudos ledger =
what the kudos rule owes (a line of KUDOS_PER_RATING per rating, of KUDOS_PER_BEST_PICK per pick, and per set the
site sent and the Horde accepted the Horde's reward, status "horde"; a set rated at the Horde itself has no line:
the forward carries no reward). It waits (up to 60 s) for the worker to send the pages' sets first, and notes sets
the Horde refused (it waits 3 s for the site's answer to its forward) and whether the site kept them. Last, the goals, each met or not: ratio >= 0.25 on both paths, p99 < 100 ms
(the paced dataset cycle of each path), no 5xx, nothing lost or extra. Exit status 0 when all are met, 1 otherwise,
2 when the run itself failed (gunicorn's and the worker's logs are printed; gunicorn's also after any 5xx).
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import math
import multiprocessing
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections import Counter, defaultdict
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
from load_clients import client_process  # noqa: E402  (benchmarks/ is not a package)

PYTHON = sys.executable
HUGE = "1000000"
MAIN_SLUG, BEST_SLUG = "load", "load-best"
GOAL_RATIO, GOAL_P99_MS = 0.25, 100.0


# ---- arguments ---------------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--raters", type=int, default=32, help="simulated raters per path (default %(default)s)")
    parser.add_argument("--seconds", type=float, default=60, help="each rating phase's length (default %(default)s)")
    parser.add_argument("--paths", default="pages,api", help="pages, api or both (default %(default)s)")
    parser.add_argument("--paced-fraction", type=float, default=0.5,
                        help="the paced phase's rate, as a share of the ceiling's cycles/s (default %(default)s)")
    parser.add_argument("--bestof-every", type=int, default=10, help="pages: every Nth cycle a best-of pick (0: none)")
    parser.add_argument("--sets-every", type=int, default=25, help="every Nth cycle a generation set (0: none)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn --workers (default %(default)s)")
    parser.add_argument("--worker-class", default="sync", help="gunicorn --worker-class, sync or gthread")
    parser.add_argument("--threads", type=int, default=1, help="gunicorn --threads (default %(default)s)")
    parser.add_argument("--client-processes", type=int, default=4, help="client processes (default %(default)s)")
    parser.add_argument("--redis", default="auto",
                        help="production's Redis for the cache, sessions, rate limits and tasks (README, Background "
                             "work): a redis:// URL without a database number, 'auto' (redis://127.0.0.1:6379 when it "
                             "answers, the default) or 'off' (the embedded defaults: everything in PostgreSQL)")
    parser.add_argument("--images", type=int, default=None, help="dataset images (default 200 x seconds, >= 2000)")
    parser.add_argument("--groups", type=int, default=None, help="best-of prompt groups (default 12 x seconds, >= 100)")
    parser.add_argument("--database-url", default=f"postgres://postgres@127.0.0.1:5432/horde_load_{os.getpid()}",
                        help="the PostgreSQL database to create and drop (its name must contain 'load')")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--keep", action="store_true", help="leave the database and the temporary folder in place")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    args.paths = [p.strip() for p in args.paths.split(",") if p.strip()]
    if not args.paths or set(args.paths) - {"pages", "api"}:
        parser.error("--paths takes pages, api or pages,api")
    if args.raters < 1 or args.seconds < 1 or not 0 < args.paced_fraction <= 1:
        parser.error("--raters and --seconds must be >= 1, --paced-fraction in (0, 1]")
    if args.worker_class == "sync" and args.threads > 1:
        parser.error("gunicorn runs a sync worker with --threads > 1 as gthread: pass --worker-class gthread")
    args.client_processes = max(1, min(args.client_processes, args.raters))
    args.images = args.images or max(2000, int(200 * args.seconds))
    args.groups = args.groups or max(100, int(12 * args.seconds))
    url = urllib.parse.urlsplit(args.database_url)
    args.database_name = url.path.lstrip("/")
    if url.scheme not in ("postgres", "postgresql", "pgsql") or not args.database_name:
        parser.error("--database-url must be a postgres:// URL naming a database")
    if "load" not in args.database_name:
        parser.error(f"refusing database {args.database_name!r}: its name must contain 'load' (it is dropped)")
    args.maintenance_url = urllib.parse.urlunsplit(url._replace(path="/postgres", scheme="postgresql"))
    if args.redis not in ("auto", "off") and not args.redis.startswith(("redis://", "rediss://")):
        parser.error("--redis takes a redis:// URL, auto or off")
    return args


# ---- Redis (production's cache, sessions, rate limits and task queues) -----------------------------------------

# The claim key of tests/redis_helpers.py: test sessions and load runs each take a Redis database 1-15 of their own
# (RQ's keys take no prefix), so that neither sees the other's queues.
REDIS_CLAIM_KEY = "horde-ratings-tests:db:{}"


def claim_redis(args: argparse.Namespace) -> tuple[str, int] | None:
    """(base URL, database number) of a Redis database this run alone uses, emptied; None when Redis is off or,
    with --redis auto, does not answer."""
    if args.redis == "off":
        return None
    import redis

    base = ("redis://127.0.0.1:6379" if args.redis == "auto" else args.redis).rstrip("/")
    try:
        claims = redis.Redis.from_url(f"{base}/0", socket_connect_timeout=1, socket_timeout=5)
        claims.ping()
    except (redis.RedisError, OSError) as exc:
        if args.redis == "auto":
            return None
        raise RunFailed(f"Redis at {base} does not answer: {exc}") from None
    for number in range(1, 16):
        if claims.set(REDIS_CLAIM_KEY.format(number), f"load.py:{os.getpid()}", nx=True, ex=6 * 3600):
            redis.Redis.from_url(f"{base}/{number}").flushdb()
            return base, number
    raise RunFailed(f"every Redis database 1-15 at {base} is claimed (tests or other load runs)")


def release_redis(claimed: tuple[str, int] | None) -> None:
    if claimed is None:
        return
    import redis

    base, number = claimed
    try:
        redis.Redis.from_url(f"{base}/{number}").flushdb()
        redis.Redis.from_url(f"{base}/0").delete(REDIS_CLAIM_KEY.format(number))
    except (redis.RedisError, OSError):
        pass


# ---- the database and the seed -------------------------------------------------------------------------------


def postgres(args: argparse.Namespace, statement: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(args.maintenance_url, autocommit=True) as conn:
        conn.execute(sql.SQL(statement).format(sql.Identifier(args.database_name)))


def prepare_site(args: argparse.Namespace, env: dict[str, str]) -> dict:
    """Migrate, collect static files and seed the two datasets, in this process (Django set up on `env`)."""
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django
    from django.core.management import call_command

    django.setup()
    started = time.perf_counter()
    call_command("migrate", "--noinput", verbosity=0)
    call_command("collectstatic", "--noinput", verbosity=0)
    migrated = time.perf_counter() - started

    from django.db import connections

    from ratings_site.bestof.services import refresh_prompt_groups
    from ratings_site.datasets import services
    from ratings_site.datasets.models import Dataset, Image

    def add(dataset: Dataset, count: int, caption=lambda n: "") -> None:
        urls = [f"https://images.example.org/{dataset.slug}/{n}.webp" for n in range(count)]
        Image.objects.bulk_create(
            [
                Image(dataset=dataset, url=url, caption=caption(n), width=1024, height=1024,
                      dedupe_key=hashlib.sha256(url.encode()).hexdigest())
                for n, url in enumerate(urls)
            ],
            batch_size=2000,
        )

    started = time.perf_counter()
    main = Dataset.objects.create(slug=MAIN_SLUG, name="Load", public=True)
    best = Dataset.objects.create(slug=BEST_SLUG, name="Load best-of", public=True)
    add(main, args.images)
    add(best, 4 * args.groups, caption=lambda n: f"a load test prompt number {n // 4}")
    queued, _ = services.refresh_queue(Image.objects.all())
    services.recount_images(Dataset.objects.all())
    groups = refresh_prompt_groups([best])
    connections.close_all()
    return {"migrate_s": migrated, "seed_s": time.perf_counter() - started, "queued": queued, "groups": groups}


# ---- gunicorn ----------------------------------------------------------------------------------------------


def readme_gunicorn_command() -> list[str]:
    """The production web command, as README.md's "Web" line writes it."""
    match = re.search(r"`(gunicorn ratings_site\.wsgi[^`]*)`", (ROOT / "README.md").read_text())
    if not match:
        raise SystemExit("README.md names no `gunicorn ratings_site.wsgi ...` command")
    return shlex.split(match.group(1))


def with_option(command: list[str], option: str, value: str) -> list[str]:
    out, skip = [], False
    for arg in command:
        if skip:
            skip = False
        elif arg == option:
            skip = True
        elif not arg.startswith(option + "="):
            out.append(arg)
    return [*out, option, value]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(args, env: dict[str, str], base: Path) -> tuple[subprocess.Popen, int, list[str]]:
    port = free_port()
    command = readme_gunicorn_command()
    for option, value in (
        ("--bind", f"127.0.0.1:{port}"),
        ("--workers", str(args.workers)),
        ("--worker-class", args.worker_class),
        ("--threads", str(args.threads)),
        ("--error-logfile", str(base / "gunicorn.log")),
    ):
        command = with_option(command, option, value)
    command[0] = str(Path(PYTHON).with_name("gunicorn"))
    log = (base / "gunicorn.log").open("ab")
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while True:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                conn.close()
                return process, port, command
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            raise RunFailed("gunicorn did not start")
        time.sleep(0.2)


def stop(process: subprocess.Popen | None) -> None:
    if process is None or process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


class RunFailed(Exception):
    pass


def start_task_worker(env: dict[str, str], base: Path) -> subprocess.Popen:
    """The `default` queue's worker, as README's Production runs it: it sends the generation sets rated on the
    pages to the Horde (the page never waits on the Horde) and would pay kudos (off here: no service key). On
    Redis, RQ's worker with its scheduler; else the database backend's."""
    log = (base / "worker.log").open("ab")
    if env.get("REDIS_URL"):
        command = [PYTHON, "manage.py", "rqworker", "default", "--with-scheduler"]
    else:
        command = [PYTHON, "manage.py", "db_worker", "--queue-name", "default"]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)


def wait_for_sends(seconds: float) -> int:
    """Wait until no generation set waits to be sent to the Horde (the worker's part); returns those still waiting."""
    from django.db import connections

    from ratings_site.generations.models import GenerationSet

    deadline = time.monotonic() + seconds
    while True:
        waiting = GenerationSet.objects.filter(submission=GenerationSet.Submission.PENDING).count()
        if not waiting or time.monotonic() > deadline:
            connections.close_all()
            return waiting
        time.sleep(0.5)


# ---- CPU accounting (from /proc: the client shares the machine with the site) ---------------------------------

TICK = os.sysconf("SC_CLK_TCK")


def _proc_stats() -> dict[int, tuple[str, int, float]]:
    """pid -> (command name, parent pid, CPU seconds) for every process readable."""
    out = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            raw = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        name = raw[raw.index("(") + 1: raw.rindex(")")]
        fields = raw[raw.rindex(")") + 2:].split()
        # utime + stime, and cutime + cstime: the children it waited for (RQ's worker forks a work horse per task)
        out[int(entry)] = (name, int(fields[1]), sum(int(v) for v in fields[11:15]) / TICK)
    return out


def _machine_busy() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]
    total = sum(values[:8])
    return (total - idle) / TICK, total / TICK


class CpuMeter:
    """CPU seconds spent during a phase by gunicorn (master and workers), the task worker, PostgreSQL (this
    database's backends), the client processes (measured by themselves) and this process (the stand-in Horde), and
    the machine's total: the rest is other work on the machine."""

    def __init__(self, gunicorn_pid: int, worker_pid: int, database: str, redis: bool = False):
        self.gunicorn_pid, self.worker_pid, self.database, self.redis = gunicorn_pid, worker_pid, database, redis

    def _ours(self, pid: int) -> bool:
        """A PostgreSQL backend serving this run's database (its title names it: "postgres: user db host ...")."""
        try:
            title = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            return False
        return f" {self.database} " in title

    def sample(self) -> dict:
        stats = _proc_stats()
        busy, total = _machine_busy()
        return {
            "gunicorn": {pid: cpu for pid, (_, ppid, cpu) in stats.items()
                         if self.gunicorn_pid in (pid, ppid)},
            "task worker": {pid: cpu for pid, (_, ppid, cpu) in stats.items() if self.worker_pid in (pid, ppid)},
            # The machine's Redis, when the site uses it (its other users, such as test suites, count here too).
            "redis": {pid: cpu for pid, (name, _, cpu) in stats.items() if self.redis and name == "redis-server"},
            # This database's backends (one per connection, they come and go: each counted from its first sample);
            # the server's own processes and other databases' backends are "other work".
            "postgres": {pid: cpu for pid, (name, _, cpu) in stats.items() if name.startswith("postgres")
                         and self._ours(pid)},
            "stand-in Horde + this process": time.process_time(),
            "machine busy": busy,
            "machine total": total,
        }

    @staticmethod
    def delta(before: dict, after: dict) -> dict[str, float]:
        out = {}
        for key, value in after.items():
            if isinstance(value, dict):
                out[key] = sum(cpu - before[key].get(pid, 0.0) for pid, cpu in value.items())
            else:
                out[key] = value - before[key]
        return out


# ---- statistics ----------------------------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q / 100 * len(ordered)) - 1))]


def merge(results: list[dict]) -> dict:
    merged: dict = {"steps": defaultdict(list), "codes": Counter(), "cycles": defaultdict(list), "failed": Counter(),
                    "refused": Counter(),
                    "errors": [], "retries": 0, "out_of_work": 0, "cpu_s": 0.0}
    for r in results:
        for step, values in r["steps"].items():
            merged["steps"][step] += values
        for step, status, n in r["codes"]:
            merged["codes"][(step, status)] += n
        for kind, values in r["cycles"].items():
            merged["cycles"][kind] += [tuple(v) for v in values]
        merged["failed"].update(r["failed"])
        for kind, reason, n in r["refused"]:
            merged["refused"][(kind, reason)] += n
        merged["errors"] += r["errors"]
        merged["retries"] += r["retries"]
        merged["out_of_work"] += r["out_of_work"]
        merged["cpu_s"] += r["cpu_s"]
    return merged


def summarise(merged: dict, start: float, end: float) -> dict:
    """Figures of a phase: cycles that ended inside [start, end] make the rate; every answer makes the latencies."""
    duration = end - start
    cycles = {}
    for kind, values in merged["cycles"].items():
        inside = [ms for ms, ended in values if ended <= end]
        ms = [v for v, _ in values]
        cycles[kind] = {"n": len(values), "per_s": len(inside) / duration, "p50": percentile(ms, 50),
                        "p95": percentile(ms, 95), "p99": percentile(ms, 99), "max": max(ms) if ms else float("nan")}
    all_ms = [ms for values in merged["cycles"].values() for ms, _ in values]
    total = sum(c["per_s"] for c in cycles.values())
    steps = {step: {"n": len(v), "p50": percentile(v, 50), "p95": percentile(v, 95), "p99": percentile(v, 99),
                    "max": max(v)} for step, v in merged["steps"].items()}
    codes = defaultdict(dict)
    for (step, status), n in sorted(merged["codes"].items()):
        codes[step][str(status)] = n
    return {
        "seconds": duration,
        "cycles_per_s": total,
        "cycle_kinds": cycles,
        "cycle_all": {"p50": percentile(all_ms, 50), "p95": percentile(all_ms, 95), "p99": percentile(all_ms, 99)},
        "steps": steps,
        "codes": dict(codes),
        "status_5xx": sum(n for (_, status), n in merged["codes"].items() if status >= 500),
        "no_answer": sum(n for (_, status), n in merged["codes"].items() if status == 0),
        "failed_cycles": dict(merged["failed"]),
        "refused_cycles": [[kind, reason, n] for (kind, reason), n in merged["refused"].most_common()],
        "errors": merged["errors"][:10],
        "retries": merged["retries"],
        "out_of_work": merged["out_of_work"],
        "client_cpu_s": merged["cpu_s"],
    }


# ---- the run -------------------------------------------------------------------------------------------------


class Clients:
    """The client processes and their pipes."""

    def __init__(self, args, port: int, horde_port: int, specs: list[dict]):
        context = multiprocessing.get_context("spawn")
        self.pipes, self.processes = [], []
        for n in range(args.client_processes):
            mine = specs[n::args.client_processes]
            parent, child = context.Pipe()
            process = context.Process(target=client_process, daemon=True,
                                      args=(child, "127.0.0.1", port, horde_port, mine, BEST_SLUG, args.seed * 1000 + n))
            process.start()
            self.pipes.append(parent)
            self.processes.append(process)

    def command(self, name: str, payload: dict) -> list[dict]:
        for pipe in self.pipes:
            pipe.send((name, payload))
        answers = []
        for pipe, process in zip(self.pipes, self.processes):
            while not pipe.poll(5):
                if not process.is_alive():
                    raise RunFailed(f"a client process died (exit code {process.exitcode})")
            answers.append(pipe.recv()[1])
        return answers

    def stop(self) -> list[dict]:
        done = []
        for answers in self.command("stop", {}):
            done += answers
        for process in self.processes:
            process.join(timeout=10)
        return done

    def kill(self) -> None:
        for process in self.processes:
            if process.is_alive():
                process.kill()

    @property
    def pids(self) -> list[int]:
        return [p.pid for p in self.processes]


def run_phase(clients: Clients, meter: CpuMeter, *, path: str, seconds: float, args, interval: float | None,
              label: str) -> dict:
    start = time.time() + 0.5
    end = start + seconds
    payload = {"path": path, "start": start, "end": end, "interval": interval,
               "bestof_every": args.bestof_every if path == "pages" else 0, "sets_every": args.sets_every}
    load = os.getloadavg()[0]
    before, sampled = meter.sample(), time.perf_counter()
    results = clients.command("phase", payload)
    cpu = CpuMeter.delta(before, meter.sample())
    cpu_wall = time.perf_counter() - sampled
    figures = summarise(merge(results), start, end)
    cpu["clients"] = figures["client_cpu_s"]
    figures["cpu_s"] = cpu
    figures["cpu_wall_s"] = cpu_wall
    # The server's CPU per cycle (gunicorn, this database's backends, the task worker): what a cycle costs whatever
    # else the machine is doing, unlike the rates, which other work on a shared machine lowers.
    cycles = sum(c["n"] for c in figures["cycle_kinds"].values())
    server = cpu["gunicorn"] + cpu["postgres"] + cpu["task worker"] + cpu["redis"]
    figures["server_cpu_ms_per_cycle"] = 1000 * server / cycles if cycles else float("nan")
    figures["load_average_before"] = load
    figures["label"] = label
    print_phase(figures, path)
    return figures


def ms(value: float) -> str:
    return "     -" if value != value else f"{value:6.1f}"


def print_phase(f: dict, path: str) -> None:
    print(f"\n== {f['label']} ({f['seconds']:.0f} s; load average before {f['load_average_before']:.2f})")
    unit = "req/s" if path == "healthz" else "cycles/s"
    print(f"   {f['cycles_per_s']:.1f} {unit} (cycles that ended within the phase)")
    print(f"   {'cycle':34} {'n':>6} {'per s':>6} {'p50':>6} {'p95':>6} {'p99':>6} {'max':>7}   (ms)")
    for kind, c in sorted(f["cycle_kinds"].items()):
        print(f"   {kind:34} {c['n']:6d} {c['per_s']:6.1f} {ms(c['p50'])} {ms(c['p95'])} {ms(c['p99'])} {c['max']:7.1f}")
    print(f"   {'step':34} {'n':>6} {'':>6} {'p50':>6} {'p95':>6} {'p99':>6} {'max':>7}   answers by status")
    for step, s in f["steps"].items():
        codes = " ".join(f"{code}x{n}" for code, n in f["codes"].get(step, {}).items())
        print(f"   {step:34} {s['n']:6d} {'':6} {ms(s['p50'])} {ms(s['p95'])} {ms(s['p99'])} {s['max']:7.1f}   {codes}")
    cpu = f["cpu_s"]
    share = {k: v / f["cpu_wall_s"] for k, v in cpu.items()}
    ours = sum(v for k, v in share.items() if k not in ("machine busy", "machine total"))
    per = "request" if path == "healthz" else "cycle"
    print(f"   server CPU per {per}: {f['server_cpu_ms_per_cycle']:.2f} ms (gunicorn, PostgreSQL, Redis and the task "
          f"worker)")
    print(f"   CPU (cores busy on average): clients {share['clients']:.2f}, gunicorn {share['gunicorn']:.2f}, "
          f"PostgreSQL {share['postgres']:.2f}, Redis {share['redis']:.2f}, task worker {share['task worker']:.2f}, "
          f"stand-in Horde + coordinator "
          f"{share['stand-in Horde + this process']:.2f}; machine {share['machine busy']:.2f} of {os.cpu_count()}, "
          f"of which {max(0.0, share['machine busy'] - ours):.2f} other work")
    extra = []
    if f["status_5xx"]:
        extra.append(f"5xx: {f['status_5xx']}")
    if f["no_answer"]:
        extra.append(f"no answer: {f['no_answer']}")
    if f["failed_cycles"]:
        extra.append(f"failed cycles: {f['failed_cycles']}")
    for kind, reason, n in f["refused_cycles"][:4]:
        extra.append(f"refused {kind} cycles (403, the site's reason: {reason!r}): {n}")
    if f["retries"]:
        extra.append(f"resent on a closed keep-alive connection: {f['retries']}")
    if f["out_of_work"]:
        extra.append(f"raters out of work: {f['out_of_work']} (seed more: --images/--groups)")
    if extra:
        print("   " + "; ".join(extra))
    for error in f["errors"][:5]:
        print(f"   ! {error}")


def rater_specs(args, horde) -> list[dict]:
    """One stand-in user, key and set list per rater (pages and API raters are different accounts), and the
    /healthz clients."""
    from ratings_site.demo.standin import horde_user

    specs = []
    sets_each = math.ceil(12 * args.seconds / args.sets_every) + 2 if args.sets_every else 0
    for path, base in (("pages", 700000), ("api", 800000)):
        if path not in args.paths:
            continue
        for n in range(args.raters):
            horde_id = base + n
            username = f"Load{path.title()}{n}#{horde_id}"
            key = f"load-{path}-{n:04d}-{hashlib.sha256(f'{args.seed}{path}{n}'.encode()).hexdigest()[:16]}"
            horde.add_user(key, horde_user(username, horde_id, kudos=100.0))
            sets = []
            for _ in range(sets_each):
                request_id = horde.add_generation_set(4, owner=username, kudos=100.0)
                sets.append({"request_id": request_id, "generation_ids": horde.generation_ids(request_id)})
            specs.append({"path": path, "key": key, "horde_id": horde_id, "username": username, "sets": sets})
    specs += [{"path": "healthz", "key": f"healthz-{n}", "horde_id": 0} for n in range(args.raters)]
    return specs


# ---- the consistency check -----------------------------------------------------------------------------------


def consistency(done: list[dict], horde) -> tuple[list[tuple[str, bool, str]], dict]:
    """Compare what the clients were told was saved with what the database holds (read after the run)."""
    from django.conf import settings
    from django.db import connections
    from django.db.models import Count, Exists, OuterRef, Sum

    from ratings_site.bestof.models import BestPick
    from ratings_site.generations.models import GenerationRating, GenerationSet
    from ratings_site.kudos.models import KudosReward
    from ratings_site.raters.models import Rater
    from ratings_site.ratings.models import Rating

    ids = {d["horde_id"]: d for d in done}
    raters = dict(Rater.objects.filter(horde_id__in=ids).values_list("pk", "horde_id"))

    def per_rater(queryset, field: str = "rater_id") -> Counter:
        return Counter({raters[k]: n for k, n in queryset.values_list(field).annotate(n=Count("pk")).values_list(field, "n")
                        if k in raters})

    def sums(queryset) -> Counter:
        return Counter({raters[k]: n for k, n in queryset.values_list("rater_id").annotate(n=Sum("amount"))
                        .values_list("rater_id", "n") if k in raters})

    ratings = per_rater(Rating.objects.all())
    picks = per_rater(BestPick.objects.all())
    generation = per_rater(GenerationRating.objects.all(), "image__generation_set__rater_id")
    rated = GenerationRating.objects.filter(image__generation_set=OuterRef("pk"))
    sets = per_rater(GenerationSet.objects.filter(Exists(rated)))
    lines = KudosReward.objects.filter(rater_id__in=raters)
    rating_lines = per_rater(lines.filter(kind=KudosReward.Kind.RATING))
    rating_kudos = sums(lines.filter(kind=KudosReward.Kind.RATING))
    pick_lines = per_rater(lines.filter(kind=KudosReward.Kind.BEST_PICK))
    pick_kudos = sums(lines.filter(kind=KudosReward.Kind.BEST_PICK))
    set_lines = per_rater(lines.filter(kind=KudosReward.Kind.GENERATION_SET))
    set_kudos = sums(lines.filter(kind=KudosReward.Kind.GENERATION_SET))
    horde_rewards = {r["request_id"]: r["reward"] for r in horde.rated}

    checks: list[tuple[str, bool, str]] = []

    def compare(label: str, expected: Counter, stored: Counter) -> None:
        wrong = [h for h in ids if expected.get(h, 0) != stored.get(h, 0)]
        text = f"stored {sum(stored.values())}, answered {sum(expected.values())}"
        if wrong:
            h = wrong[0]
            text += f"; {len(wrong)} rater(s) differ, e.g. {h}: stored {stored.get(h, 0)}, answered {expected.get(h, 0)}"
        checks.append((label, not wrong, text))

    answered_ratings = Counter({h: d["rated_images"] for h, d in ids.items()})
    answered_picks = Counter({h: d["picked_groups"] for h, d in ids.items()})
    compare("dataset ratings stored = saves answered", answered_ratings, ratings)
    compare("best-of picks stored = picks answered", answered_picks, picks)

    # Generation sets. The API's: answered = the Horde's 200. One the Horde refused after its forward reached the
    # site (the Horde waits 3 s for the site's answer) may be stored all the same: it is counted apart, as a note.
    # The pages': answered = "Saved; sending to the Horde" (the worker sends it); what the Horde then said is the
    # set's `submission` (sent or refused).
    refused_ids = {rid: (h, n, words) for h, d in ids.items() for rid, (n, words) in d["horde_refused"].items()}
    kept_anyway = dict(GenerationSet.objects.filter(request_id__in=refused_ids, images__rating__isnull=False)
                       .values_list("request_id").annotate(n=Count("images__rating")).values_list("request_id", "n"))
    answered_generation = Counter({h: d["generation_ratings"] for h, d in ids.items()})
    answered_sets = Counter({h: d["rated_sets"] for h, d in ids.items()})
    for rid, n in kept_anyway.items():
        answered_generation[refused_ids[rid][0]] += n
        answered_sets[refused_ids[rid][0]] += 1
    compare("generation ratings stored = ratings answered (+ sets the Horde refused but the site kept)",
            answered_generation, generation)
    compare("generation sets rated = sets answered (+ the same)", answered_sets, sets)
    if refused_ids:
        words = Counter(w for _, _, w in refused_ids.values()).most_common(1)[0][0]
        checks.append(("note: API sets the Horde refused", True,
                       f"{len(refused_ids)} ({words!r}); the site kept {len(kept_anyway)} of them (rated, unpaid)"))
    page_sets = [rid for d in done if d["path"] == "pages" for rid in d["set_ids"]]
    states = Counter(GenerationSet.objects.filter(request_id__in=page_sets).values_list("submission", flat=True))
    sent_ids = set(GenerationSet.objects.filter(request_id__in=page_sets, submission=GenerationSet.Submission.SENT)
                   .values_list("request_id", flat=True))
    accepted = {rid for rid in page_sets if rid in horde_rewards}
    checks.append(("pages sets marked sent = sets the Horde accepted", sent_ids == accepted,
                   f"{len(sent_ids)} sent, {len(accepted)} accepted; states {dict(states)}"))
    refusals = Counter(GenerationSet.objects.filter(request_id__in=page_sets, submission=GenerationSet.Submission.REFUSED)
                       .values_list("submission_error", flat=True))
    if refusals:
        checks.append(("note: pages sets the Horde refused", True, f"{sum(refusals.values())}: {dict(refusals)}"))

    over = (Rating.objects.filter(counts=True).values("image_id").annotate(n=Count("pk"))
            .filter(n__gt=settings.RATINGS_PER_IMAGE).count())
    full = (Rating.objects.filter(counts=True).values("image_id").annotate(n=Count("pk"))
            .filter(n=settings.RATINGS_PER_IMAGE).count())
    checks.append((f"no image over RATINGS_PER_IMAGE ({settings.RATINGS_PER_IMAGE}) counted ratings", over == 0,
                   f"{over} over; {full} images reached it exactly"))
    over_picks = (BestPick.objects.values("group_id").annotate(n=Count("pk"))
                  .filter(n__gt=settings.BEST_PICKS_PER_GROUP).count())
    checks.append((f"no prompt group over BEST_PICKS_PER_GROUP ({settings.BEST_PICKS_PER_GROUP}) picks",
                   over_picks == 0, f"{over_picks} over"))
    duplicates = Rating.objects.values("rater_id", "image_id").annotate(n=Count("pk")).filter(n__gt=1).count()
    duplicate_picks = BestPick.objects.values("rater_id", "group_id").annotate(n=Count("pk")).filter(n__gt=1).count()
    checks.append(("no duplicate rating per rater and image, nor pick per rater and group",
                   duplicates == 0 and duplicate_picks == 0, f"{duplicates} + {duplicate_picks}"))

    per_rating, per_pick = settings.KUDOS_PER_RATING, settings.KUDOS_PER_BEST_PICK
    compare("ledger: one rating line per stored rating", ratings, rating_lines)
    compare(f"ledger: rating kudos = {per_rating} x ratings", Counter({k: v * per_rating for k, v in ratings.items()}),
            rating_kudos)
    compare("ledger: one best-of line per stored pick", picks, pick_lines)
    compare(f"ledger: best-of kudos = {per_pick} x picks", Counter({k: v * per_pick for k, v in picks.items()}), pick_kudos)
    # A set the site sent to the Horde (the pages) gets a line with the Horde's answer, its reward, status "horde";
    # a set a client rated at the Horde itself (the API path) reaches the site as the Horde's forward, which carries
    # no reward: the Horde paid its owner, and the ledger has no line for it.
    sent = Counter({d["horde_id"]: sum(1 for s in d["set_ids"] if s in sent_ids) for d in done if d["path"] == "pages"})
    owed = Counter({d["horde_id"]: sum(horde_rewards.get(s, 0) for s in d["set_ids"] if s in sent_ids)
                    for d in done if d["path"] == "pages"})
    compare("ledger: one generation-set line per set the site sent and the Horde accepted (none for the API's)",
            sent, set_lines)
    compare("ledger: generation-set kudos = the Horde's rewards for them", owed, set_kudos)
    totals = {
        "ratings": sum(ratings.values()), "picks": sum(picks.values()), "generation_ratings": sum(generation.values()),
        "sets": sum(sets.values()), "ledger_lines": lines.count(),
        "ledger_pending": lines.filter(status=KudosReward.Status.PENDING).count(),
    }
    connections.close_all()
    return checks, totals


# ---- main ----------------------------------------------------------------------------------------------------


def site_env(args, base: Path, horde_url: str) -> dict[str, str]:
    dropped = {"DATABASE_URL", "DJANGO_SETTINGS_MODULE", "CACHE_URL", "REDIS_URL", "CACHE_KEY_PREFIX", "HORDE_TIMEOUT",
               "STANDIN_HORDE_ALLOWED", "HORDE_SERVICE_API_KEY"}
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env.update(
        DJANGO_SETTINGS_MODULE="ratings_site.settings",
        DEBUG="0",
        SECRET_KEY="load-benchmark-only-not-a-secret-" + hashlib.sha256(str(base).encode()).hexdigest(),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        DATABASE_URL=args.database_url,
        STATIC_ROOT=str(base / "static"),
        MEDIA_ROOT=str(base / "media"),
        EXPORT_DIR=str(base / "exports"),
        HORDE_API_URL=horde_url,
        HORDE_RATINGS_SET_ALLOWED_IPS="127.0.0.1",
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
        **LIFTED,
    )
    return env


# The floors that stop scripts, lifted so that they do not refuse the load (said in the output).
LIFTED = {
    "CAPTCHA_RATE": "0",
    "RATING_MIN_SECONDS": "0",
    "RATINGS_PER_MINUTE_MAX": HUGE,
    "API_REQUESTS_PER_MINUTE_PER_RATER": HUGE,
    "API_REQUESTS_PER_MINUTE_PER_ADDRESS": HUGE,
    "GENERATION_STATUS_LOOKUPS_PER_MINUTE": HUGE,
}


def _interrupted(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    # Ctrl-C or a kill ends the run through the `finally` below (gunicorn, the worker, the database, the folder),
    # even where a background shell started the script with SIGINT ignored.
    signal.signal(signal.SIGINT, _interrupted)
    signal.signal(signal.SIGTERM, _interrupted)
    base = Path(tempfile.mkdtemp(prefix="horde-load-"))
    sys.path.insert(0, str(ROOT))
    from ratings_site.demo.standin import StandinHorde

    horde = StandinHorde().start()
    env = site_env(args, base, horde.url)
    try:
        redis_claim = claim_redis(args)
    except RunFailed as exc:
        horde.stop()
        print(f"Stopped: {exc}")
        return 2
    if redis_claim is not None:
        env["REDIS_URL"] = f"{redis_claim[0]}/{redis_claim[1]}"
        env["CACHE_KEY_PREFIX"] = f"load{os.getpid()}"
    uses = (f"Redis {env['REDIS_URL']} for the cache, sessions, rate limits and tasks (as README's production)"
            if redis_claim else "no Redis: the cache, sessions, rate limits and tasks in PostgreSQL (--redis off, "
            "or none answered)")
    print(f"Load run: {args.raters} raters per path ({', '.join(args.paths)}), {args.seconds:.0f} s a rating phase, "
          f"gunicorn {args.workers} {args.worker_class} worker(s) x {args.threads} thread(s), PostgreSQL "
          f"{args.database_name}; {args.client_processes} client processes on the same machine "
          f"({os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}); {uses}; folder {base}")
    print("Lifted for the load (they exist to stop scripts): " + ", ".join(f"{k}={v}" for k, v in LIFTED.items())
          + "; kudos payments off (no HORDE_SERVICE_API_KEY: lines stay pending); the default queue's task worker runs")
    created = False
    gunicorn = None
    worker = None
    clients = None
    report: dict = {"args": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()}}
    code = 2
    try:
        postgres(args, "DROP DATABASE IF EXISTS {} WITH (FORCE)")
        postgres(args, "CREATE DATABASE {}")
        created = True
        prepared = prepare_site(args, env)
        print(f"Migrated in {prepared['migrate_s']:.1f} s; seeded {args.images} + {4 * args.groups} images "
              f"({prepared['queued']} queued, prompt groups: {prepared['groups']}) in {prepared['seed_s']:.1f} s")
        specs = rater_specs(args, horde)
        gunicorn, port, command = start_gunicorn(args, env, base)
        horde.set_ratings_service(f"http://127.0.0.1:{port}/api/v1/rating/set")
        print("Serving: gunicorn " + " ".join(shlex.quote(part) for part in command[1:]), flush=True)
        report["gunicorn"] = command
        worker = start_task_worker(env, base)
        clients = Clients(args, port, horde.port, specs)
        meter = CpuMeter(gunicorn.pid, worker.pid, args.database_name, redis=redis_claim is not None)
        for path in args.paths:
            started = time.perf_counter()
            logins = merge(clients.command("login", {"path": path}))
            if logins["failed"]:
                raise RunFailed(f"{path} raters could not log in: {logins['errors'][:3]}")
            print(f"{args.raters} {path} raters ready in {time.perf_counter() - started:.1f} s", flush=True)
        phases = report["phases"] = {}
        phases["healthz"] = run_phase(clients, meter, path="healthz", seconds=args.seconds / 2, args=args,
                                      interval=None, label="/healthz, closed loop (the ceiling)")
        healthz = phases["healthz"]["cycles_per_s"]
        for path in args.paths:
            ceiling = run_phase(clients, meter, path=path, seconds=args.seconds, args=args, interval=None,
                                label=f"{path}: ceiling, closed loop ({args.raters} raters, no think time)")
            ceiling["ratio_to_healthz"] = ceiling["cycles_per_s"] / healthz if healthz else float("nan")
            ceiling["cpu_cost_ratio"] = (phases["healthz"]["server_cpu_ms_per_cycle"]
                                         / ceiling["server_cpu_ms_per_cycle"])
            print(f"   ratio cycles/s / /healthz req/s = {ceiling['cycles_per_s']:.1f} / {healthz:.1f} = "
                  f"{ceiling['ratio_to_healthz']:.3f} (latency here is clients / throughput: see the paced phase)")
            print(f"   server CPU per /healthz request / per cycle = {ceiling['cpu_cost_ratio']:.3f} (the ratio the "
                  f"server's CPU alone would allow: it does not move with other work on the machine)")
            rate = args.paced_fraction * ceiling["cycles_per_s"]
            interval = args.raters / rate if rate > 0 else None
            if interval is None:
                raise RunFailed(f"{path}: no cycle ended in the ceiling phase")
            paced = run_phase(clients, meter, path=path, seconds=args.seconds, args=args, interval=interval,
                              label=f"{path}: paced, open loop at {args.paced_fraction:.0%} of the ceiling "
                                    f"({rate:.1f} cycles/s, one every {interval * 1000:.0f} ms per rater)")
            paced["target_per_s"] = rate
            phases[f"{path} ceiling"], phases[f"{path} paced"] = ceiling, paced
        done = clients.stop()
        clients = None
        waiting = wait_for_sends(60)
        if waiting:
            print(f"\n{waiting} generation set(s) still waiting to be sent to the Horde after 60 s")
        stop(worker)
        worker = None
        stop(gunicorn)
        gunicorn = None
        checks, totals = consistency(done, horde)
        report["consistency"] = {"checks": checks, "totals": totals}
        print(f"\n== Consistency, read from the database after the run: {totals}")
        for label, ok, text in checks:
            print(f"   [{'note' if label.startswith('note:') else 'ok' if ok else 'WRONG'}] {label.removeprefix('note: ')}: {text}")
        if any(p["status_5xx"] for p in phases.values()):
            print("\n---- gunicorn's log after 5xx answers (last 6000 characters) ----")
            print((base / "gunicorn.log").read_text(errors="replace")[-6000:])
        goals = goals_of(args, phases, checks)
        report["goals"] = goals
        print("\n== Goals")
        for label, met, text in goals:
            print(f"   [{'met' if met else 'NOT MET'}] {label}: {text}")
        costs = ", ".join(f"{path} {phases[f'{path} ceiling']['cpu_cost_ratio']:.3f}" for path in args.paths)
        print(f"   (server CPU per /healthz request / per cycle: {costs}; the ratio that the server's CPU alone allows, "
              f"whatever else runs on the machine)")
        code = 0 if all(met for _, met, _ in goals) else 1
    except KeyboardInterrupt as exc:
        print(f"\nInterrupted ({exc or 'Ctrl-C'}): stopping everything and cleaning up")
        code = 130
    except RunFailed as exc:
        print(f"\nStopped: {exc}")
        for name in ("gunicorn.log", "worker.log"):
            log = base / name
            if log.exists() and log.stat().st_size:
                print(f"---- {name} (last 6000 characters) ----")
                print(log.read_text(errors="replace")[-6000:])
    finally:
        if clients is not None:
            clients.kill()
        stop(worker)
        stop(gunicorn)
        horde.stop()
        if "django" in sys.modules:
            from django.db import connections

            connections.close_all()
        if args.json:
            args.json.write_text(json.dumps(report, indent=1, default=str))
            print(f"Wrote {args.json}")
        if args.keep:
            print(f"Kept {base} and the database {args.database_name}")
        else:
            shutil.rmtree(base, ignore_errors=True)
            if created:
                postgres(args, "DROP DATABASE IF EXISTS {} WITH (FORCE)")
        release_redis(redis_claim)
    return code


def goals_of(args, phases: dict, checks) -> list[tuple[str, bool, str]]:
    goals = []
    for path in args.paths:
        ratio = phases[f"{path} ceiling"]["ratio_to_healthz"]
        goals.append((f"{path}: ratio >= {GOAL_RATIO}", ratio >= GOAL_RATIO, f"{ratio:.3f}"))
    for path in args.paths:
        p99 = phases[f"{path} paced"]["cycle_kinds"].get("rating", {}).get("p99", float("nan"))
        goals.append((f"{path}: p99 of a rating cycle < {GOAL_P99_MS:.0f} ms (paced)", p99 < GOAL_P99_MS, f"{p99:.1f} ms"))
    errors = sum(p["status_5xx"] for p in phases.values())
    goals.append(("no 5xx", errors == 0, f"{errors}"))
    wrong = [label for label, ok, _ in checks if not ok]
    goals.append(("nothing lost or extra", not wrong, "all checks hold" if not wrong else "; ".join(wrong)))
    return goals


if __name__ == "__main__":
    sys.exit(main())
