"""Where a rating request's time goes, in-process: queries per request and milliseconds per phase.

Not a test: run it by hand (see benchmarks/README.md). It makes a fresh test database (SQLite by default, in a
temporary file; PostgreSQL with --database-url, as `test_<name>`), migrates it, seeds a dataset of --images images
and --raters raters, then drives django.test.Client (CSRF checks on, as a browser sends them) through:

- the pages: a GET /rate/ for each rater, then --cycles htmx rating POSTs (/images/<id>/rate/ with the card's
  signed tokens, `HX-Request: true`), each answering the next card;
- the API: --cycles of `GET /api/v1/rating/new` + `POST /api/v1/rating/<id>` with an `apikey` header (the key's
  rater is put in the cache as a first call would leave it: no Horde is needed, and none is called).

Each request's wall time is split, exclusively (a phase's time excludes the phases inside it), into:
session load and save (the session store), auth (loading the user), view (the view's own code), next_images
(`ratings.selectors.next_images_for`), rate_image (`ratings.services.rate_image`), render (templates) and
middleware (everything else: the handler, the middlewares, the test client's own cost). Queries are counted and
timed in the phase they ran in. Prints medians per phase and queries per request, and p50/p99 per request.

    .venv/bin/python benchmarks/request_path_profile.py --cycles 200
    .venv/bin/python benchmarks/request_path_profile.py --cycles 200 \\
        --database-url postgres://postgres@127.0.0.1:5432/request_profile

The cache is the site's (the database cache; Redis with CACHE_URL=redis://... and a CACHE_KEY_PREFIX of your own:
then sessions, cached_db, and the API's remembered keys cost no database query). It sets RATING_MIN_SECONDS to 1 ms (the look-time floor stays on, so every check of it runs), RATINGS_PER_MINUTE_MAX
very high (the flood count runs on every rating, never pauses) and CAPTCHA_RATE to 0 (the same path every time).
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from contextlib import contextmanager
from importlib import import_module
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PHASES = ("middleware", "session_load", "session_save", "auth", "view", "next_images", "rate_image", "render")


class Profile:
    """Exclusive time and queries per phase for the request being run."""

    def __init__(self) -> None:
        self.stack: list[str] = []
        self.started: list[float] = []
        self.reset()

    def reset(self) -> None:
        self.ms: dict[str, float] = defaultdict(float)
        self.queries: dict[str, int] = defaultdict(int)
        self.query_ms: dict[str, float] = defaultdict(float)
        self.sql: list[str] = []

    def push(self, phase: str) -> None:
        now = time.perf_counter()
        if self.stack:
            self.ms[self.stack[-1]] += (now - self.started[-1]) * 1000
        self.stack.append(phase)
        self.started.append(now)

    def pop(self) -> None:
        now = time.perf_counter()
        self.ms[self.stack.pop()] += (now - self.started.pop()) * 1000
        if self.started:
            self.started[-1] = now

    @contextmanager
    def phase(self, name: str):
        self.push(name)
        try:
            yield
        finally:
            self.pop()

    def wrap(self, name: str, function):
        def wrapped(*args, **kwargs):
            with self.phase(name):
                return function(*args, **kwargs)

        wrapped.__wrapped__ = function
        return wrapped

    def on_query(self, execute, sql, params, many, context):
        if not self.stack:  # the benchmark's own set-up between requests
            return execute(sql, params, many, context)
        phase = self.stack[-1]
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            ms = (time.perf_counter() - started) * 1000
            self.queries[phase] += 1
            self.query_ms[phase] += ms
            self.sql.append(f"{phase:<13}{ms:6.2f} ms  {sql[:150]}")


def instrument(profile: Profile) -> None:
    """Wrap the functions each phase is named for (the modules' own names, as the views call them)."""
    import django.contrib.auth
    import django.contrib.auth.middleware
    from django.conf import settings
    from django.contrib.sessions.backends.base import SessionBase
    from django.core.handlers.base import BaseHandler
    from django.template.backends.django import Template

    from ratings_site.ratings import selectors, services, views

    import_module(settings.SESSION_ENGINE)  # its store class, to be wrapped below
    for store in {SessionBase, *_subclasses(SessionBase)}:
        if "load" in vars(store):
            store.load = profile.wrap("session_load", vars(store)["load"])
        if "save" in vars(store):
            store.save = profile.wrap("session_save", vars(store)["save"])
    django.contrib.auth.middleware.auth.get_user = profile.wrap("auth", django.contrib.auth.get_user)
    Template.render = profile.wrap("render", Template.render)
    selectors.next_images_for = profile.wrap("next_images", selectors.next_images_for)
    views.next_images_for = selectors.next_images_for
    services.rate_image = profile.wrap("rate_image", services.rate_image)

    resolve_request = BaseHandler.resolve_request

    def resolve_and_time_the_view(handler, request):
        match = resolve_request(handler, request)
        match.func = profile.wrap("view", match.func)
        return match

    BaseHandler.resolve_request = resolve_and_time_the_view


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def setup(database_url: str | None) -> str:
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp(prefix='request-profile-')}/profile.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ratings_site.settings")
    os.environ.setdefault("SECRET_KEY", "request-path-profile")
    os.environ.setdefault("DEBUG", "0")
    import django

    django.setup()
    from django.conf import settings

    # Not django.test.utils.setup_test_environment: its instrumented template rendering (the test client keeps
    # every context) would be measured as rendering. The static files' plain storage: no collectstatic needed (the
    # manifest's lookup, in production, is a dict read).
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.DATABASES["default"].setdefault("TEST", {})
    if not database_url:  # a file, as production has, not SQLite's in-memory test database
        settings.DATABASES["default"]["TEST"]["NAME"] = os.environ["DATABASE_URL"].removeprefix("sqlite:///")
    settings.RATING_MIN_SECONDS = 0.001
    settings.RATINGS_PER_MINUTE_MAX = 10**9
    settings.CAPTCHA_RATE = 0.0
    settings.API_REQUESTS_PER_MINUTE_PER_RATER = 10**9
    settings.API_REQUESTS_PER_MINUTE_PER_ADDRESS = 10**9
    from django.db import connection

    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    return old_name


