"""How long the queue takes to pick the next image, at 10 k and at 1 M images, on PostgreSQL.

Not a test: run it by hand (`make benchmark`, or see benchmarks/README.md). It creates
its own database (horde_ratings_bench by default), migrates it, fills it for each size,
times `ratings.selectors.next_images_for` / `next_image_for` for a fresh rater and for a
heavy rater who has already rated the 2,000 highest-priority images, per dataset and over
all datasets, and for a fresh rater hiding NSFW images (a tenth of the entries are
flagged: their queue walks sfw_queue_by_dataset and sfw_queue_order), prints the ratio
1M/10k of the medians (it should stay near 1: the query walks the partial queue indexes
and stops after QUEUE_TOP_K rows), the EXPLAIN (ANALYZE, BUFFERS) plans of the queue
query, and the same timings for the naive ORDER BY random() query that we do not use.
It drops the database at the end unless --keep is given.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/horde_ratings_bench"

FULL_FRACTION = 0.30  # images that have all their ratings (no queue entry)
NSFW_FRACTION = 0.10  # queue entries a rater hiding NSFW images does not see (QueueEntry.nsfw)
SECOND_DATASET_FRACTION = 0.30  # images in the second public dataset
HEAVY_RATED = 2_000  # the heavy rater rated the 2,000 highest-priority images... (--heavy-rated)
HEAVY_SKIPPED = 200  # ...and skipped the 200 after them
OTHER_RATERS = 20
OTHER_RATINGS_EACH = 1_000  # at most; 10 % of the images when that is fewer
CAPTCHA_IMAGES = 50
FILL_CHUNK = 100_000


def fill_images(size: int, *, main_id: int, second_id: int, wanted: int = 5, full_fraction: float = FULL_FRACTION) -> None:
    """Insert `size` URL images into two datasets, `full_fraction` of them with all their ratings,
    the others in the queue with random priorities, fast: INSERT ... SELECT generate_series per chunk."""
    from django.db import connection
    from tqdm import tqdm

    with tqdm(total=size, unit=" images", unit_scale=True, desc=f"Filling {size:,} images") as bar:
        for start in range(1, size + 1, FILL_CHUNK):
            stop = min(start + FILL_CHUNK - 1, size)
            with connection.cursor() as cursor:
                cursor.execute(
                    """
                    WITH inserted AS (
                        INSERT INTO datasets_image (
                            public_id, dataset_id, url, file, caption, source, tag_counts, dedupe_key,
                            nsfw, hidden, broken, is_captcha, shuffle,
                            ratings_count, rating_sum, artifacts_count, artifacts_sum, reports_count, created_at
                        )
                        SELECT gen_random_uuid(),
                               CASE WHEN random() < %(second_fraction)s THEN %(second)s ELSE %(main)s END,
                               'https://images.example.org/' || i || '.jpg', '', '', '{}', '{}', md5(i::text),
                               false, false, false, false, random(),
                               CASE WHEN is_full THEN %(wanted)s ELSE 0 END,
                               CASE WHEN is_full THEN 6 * %(wanted)s ELSE 0 END,
                               0, 0, 0, now()
                        FROM (SELECT i, random() < %(full_fraction)s AS is_full
                              FROM generate_series(%(start)s, %(stop)s) AS i) AS rows
                        RETURNING id, dataset_id, shuffle, ratings_count
                    )
                    INSERT INTO datasets_queueentry (image_id, dataset_id, priority, shuffle, nsfw)
                    SELECT id, dataset_id, random(), shuffle, random() < %(nsfw_fraction)s
                    FROM inserted WHERE ratings_count < %(wanted)s
                    """,
                    {
                        "second_fraction": SECOND_DATASET_FRACTION,
                        "second": second_id,
                        "main": main_id,
                        "wanted": wanted,
                        "full_fraction": full_fraction,
                        "nsfw_fraction": NSFW_FRACTION,
                        "start": start,
                        "stop": stop,
                    },
                )
            bar.update(stop - start + 1)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,1000000", help="image counts, comma-separated (default: %(default)s)")
    parser.add_argument("--calls", type=int, default=200, help="timed calls per measurement (default: %(default)s)")
    parser.add_argument("--warmup", type=int, default=20, help="untimed calls first (default: %(default)s)")
    parser.add_argument(
        "--naive-calls", type=int, default=20, help="timed calls of the ORDER BY random() query (default: %(default)s)"
    )
    parser.add_argument(
        "--heavy-rated",
        type=int,
        default=HEAVY_RATED,
        help="top images the heavy rater has rated (default: %(default)s)",
    )
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL, help="(default: %(default)s)")
    parser.add_argument("--keep", action="store_true", help="do not drop the database at the end")
    args = parser.parse_args(argv)
    try:
        args.sizes = [int(size.replace("_", "")) for size in args.sizes.split(",") if size.strip()]
    except ValueError:
        parser.error("--sizes takes integers, e.g. 10000,1000000")
    if not args.sizes or min(args.sizes) < 10_000:
        parser.error("each size must be at least 10000")
    if args.heavy_rated < 0 or (args.heavy_rated + HEAVY_SKIPPED) * 2 > min(args.sizes):
        parser.error("the heavy rater must leave most of the queue unseen: raise --sizes or lower --heavy-rated")
    if args.calls < 1 or args.warmup < 0 or args.naive_calls < 1:
        parser.error("--calls and --naive-calls must be positive, --warmup not negative")
    check_bench_database_url(parser, args)
    return args


def check_bench_database_url(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Set args.database_name and args.maintenance_url from --database-url, refusing unsafe ones."""
    url = urlsplit(args.database_url)
    args.database_name = url.path.lstrip("/")
    if url.scheme not in ("postgres", "postgresql", "pgsql") or not args.database_name:
        parser.error("--database-url must be a postgres:// URL naming a database")
    if "bench" not in args.database_name:
        # The script empties and drops this database: refuse one that may hold real data.
        parser.error(f"refusing database {args.database_name!r}: its name must contain 'bench'")
    args.maintenance_url = urlunsplit(url._replace(path="/postgres"))


