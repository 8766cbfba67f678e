"""What a rating cycle costs against a bare request, and what it could cost at best on this stack (issue 24's ratio goal).

Not a test: run it by hand (benchmarks/README.md, "The cycle's floor"). In one process on PostgreSQL (a fresh test
database, seeded as benchmarks/request_path_profile.py seeds it), it measures CPU, not wall time: this process's
(Django, psycopg) and the database backend's (read from /proc for `pg_backend_pid()`, so PostgreSQL must run on this
machine), per:

1. a bare request: `GET /healthz` through the whole middleware stack (django.test.Client; no socket, no gunicorn);
2. a database round trip: `SELECT 1` through Django's cursor;
3. the API's rating cycle: `GET /api/v1/rating/new` + `POST /api/v1/rating/<id>` (the key's rater remembered, as
   after a first call), with its statements counted;
4. the pages' htmx rating POST, which answers the next card, with its statements counted.

Then it prints the ratio a cycle's CPU allows (bare ÷ cycle: what benchmarks/load.py's ratio comes to when both
saturate the server), and a floor: a cycle that did nothing but its two requests and its round trips, with no Python of
ours at all, and the number of round trips that the goal (a cycle at most 4 bare requests) would leave.

    .venv/bin/python benchmarks/cycle_cost_floor.py --database-url postgres://postgres@127.0.0.1:5432/cycle_floor
    CACHE_URL=redis://127.0.0.1:6379/0 CACHE_KEY_PREFIX=floor .venv/bin/python benchmarks/cycle_cost_floor.py ...
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import request_path_profile as profile  # noqa: E402  (benchmarks/ is not a package)

GOAL_RATIO = 0.25


class CpuClock:
    """CPU seconds of this process and of the database backend serving its connection."""

    def __init__(self) -> None:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            self.backend = Path(f"/proc/{cursor.fetchone()[0]}/stat")
        self.tick = os.sysconf("SC_CLK_TCK")

    def read(self) -> tuple[float, float]:
        """In seconds; the backend's in clock ticks (10 ms here), so each measure runs long enough for them."""
        raw = self.backend.read_text()
        fields = raw[raw.rindex(")") + 2 :].split()
        return time.process_time(), (int(fields[11]) + int(fields[12])) / self.tick


def measure(clock: CpuClock, repeat: int, step) -> tuple[float, float]:
    """Milliseconds of CPU per call of `step` (this process, the backend), over `repeat` calls after a warm-up."""
    for _ in range(max(5, repeat // 10)):
        step()
    (ours, theirs) = clock.read()
    for _ in range(repeat):
        step()
    (ours_after, theirs_after) = clock.read()
    return 1000 * (ours_after - ours) / repeat, 1000 * (theirs_after - theirs) / repeat


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/cycle_floor",
                        help="a PostgreSQL URL on this machine (its test_<name> is made and dropped)")
    parser.add_argument("--repeat", type=int, default=400, help="calls per measure (default %(default)s)")
    parser.add_argument("--images", type=int, default=20000, help="images seeded (default %(default)s)")
    parser.add_argument("--raters", type=int, default=8, help="raters taking turns (default %(default)s)")
    args = parser.parse_args(argv)
    old_name = profile.setup(args.database_url)
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client

    from ratings_site.api.authentication import _cache_name

    raters = profile.seed(args.images, args.raters)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    clock = CpuClock()
    statements = [0]

    def counted(execute, sql, params, many, context):
        statements[0] += 1
        return execute(sql, params, many, context)

    try:
        bare_client = Client()
        bare = measure(clock, 10 * args.repeat, lambda: bare_client.get("/healthz"))

        def round_trip():
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
                cursor.fetchone()

        trip = measure(clock, 50 * args.repeat, round_trip)

        keys = []
        for rater in raters:
            key = f"floorkey{rater.horde_id:012d}"
            cache.set(_cache_name(key), rater.pk, timeout=3600)
            keys.append(key)
        api_client, turn = Client(), [0]

        def api_cycle():
            key = keys[turn[0] % len(keys)]
            turn[0] += 1
            image_id = api_client.get("/api/v1/rating/new", HTTP_APIKEY=key).json()["id"]
            answer = api_client.post(f"/api/v1/rating/{image_id}", {"rating": 5, "artifacts": 1},
                                     content_type="application/json", HTTP_APIKEY=key)
            assert answer.status_code == 201, answer.content

        page_clients = []

        def open_pages():  # after the API's cycles, so that no card shows an image its rater rated there
            for rater in raters:
                client = Client(enforce_csrf_checks=True)
                client.force_login(rater)
                page_clients.append([client, client.get("/rate/").content.decode()])
            time.sleep(0.01)  # past RATING_MIN_SECONDS (1 ms here)

        def page_cycle():
            entry = page_clients[turn[0] % len(page_clients)]
            turn[0] += 1
            client, html = entry
            url = re.search(r'hx-post="(/images/[^"]+/rate/)"', html).group(1)
            body = {"rating": "6", "artifacts": "1", "dataset": "", "upcoming": profile._field(html, "upcoming"),
                    "card": profile._field(html, "card")}
            answer = client.post(url, body, HTTP_HX_REQUEST="true", HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value)
            # 403 "already has all the ratings it needs" (raters racing for the last slot) answers the next card too
            assert answer.status_code in (200, 403) and "Here is another one" in answer.content.decode() or answer.status_code == 200, answer.content[:300]
            entry[1] = answer.content.decode()

        results = {}
        for name, step in (("API cycle (rating/new + rating/<id>)", api_cycle), ("pages: htmx rating POST", page_cycle)):
            if step is page_cycle:
                open_pages()
            statements[0] = 0
            with connection.execute_wrapper(counted):
                results[name] = (*measure(clock, args.repeat, step), statements[0] / (args.repeat + max(5, args.repeat // 10)))
        cache.delete_many([_cache_name(key) for key in keys])
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)

    bare_ms, trip_ms = sum(bare), sum(trip)
    print(f"PostgreSQL, {args.images} images, {args.raters} raters, {args.repeat} calls per measure; CPU ms per call "
          f"(this process + the database backend)")
    print(f"  bare request GET /healthz        {bare_ms:6.2f}  ({bare[0]:.2f} + {bare[1]:.2f})")
    print(f"  one round trip SELECT 1          {trip_ms:6.3f}  ({trip[0]:.3f} + {trip[1]:.3f})")
    for name, (ours, theirs, count) in results.items():
        total = ours + theirs
        requests = 2 if name.startswith("API") else 1
        floor = requests * bare_ms + count * trip_ms
        allowed = max(0.0, (bare_ms / GOAL_RATIO - requests * bare_ms) / trip_ms)
        print(f"\n  {name}: {total:.2f} ms ({ours:.2f} + {theirs:.2f}), {count:.1f} statements "
              f"(BEGIN and COMMIT not counted)")
        print(f"    ratio its CPU allows: bare / cycle = {bare_ms / total:.3f} (goal {GOAL_RATIO})")
        print(f"    floor, its requests and round trips with no Python of ours: {floor:.2f} ms, ratio at most "
              f"{bare_ms / floor:.3f}")
        print(f"    the goal (a cycle at most {1 / GOAL_RATIO:.0f} bare requests) leaves {allowed:.1f} round trips "
              f"beyond its {requests} bare request(s), with no Python of ours")


if __name__ == "__main__":
    main()
