"""How long the best-of queue takes to pick the next prompt group, at 10 k and at 1 M images, on PostgreSQL.

The best-of extension of queue_benchmark.py (it reuses that script's database handling, image filling and
timing): not a test, run it by hand (see benchmarks/README.md). For each size it fills the images as
queue_benchmark does (two public datasets, 70/30), cuts 60 % of them into prompt groups of 3 (a dataset's tail
gives some of 2), hides 1 % of the images, gives 30 % of the groups all their picks (out of the queue) and the
others 0 to 2, then adds a fresh rater, a heavy rater who picked the top --heavy-picked groups of the main dataset
and skipped the 50 after them, and 20 raters with picks scattered over the groups; VACUUM ANALYZE. It times
`bestof.selectors.next_groups_for` (both of its queries), its top-K query alone sent as SQL, and the naive
ORDER BY random() query we do not use; prints the medians, the ratio largest/smallest size from the same run,
and the EXPLAIN (ANALYZE, BUFFERS) plans at the largest size.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from queue_benchmark import (  # noqa: E402 (the queue benchmark's helpers, beside this file)
    Timing,
    bench_database,
    check_bench_database_url,
    fill_images,
    measure,
)

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/horde_ratings_bestof_bench"
GROUPED_FRACTION = 0.60  # images that share their prompt with others
GROUP_SIZE = 3
HIDDEN_FRACTION = 0.01
FULL_GROUPS_FRACTION = 0.30
HEAVY_PICKED = 300
HEAVY_SKIPPED = 50
OTHER_RATERS = 20
OTHER_PICKS_EACH = 1_000  # at most; 10 % of the groups when that is fewer


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,1000000", help="image counts, comma-separated (default: %(default)s)")
    parser.add_argument("--calls", type=int, default=200, help="timed calls per measurement (default: %(default)s)")
    parser.add_argument("--warmup", type=int, default=20, help="untimed calls first (default: %(default)s)")
    parser.add_argument("--naive-calls", type=int, default=20, help="timed ORDER BY random() calls (default: %(default)s)")
    parser.add_argument(
        "--heavy-picked", type=int, default=HEAVY_PICKED, help="top groups the heavy rater picked (default: %(default)s)"
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
    if args.heavy_picked < 0 or (args.heavy_picked + HEAVY_SKIPPED) * 2 > min(args.sizes) * 0.7 * GROUPED_FRACTION / 3 * 0.7:
        parser.error("the heavy rater must leave most of the queue unseen: raise --sizes or lower --heavy-picked")
    if args.calls < 1 or args.warmup < 0 or args.naive_calls < 1:
        parser.error("--calls and --naive-calls must be positive, --warmup not negative")
    check_bench_database_url(parser, args)
    return args


@dataclass
class World:
    size: int
    groups: int
    open_groups: int
    main: Any
    fresh: Any
    heavy: Any
    heavy_picked: int


def fill(size: int, heavy_picked: int) -> World:
    from django.db import connection

    from ratings_site.datasets.models import Dataset
    from ratings_site.raters.models import Rater

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE datasets_dataset, raters_rater RESTART IDENTITY CASCADE")
    main = Dataset.objects.create(slug="bench-main", name="Bench main", public=True)
    second = Dataset.objects.create(slug="bench-second", name="Bench second", public=True)
    fresh = Rater.objects.create(username="fresh#1", horde_id=1)
    heavy = Rater.objects.create(username="heavy#2", horde_id=2)
    others = [Rater.objects.create(username=f"other#{n}", horde_id=n) for n in range(3, 3 + OTHER_RATERS)]
    wanted = 3  # BEST_PICKS_PER_GROUP's default

    started = time.perf_counter()
    fill_images(size, main_id=main.pk, second_id=second.pk)
    print("Filling prompt groups, members and picks...", flush=True)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            CREATE TEMP TABLE grouped AS
            SELECT id AS image_id, dataset_id, (rn - 1) / %(size)s AS g, (rn - 1) %% %(size)s + 1 AS position
            FROM (SELECT id, dataset_id, row_number() OVER (PARTITION BY dataset_id ORDER BY id) AS rn
                  FROM datasets_image WHERE random() < %(fraction)s) AS chosen
            """,
            {"size": GROUP_SIZE, "fraction": GROUPED_FRACTION},
        )
        cursor.execute(
            """
            INSERT INTO bestof_promptgroup (dataset_id, prompt_key, part, prompt, size, picks_count, wants_picks,
                                            priority, shuffle, created_at)
            SELECT dataset_id, encode(sha256(convert_to(dataset_id || '-' || g, 'UTF8')), 'hex'), 0,
                   'a synthetic prompt number ' || g, count(*), picks, picks < %(wanted)s, random(), random(), now()
            FROM (SELECT *, CASE WHEN random() < %(full)s THEN %(wanted)s ELSE floor(random() * %(wanted)s)::int END
                            AS picks FROM (SELECT DISTINCT dataset_id, g FROM grouped) AS keys) AS keyed
                 JOIN grouped USING (dataset_id, g)
            GROUP BY dataset_id, g, picks HAVING count(*) >= 2
            """,
            {"wanted": wanted, "full": FULL_GROUPS_FRACTION},
        )
        cursor.execute(
            """
            INSERT INTO bestof_promptgroupimage (group_id, image_id, position)
            SELECT pg.id, grouped.image_id, grouped.position
            FROM grouped JOIN bestof_promptgroup AS pg
              ON pg.dataset_id = grouped.dataset_id
             AND pg.prompt_key = encode(sha256(convert_to(grouped.dataset_id || '-' || grouped.g, 'UTF8')), 'hex')
            """
        )
        cursor.execute("UPDATE datasets_image SET hidden = true WHERE random() < %s", [HIDDEN_FRACTION])
        # The heavy rater worked through the top of the main dataset's queue of groups.
        cursor.execute(
            """
            INSERT INTO bestof_bestpick (rater_id, group_id, winner_id, source, client_agent, created_at)
            SELECT %s, id, NULL, 'page', '', now() FROM bestof_promptgroup
            WHERE dataset_id = %s AND wants_picks ORDER BY priority DESC, shuffle LIMIT %s
            """,
            [heavy.pk, main.pk, heavy_picked],
        )
        cursor.execute(
            """
            INSERT INTO bestof_groupskip (rater_id, group_id, created_at)
            SELECT %s, id, now() FROM bestof_promptgroup
            WHERE dataset_id = %s AND wants_picks ORDER BY priority DESC, shuffle OFFSET %s LIMIT %s
            """,
            [heavy.pk, main.pk, heavy_picked, HEAVY_SKIPPED],
        )
        cursor.execute("SELECT count(*), count(*) FILTER (WHERE wants_picks) FROM bestof_promptgroup")
        groups, open_groups = cursor.fetchone()
        each = min(OTHER_PICKS_EACH, groups // 10)
        cursor.execute(
            """
            INSERT INTO bestof_bestpick (rater_id, group_id, winner_id, source, client_agent, created_at)
            SELECT rater_id, id, NULL, 'page', '', now()
            FROM bestof_promptgroup CROSS JOIN unnest(%s::bigint[]) AS raters(rater_id)
            WHERE random() < %s
            """,
            [[rater.pk for rater in others], each / max(groups, 1)],
        )
        cursor.execute("DROP TABLE grouped")
        print("VACUUM ANALYZE...", flush=True)
        for table in (
            "datasets_dataset",
            "datasets_image",
            "bestof_promptgroup",
            "bestof_promptgroupimage",
            "bestof_bestpick",
            "bestof_groupskip",
            "raters_rater",
        ):
            cursor.execute(f"VACUUM ANALYZE {table}")
        cursor.execute("SELECT count(*) FROM bestof_promptgroupimage")
        (members,) = cursor.fetchone()
        cursor.execute("SELECT count(*) FROM bestof_bestpick")
        (picks,) = cursor.fetchone()
    print(
        f"Filled {size:,} images, {groups:,} prompt groups ({open_groups:,} in the queue) of {members:,} images, "
        f"{picks:,} picks in {time.perf_counter() - started:.1f} s"
    )
    return World(
        size=size, groups=groups, open_groups=open_groups, main=main, fresh=fresh, heavy=heavy, heavy_picked=heavy_picked
    )


def naive_queryset(rater: Any, dataset: Any, count: int = 2) -> Any:
    """What the queue would be without the index's order: ORDER BY random() over the groups wanting picks."""
    from ratings_site.bestof.selectors import open_groups, unseen_by

    return unseen_by(rater, open_groups(dataset)).order_by("?")[:count]


def scenarios(world: World) -> Iterator[tuple[str, Any]]:
    yield "fresh rater", world.fresh
    yield f"heavy rater ({world.heavy_picked:,} picked, {HEAVY_SKIPPED} skipped)", world.heavy


def run_size(size: int, args: argparse.Namespace, explain: bool) -> dict[str, Timing]:
    from django.db import connection

    from ratings_site.bestof.models import BestPick, GroupSkip
    from ratings_site.bestof.selectors import next_groups_for, queue_queryset

    world = fill(size, args.heavy_picked)
    results: dict[str, Timing] = {}
    for label, rater in scenarios(world):
        shown = next_groups_for(rater, dataset=world.main)
        assert shown and all(len(group.images) >= 2 for group in shown), f"{label}: no group to show"
        group = shown[0].group
        assert not BestPick.objects.filter(rater=rater, group=group).exists(), f"{label}: a group already picked"
        assert not GroupSkip.objects.filter(rater=rater, group=group).exists(), f"{label}: a group already skipped"
        assert all(not image.hidden for image in shown[0].images), f"{label}: a hidden image shown"
        results[f"next_groups_for   | {label}"] = measure(
            lambda r=rater: next_groups_for(r, dataset=world.main), calls=args.calls, warmup=args.warmup
        )
        sql, params = queue_queryset(rater, world.main).query.sql_with_params()
        with connection.cursor() as cursor:

            def run_sql(cursor: Any = cursor, sql: str = sql, params: tuple[Any, ...] = params) -> None:
                cursor.execute(sql, params)
                cursor.fetchall()

            results[f"queue SQL only    | {label}"] = measure(run_sql, calls=args.calls, warmup=args.warmup)
    for label, rater in scenarios(world):
        results[f"ORDER BY random() | {label}"] = measure(
            lambda r=rater: list(naive_queryset(r, world.main)), calls=args.naive_calls, warmup=2
        )

    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"\n== {size:,} images, {world.groups:,} groups: milliseconds per call (load average {load}) ==")
    width = max(len(name) for name in results)
    print(f"{'':{width}}  {'median':>8}  {'p95':>8}  calls")
    for name, timing in results.items():
        print(f"{name:{width}}  {timing.median_ms:8.2f}  {timing.p95_ms:8.2f}  {timing.calls}")
    if explain:
        print_plans(world)
    return results