def seed(images: int, raters: int, history: int = 0):
    import uuid
    from datetime import timedelta

    from django.utils import timezone

    from ratings_site.datasets.models import Dataset, Image
    from ratings_site.datasets.services import refresh_queue
    from ratings_site.raters.models import Rater
    from ratings_site.ratings import services
    from ratings_site.ratings.models import Rating

    dataset = Dataset.objects.create(slug="profile-set", name="Profile set", public=True)
    rows = [
        Image(
            dataset=dataset,
            url=f"https://images.example.org/p/{n}.jpg",
            caption=f"image {n}",
            dedupe_key=uuid.uuid4().hex,
        )
        for n in range(images)
    ]
    Image.objects.bulk_create(rows, batch_size=1000)
    refresh_queue(Image.objects.all())
    made = []
    for n in range(raters):
        rater = Rater(username=f"Profiler#{n + 10}", horde_id=n + 10, horde_kudos=100, welcome_dismissed=True)
        rater.set_unusable_password()
        rater.save()
        made.append(rater)
    if history:  # each rater's past: `history` ratings two days old, of images in a dataset no longer rated
        past = Dataset.objects.create(slug="profile-past", name="Past", public=False)
        rated = Image.objects.bulk_create(
            [
                Image(dataset=past, url=f"https://images.example.org/past/{n}.jpg", dedupe_key=uuid.uuid4().hex)
                for n in range(history)
            ],
            batch_size=1000,
        )
        for rater in made:
            Rating.objects.bulk_create([Rating(rater=rater, image=image, rating=5) for image in rated], batch_size=1000)
        Rating.objects.update(created_at=timezone.now() - timedelta(days=2))
        for rater in made:
            if hasattr(services, "recount_rater_counters"):  # the counters on the rater's row (issue 24)
                services.recount_rater_counters(rater)
    return made


