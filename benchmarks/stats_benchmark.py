"""How fast /stats/ answers at 1 M images and 1 M ratings, on PostgreSQL (issue 23: under 200 ms).

Not a test: run it by hand. It creates its own database (horde_ratings_stats_bench by default; its name must contain
"bench"), migrates it and fills it as the moderators' admin benchmark does (benchmarks/moderation_admin_benchmark.py:
`--images` images in two public datasets, `--raters` raters, `--ratings` ratings, the images' counters), then:
- spreads the ratings' times over the last 90 days, so that ratings per day has 90 days to show;
- gives every image a score of a current predictor version (the predicted-vs-human scatter reads them);
- runs the reliability jobs themselves, as the background task does: `refresh_agreement(full=True)` (agreement,
  histograms, images per rating count, ratings per day) and `refresh_weights()` (a weight per rater), and prints how
  long each took;
- ANALYZE.
It then requests /stats/ with Django's test client `--requests` times (after `--warmup` untimed requests), as a
visitor and as a moderator (a superuser: the page adds the suspect raters), and prints the median and 95th
percentile in ms and the page's number of queries. `--keep` leaves the database in place, and a later run with
`--keep` and the same sizes reuses it instead of filling it again.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from moderation_admin_benchmark import (  # noqa: E402 (the admin benchmark's fill, beside this file)
    STEP,
    already_filled,
    fill,
    insert_select,
    setup_django,
    status_and_queries,
)
from queue_benchmark import check_bench_database_url, create_database, drop_database, measure  # noqa: E402

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/horde_ratings_stats_bench"
GOAL_MS = 200
DAYS = 90


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--images", type=int, default=1_000_000, help="(default: %(default)s)")
    parser.add_argument("--ratings", type=int, default=1_000_000, help="(default: %(default)s)")
    parser.add_argument("--raters", type=int, default=10_000, help="(default: %(default)s)")
    parser.add_argument("--requests", type=int, default=30, help="timed requests per page (default: %(default)s)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed requests first (default: %(default)s)")
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL, help="(default: %(default)s)")
    parser.add_argument("--keep", action="store_true", help="keep the database, and reuse one of the same sizes")
    args = parser.parse_args(argv)
    if args.images < 1_000 or args.raters < 10 or args.ratings < 1:
        parser.error("--images must be at least 1000, --raters at least 10, --ratings at least 1")
    if args.images % STEP == 0:
        parser.error(f"--images must not be a multiple of {STEP}")
    if args.ratings > args.images:
        parser.error("at most one rating per image and rater here: --ratings at most --images")
    if args.requests < 1 or args.warmup < 0:
        parser.error("--requests must be positive, --warmup not negative")
    check_bench_database_url(parser, args)
    return args


def fill_stats(args: argparse.Namespace) -> None:
    """On top of the admin benchmark's rows: the ratings' days, the predictor's scores, the reliability jobs."""
    from django.db import connection

    from ratings_site.datasets.models import Image
    from ratings_site.predictor.models import AestheticScore, PredictorVersion
    from ratings_site.reliability.agreement import refresh_agreement
    from ratings_site.reliability.weights import refresh_weights

    started = time.perf_counter()
    with connection.cursor() as cursor:
        # Past the agreement job's safety lag (a minute), spread over DAYS days.
        cursor.execute(
            "UPDATE ratings_rating SET created_at = now() - interval '2 minutes' "
            f"- interval '1 minute' * ((id * 7919) % ({DAYS} * 1440 - 10))"
        )
    print(f"  ratings spread over {DAYS} days in {time.perf_counter() - started:.0f} s", flush=True)
    version = PredictorVersion.objects.create(
        name="bench", clip_model="bench", embedding_dim=768, head_file="bench", head_sha256="0" * 64, is_current=True
    )
    first, last = (
        Image.objects.filter(is_captcha=False).order_by(o).values_list("pk", flat=True)[0] for o in ("pk", "-pk")
    )
    insert_select(
        AestheticScore,
        {"image": "i", "version": str(version.pk), "score": "1 + 9 * random()"},
        f"generate_series({first}, {last}) AS i",
        {},
    )
    print(f"  predictor scores in {time.perf_counter() - started:.0f} s", flush=True)
    step = time.perf_counter()
    run = refresh_agreement(full=True)
    print(
        f"  refresh_agreement(full=True): {run.ratings_taken:,} ratings, {run.images_read:,} images in "
        f"{time.perf_counter() - step:.1f} s",
        flush=True,
    )
    step = time.perf_counter()
    weights = refresh_weights()
    print(f"  refresh_weights(): {weights.raters:,} raters in {time.perf_counter() - step:.1f} s", flush=True)
    with connection.cursor() as cursor:
        for table in (
            "predictor_aestheticscore",
            "ratings_rating",
            "datasets_image",
            "reliability_raterweight",
            "reliability_dailyratings",
            "reliability_datasetagreement",
        ):
            cursor.execute(f"VACUUM ANALYZE {table}")


def stats_filled() -> bool:
    from ratings_site.reliability.models import AgreementProgress

    return AgreementProgress.objects.filter(weights_computed_at__isnull=False).exists()


def time_page(args: argparse.Namespace) -> None:
    from django.test import Client
    from django.utils import timezone

    from ratings_site.raters.models import Rater
    from ratings_site.reliability.models import AgreementProgress

    # Figures just computed, as the background job leaves them every few minutes: the timed requests are the
    # page's own (a stale page also enqueues a refresh, once per interval: the warm-up would absorb it).
    AgreementProgress.objects.filter(pk=1).update(computed_at=timezone.now(), weights_computed_at=timezone.now())
    moderator, _ = Rater.objects.get_or_create(username="bench-admin", horde_id=None)
    moderator.is_staff = moderator.is_superuser = True
    moderator.save()
    visitor, signed_in = Client(), Client()
    signed_in.force_login(moderator)
    print(f"\n{'/stats/':<40} {'median ms':>10} {'p95 ms':>8} {'queries':>8}")
    results = {}
    for what, client in (("a visitor (public figures)", visitor), ("a moderator (+ suspect raters)", signed_in)):
        status, queries = status_and_queries(client, "/stats/")
        if status != 200:
            raise SystemExit(f"/stats/ answered {status} to {what}")
        timing = measure(lambda client=client: client.get("/stats/"), calls=args.requests, warmup=args.warmup)
        results[what] = timing
        print(f"{what:<40} {timing.median_ms:>10.1f} {timing.p95_ms:>8.1f} {queries:>8}", flush=True)
    worst = max(t.median_ms for t in results.values())
    print(f"\nGoal: median under {GOAL_MS} ms: {'met' if worst < GOAL_MS else 'NOT met'} ({worst:.1f} ms at worst)")


def describe(args: argparse.Namespace) -> None:
    from ratings_site.reliability.models import DailyRatings, RaterWeight

    print(
        f"\n{args.images:,} images, {args.ratings:,} ratings, {RaterWeight.objects.count():,} rater weights, "
        f"{DailyRatings.objects.count():,} day-and-dataset counts"
    )


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    create_database(args)
    try:
        setup_django(args)
        if args.keep and already_filled(args) and stats_filled():
            print(f"Reusing {args.database_name}: {args.images:,} images, {args.ratings:,} ratings")
        else:
            fill(args)
            fill_stats(args)
        describe(args)
        time_page(args)
    finally:
        if not args.keep:
            drop_database(args)


if __name__ == "__main__":
    main()