def conninfo(url: str) -> str:
    return url.replace("postgres://", "postgresql://", 1).replace("pgsql://", "postgresql://", 1)


def create_database(args: argparse.Namespace) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(conninfo(args.maintenance_url), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [args.database_name]).fetchone()
        if exists:
            print(f"Using the existing database {args.database_name} (it will be emptied)")
        else:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(args.database_name)))
            print(f"Created the database {args.database_name}")


def drop_database(args: argparse.Namespace) -> None:
    import psycopg
    from django.db import connections
    from psycopg import sql

    connections.close_all()
    with psycopg.connect(conninfo(args.maintenance_url), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(args.database_name)))
    print(f"Dropped the database {args.database_name}")


def setup_django(args: argparse.Namespace) -> None:
    os.environ["DATABASE_URL"] = args.database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "ratings_site.settings"
    os.environ.setdefault("SECRET_KEY", "queue-benchmark-only-not-a-secret")
    # Time the queue itself: a captcha draw (CAPTCHA_RATE of the calls) is timed on its own.
    os.environ.setdefault("CAPTCHA_RATE", "0")
    sys.path.insert(0, str(ROOT))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


@dataclass
class World:
    size: int
    in_queue: int
    main: Any  # Dataset: the bigger public dataset
    fresh: Any  # Rater with no rating yet
    hider: Any  # Rater with no rating yet who hides NSFW images
    heavy: Any  # Rater who rated the top `heavy_rated` images
    heavy_rated: int