def _field(html: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', html)
    return found.group(1) if found else ""


def run_pages(profile: Profile, raters, cycles: int) -> list[dict]:
    from django.test import Client

    clients = []
    for rater in raters:
        client = Client(enforce_csrf_checks=True)
        client.force_login(rater)
        html = client.get("/rate/").content.decode()
        clients.append([client, html])
    samples = []
    for n in range(cycles):
        entry = clients[n % len(clients)]
        client, html = entry
        url = re.search(r'hx-post="(/images/[^"]+/rate/)"', html).group(1)
        token = client.cookies["csrftoken"].value
        body = {
            "rating": str(1 + n % 10),
            "artifacts": "1",
            "dataset": "",
            "upcoming": _field(html, "upcoming"),
            "card": _field(html, "card"),
        }
        time.sleep(0.002)  # past RATING_MIN_SECONDS
        sample = _timed(profile, client.post, url, body, HTTP_HX_REQUEST="true", HTTP_X_CSRFTOKEN=token)
        response = sample.pop("response")
        assert response.status_code == 200 and "Saved:" in response.content.decode(), response.content[:500]
        entry[1] = response.content.decode()
        samples.append(sample)
    for client, _ in clients:
        client.logout()  # its session out of the cache too (a shared Redis)
    return samples


def run_api(profile: Profile, raters, cycles: int) -> tuple[list[dict], list[dict]]:
    from django.core.cache import cache
    from django.test import Client

    from ratings_site.api.authentication import _cache_name

    keys = []
    for rater in raters:
        key = f"profilekey{rater.horde_id:012d}"
        cache.set(_cache_name(key), rater.pk, timeout=3600)  # as the first call's find_user leaves it
        keys.append(key)
    client = Client()
    news, rates = [], []
    for n in range(cycles):
        key = keys[n % len(keys)]
        sample = _timed(profile, client.get, "/api/v1/rating/new", HTTP_APIKEY=key)
        response = sample.pop("response")
        assert response.status_code == 200, response.content
        news.append(sample)
        image_id = response.json()["id"]
        time.sleep(0.002)
        body = {"rating": 5, "artifacts": 1}
        sample = _timed(
            profile, client.post, f"/api/v1/rating/{image_id}", body, content_type="application/json", HTTP_APIKEY=key
        )
        response = sample.pop("response")
        assert response.status_code == 201, response.content
        rates.append(sample)
    cache.delete_many([_cache_name(key) for key in keys])
    return news, rates


def _timed(profile: Profile, request, *args, **kwargs) -> dict:
    profile.reset()
    started = time.perf_counter()
    with profile.phase("middleware"):
        response = request(*args, **kwargs)
    total = (time.perf_counter() - started) * 1000
    return {
        "response": response,
        "total": total,
        "ms": dict(profile.ms),
        "queries": dict(profile.queries),
        "query_ms": dict(profile.query_ms),
        "sql": profile.sql,
    }


def report(title: str, samples: list[dict], *, show_sql: bool = False) -> None:
    warm = samples[len(samples) // 10 :]  # leave the first tenth out: caches and connections warming
    totals = sorted(s["total"] for s in warm)
    p99 = totals[min(len(totals) - 1, round(0.99 * (len(totals) - 1)))]
    queries = [sum(s["queries"].values()) for s in warm]
    print(
        f"\n{title}: {len(warm)} requests, p50 {statistics.median(totals):.1f} ms, p99 {p99:.1f} ms, "
        f"queries {statistics.median(queries):g} (min {min(queries)}, max {max(queries)})"
    )
    print(f"  {'phase':<13}{'ms p50':>8}{'queries':>9}{'query ms':>10}")
    for phase in PHASES:
        ms = statistics.median(s["ms"].get(phase, 0.0) for s in warm)
        count = statistics.median(s["queries"].get(phase, 0) for s in warm)
        query_ms = statistics.median(s["query_ms"].get(phase, 0.0) for s in warm)
        if ms or count:
            print(f"  {phase:<13}{ms:>8.2f}{count:>9g}{query_ms:>10.2f}")
    if show_sql:
        print("  the last request's queries:")
        for line in samples[-1]["sql"]:
            print("    " + line)


def explain_the_queue(rater) -> None:
    """The plans of the queries that choose the next images and count the images left, as run (PostgreSQL)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from ratings_site.ratings import selectors

    rater.refresh_from_db()
    for name, call in (
        ("next_images_for", lambda: selectors.next_images_for(rater)),
        ("images_left_for", lambda: selectors.images_left_for(rater)),
    ):
        with CaptureQueriesContext(connection) as captured:
            call()
        for query in captured.captured_queries:
            if "datasets_queueentry" not in query["sql"] or connection.vendor != "postgresql":
                continue
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, COSTS OFF) " + query["sql"])
                print(f"\n{name}:\n" + "\n".join("  " + row[0] for row in cursor.fetchall()))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cycles", type=int, default=200, help="rating cycles per path (default 200)")
    parser.add_argument("--images", type=int, default=5000, help="images in the seeded dataset (default 5000)")
    parser.add_argument("--raters", type=int, default=4, help="raters taking turns (default 4)")
    parser.add_argument("--database-url", default="", help="a PostgreSQL URL (its test_<name> is made); SQLite if not")
    parser.add_argument("--history", type=int, default=0, help="past ratings of each rater (default 0)")
    parser.add_argument("--show-sql", action="store_true", help="print the last request's queries of each kind")
    parser.add_argument(
        "--explain",
        action="store_true",
        help="print EXPLAIN ANALYZE of the queue's queries (next images, images left) for the first rater, at the end",
    )
    args = parser.parse_args(argv)
    old_name = setup(args.database_url or None)
    from django.db import connection

    raters = seed(args.images, args.raters, args.history)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # the planner's statistics, as autovacuum keeps them on a live site
    profile = Profile()
    instrument(profile)
    print(
        f"database: {connection.vendor}, {args.images} images, {args.raters} raters with {args.history} past ratings "
        f"each, {args.cycles} cycles per path"
    )
    with connection.execute_wrapper(profile.on_query):
        pages = run_pages(profile, raters, args.cycles)
        news, rates = run_api(profile, raters, args.cycles)
    report("pages: htmx rating POST (answers the next card)", pages, show_sql=args.show_sql)
    report("API: GET rating/new", news, show_sql=args.show_sql)
    report("API: POST rating/<id>", rates, show_sql=args.show_sql)
    if args.explain:
        explain_the_queue(raters[0])
    connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