def print_plans(world: World) -> None:
    from django.db import connection

    from ratings_site.bestof.models import PromptGroupImage
    from ratings_site.bestof.selectors import queue_queryset

    first = True
    for label, rater in scenarios(world):
        queryset = queue_queryset(rater, world.main)
        if first:
            sql, params = queryset.query.sql_with_params()
            print(f"\n== The queue query (rater {rater.pk}, dataset {world.main.pk}) ==")
            print(connection.ops.compose_sql(sql, params))
            first = False
        print(f"\n== EXPLAIN (ANALYZE, BUFFERS) at {world.size:,} images: {label} ==")
        print(queryset.explain(analyze=True, buffers=True))
        ids = [group.pk for group in queryset]
        members = PromptGroupImage.objects.filter(group_id__in=ids).select_related("image").order_by("group_id", "position")
        print(f"\n== EXPLAIN (ANALYZE, BUFFERS): the images of those {len(ids)} groups, {label} ==")
        print(members.explain(analyze=True, buffers=True))
    print(f"\n== EXPLAIN (ANALYZE, BUFFERS) at {world.size:,} images: ORDER BY random(), fresh rater ==")
    print(naive_queryset(world.fresh, world.main).explain(analyze=True, buffers=True))


def print_comparison(all_results: dict[int, dict[str, Timing]]) -> None:
    sizes = sorted(all_results)
    smallest, largest = sizes[0], sizes[-1]
    print(f"\n== Median ms per call, and the ratio {largest:,} / {smallest:,} images (one run) ==")
    names = list(all_results[smallest])
    width = max(len(name) for name in names)
    print(f"{'':{width}}" + "".join(f"  {size:>12,}" for size in sizes) + f"  {'ratio':>7}")
    for name in names:
        medians = [all_results[size][name].median_ms for size in sizes]
        ratio = medians[-1] / medians[0] if medians[0] else float("nan")
        print(f"{name:{width}}" + "".join(f"  {m:12.2f}" for m in medians) + f"  {ratio:7.2f}")


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    with bench_database(args):
        from django.conf import settings
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT version()")
            (version,) = cursor.fetchone()
        print(f"{version}\nQUEUE_TOP_K={settings.QUEUE_TOP_K}, BEST_PICKS_PER_GROUP={settings.BEST_PICKS_PER_GROUP}")
        all_results: dict[int, dict[str, Timing]] = {}
        for size in args.sizes:
            all_results[size] = run_size(size, args, explain=size == max(args.sizes))
        if len(all_results) > 1:
            print_comparison(all_results)


if __name__ == "__main__":
    main()