def fill(size: int, heavy_rated: int) -> World:
    """Empty the tables and fill them with `size` images, ratings and raters, fast."""
    from django.db import connection

    from ratings_site.datasets.models import Dataset
    from ratings_site.raters.models import Rater

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE datasets_dataset, raters_rater RESTART IDENTITY CASCADE")
    main = Dataset.objects.create(slug="bench-main", name="Bench main", public=True)
    second = Dataset.objects.create(slug="bench-second", name="Bench second", public=True)
    captchas = Dataset.objects.create(slug="bench-captchas", name="Bench captchas", public=False)
    fresh = Rater.objects.create(username="fresh#1", horde_id=1)
    hider = Rater.objects.create(username="hider#99", horde_id=99, hide_nsfw=True)
    heavy = Rater.objects.create(username="heavy#2", horde_id=2)
    others = [Rater.objects.create(username=f"other#{n}", horde_id=n) for n in range(3, 3 + OTHER_RATERS)]

    started = time.perf_counter()
    fill_images(size, main_id=main.pk, second_id=second.pk)

    print("Filling captcha images, ratings and skips...", flush=True)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO datasets_image (
                public_id, dataset_id, url, file, caption, source, tag_counts, dedupe_key,
                nsfw, hidden, broken, is_captcha, captcha_answer, shuffle,
                ratings_count, rating_sum, artifacts_count, artifacts_sum, reports_count, created_at
            )
            SELECT gen_random_uuid(), %s, '', 'captchas/' || i || '.png', '', '{}', '{}', md5('captcha' || i),
                   false, false, false, true, 1 + i %% 10, random(), 0, 0, 0, 0, 0, now()
            FROM generate_series(1, %s) AS i
            """,
            [captchas.pk, CAPTCHA_IMAGES],
        )
        # The heavy rater worked through the top of the queue (over all public datasets).
        cursor.execute(
            """
            INSERT INTO ratings_rating (rater_id, image_id, rating, artifacts, client_agent, invalidated, counts, created_at)
            SELECT %s, image_id, 1 + floor(random() * 10)::int, NULL, '', false, true, now()
            FROM datasets_queueentry ORDER BY priority DESC, shuffle LIMIT %s
            """,
            [heavy.pk, heavy_rated],
        )
        cursor.execute(
            """
            INSERT INTO ratings_skip (rater_id, image_id, reason, note, created_at)
            SELECT %s, image_id, 'skipped', '', now()
            FROM datasets_queueentry ORDER BY priority DESC, shuffle OFFSET %s LIMIT %s
            """,
            [heavy.pk, heavy_rated, HEAVY_SKIPPED],
        )
        # Twenty other raters, each with ratings scattered over the queue.
        cursor.execute("SELECT count(*) FROM datasets_queueentry")
        (in_queue,) = cursor.fetchone()
        each = min(OTHER_RATINGS_EACH, size // 10)
        cursor.execute(
            """
            INSERT INTO ratings_rating (rater_id, image_id, rating, artifacts, client_agent, invalidated, counts, created_at)
            SELECT rater_id, image_id, 1 + floor(random() * 10)::int, floor(random() * 6)::int, '', false, true, now()
            FROM datasets_queueentry CROSS JOIN unnest(%s::bigint[]) AS raters(rater_id)
            WHERE random() < %s
            """,
            [[rater.pk for rater in others], each / max(in_queue, 1)],
        )
        print("VACUUM ANALYZE...", flush=True)
        for table in ("datasets_dataset", "datasets_image", "datasets_queueentry", "ratings_rating", "ratings_skip", "raters_rater"):
            cursor.execute(f"VACUUM ANALYZE {table}")
        cursor.execute("SELECT count(*) FROM ratings_rating")
        (ratings,) = cursor.fetchone()
    print(
        f"Filled {size:,} images ({in_queue:,} in the queue, {size - in_queue:,} full), {ratings:,} ratings, "
        f"{HEAVY_SKIPPED} skips, {2 + OTHER_RATERS} raters in {time.perf_counter() - started:.1f} s"
    )
    return World(
        size=size, in_queue=in_queue, main=main, fresh=fresh, hider=hider, heavy=heavy, heavy_rated=heavy_rated
    )


@dataclass
class Timing:
    median_ms: float
    p95_ms: float
    calls: int


def measure(call: Callable[[], object], *, calls: int, warmup: int) -> Timing:
    for _ in range(warmup):
        call()
    samples: list[float] = []
    for _ in range(calls):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    p95 = statistics.quantiles(samples, n=20)[-1] if len(samples) > 1 else samples[0]
    return Timing(median_ms=statistics.median(samples), p95_ms=p95, calls=calls)


def queue_queryset(rater: Any, dataset: Any) -> Any:
    """The queryset next_images_for evaluates for its top K (same helpers, same order)."""
    from django.conf import settings

    from ratings_site.ratings.selectors import _queue_for

    return (
        _queue_for(rater, dataset)
        .select_related("image__dataset")
        .order_by("-priority", "shuffle")[: settings.QUEUE_TOP_K]
    )


def naive_queryset(rater: Any, dataset: Any, count: int = 2) -> Any:
    """What the queue would be without the indexes' order: ORDER BY random()."""
    from ratings_site.ratings.selectors import _queue_for

    return _queue_for(rater, dataset).select_related("image__dataset").order_by("?")[:count]


def scenarios(world: World) -> Iterator[tuple[str, Any, Any]]:
    yield "fresh rater, one dataset", world.fresh, world.main
    yield "fresh rater, all datasets", world.fresh, None
    yield "fresh rater hiding NSFW, one dataset", world.hider, world.main
    yield "fresh rater hiding NSFW, all datasets", world.hider, None
    yield f"heavy rater ({world.heavy_rated:,} rated), one dataset", world.heavy, world.main
    yield f"heavy rater ({world.heavy_rated:,} rated), all datasets", world.heavy, None


def run_size(size: int, args: argparse.Namespace, explain: bool) -> dict[str, Timing]:
    from django.db import connection

    from ratings_site.ratings.selectors import _captcha_for, next_image_for, next_images_for

    world = fill(size, args.heavy_rated)
    results: dict[str, Timing] = {}
    for label, rater, dataset in scenarios(world):
        shown = next_images_for(rater, dataset=dataset)
        assert shown, f"{label}: the queue is empty"
        if rater is world.heavy:
            assert not shown[0].ratings.filter(rater=rater).exists(), f"{label}: showed an image already rated"
        results[f"next_images_for | {label}"] = measure(
            lambda r=rater, d=dataset: next_images_for(r, dataset=d), calls=args.calls, warmup=args.warmup
        )
        results[f"next_image_for  | {label}"] = measure(
            lambda r=rater, d=dataset: next_image_for(r, dataset=d), calls=args.calls, warmup=args.warmup
        )
        # The database's share: the same top-K query, sent as SQL, without the ORM around it.
        sql, params = queue_queryset(rater, dataset).query.sql_with_params()
        with connection.cursor() as cursor:

            def run_sql(cursor: Any = cursor, sql: str = sql, params: tuple[Any, ...] = params) -> None:
                cursor.execute(sql, params)
                cursor.fetchall()

            results[f"queue SQL only  | {label}"] = measure(run_sql, calls=args.calls, warmup=args.warmup)
    results["_captcha_for    | heavy rater (a captcha draw)"] = measure(
        lambda: _captcha_for(world.heavy), calls=args.calls, warmup=args.warmup
    )
    for label, rater, dataset in scenarios(world):
        results[f"ORDER BY random() | {label}"] = measure(
            lambda r=rater, d=dataset: list(naive_queryset(r, d)), calls=args.naive_calls, warmup=2
        )

    print(f"\n== {size:,} images: milliseconds per call ==")
    width = max(len(name) for name in results)
    print(f"{'':{width}}  {'median':>8}  {'p95':>8}  calls")
    for name, timing in results.items():
        print(f"{name:{width}}  {timing.median_ms:8.2f}  {timing.p95_ms:8.2f}  {timing.calls}")

    if explain:
        print_plans(world)
    return results


def print_plans(world: World) -> None:
    from django.db import connection

    first = True
    for label, rater, dataset in scenarios(world):
        queryset = queue_queryset(rater, dataset)
        if first:
            sql, params = queryset.query.sql_with_params()
            print(f"\n== The queue query (rater {rater.pk}, dataset {dataset.pk}) ==")
            print(connection.ops.compose_sql(sql, params))
            first = False
        print(f"\n== EXPLAIN (ANALYZE, BUFFERS) at {world.size:,} images: {label} ==")
        print(queryset.explain(analyze=True, buffers=True))
    label, rater, dataset = next(scenarios(world))
    print(f"\n== EXPLAIN (ANALYZE, BUFFERS) at {world.size:,} images: ORDER BY random(), {label} ==")
    print(naive_queryset(rater, dataset).explain(analyze=True, buffers=True))


def print_comparison(all_results: dict[int, dict[str, Timing]]) -> None:
    sizes = sorted(all_results)
    smallest, largest = sizes[0], sizes[-1]
    print(f"\n== Median ms per call, and the ratio {largest:,} / {smallest:,} images ==")
    names = list(all_results[smallest])
    width = max(len(name) for name in names)
    header = "".join(f"  {size:>12,}" for size in sizes)
    print(f"{'':{width}}{header}  {'ratio':>7}")
    for name in names:
        medians = [all_results[size][name].median_ms for size in sizes]
        ratio = medians[-1] / medians[0] if medians[0] else float("nan")
        print(f"{name:{width}}" + "".join(f"  {m:12.2f}" for m in medians) + f"  {ratio:7.2f}")
    print(f"\n== ORDER BY random() against the index-backed queue (median next_images_for), at {largest:,} images ==")
    for name in names:
        if not name.startswith("ORDER BY random()"):
            continue
        label = name.split("| ", 1)[1]
        indexed = all_results[largest][f"next_images_for | {label}"].median_ms
        naive = all_results[largest][name].median_ms
        print(f"{label:{width - 20}}  {naive:10.2f} ms vs {indexed:8.2f} ms: {naive / indexed:8.1f}x slower")


@contextmanager
def bench_database(args: argparse.Namespace) -> Iterator[None]:
    create_database(args)
    try:
        setup_django(args)
        yield
    finally:
        if args.keep:
            print(f"Kept the database {args.database_name} (--keep)")
        else:
            drop_database(args)


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    with bench_database(args):
        from django.conf import settings
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT version()")
            (version,) = cursor.fetchone()
        print(f"{version}\nQUEUE_TOP_K={settings.QUEUE_TOP_K}, CAPTCHA_RATE={settings.CAPTCHA_RATE}")
        all_results: dict[int, dict[str, Timing]] = {}
        for size in args.sizes:
            all_results[size] = run_size(size, args, explain=size == max(args.sizes))
        if len(all_results) > 1:
            print_comparison(all_results)


if __name__ == "__main__":
    main()
