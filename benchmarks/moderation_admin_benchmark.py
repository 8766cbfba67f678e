"""How fast the moderators' admin pages answer at 1 M images and 1 M ratings, on PostgreSQL.

Not a test: run it by hand (see benchmarks/README.md). It creates its own database (horde_ratings_admin_bench by
default; its name must contain "bench"), migrates it, fills it with SQL (`INSERT ... SELECT generate_series`):
`--images` images in two public datasets, 200 check images, `--raters` raters, `--ratings` ratings spread over
them (the images' counters kept right), reports on 1 % of the images; then ANALYZE. It then times, with Django's
test client logged in as a superuser, each admin page `--requests` times (after `--warmup` untimed ones) and
prints the median and 95th percentile in ms and the page's number of queries: the image list, a search of it by
the start of an id, the ratings list, an image's page, a rater's page and the reports queue (when
/admin/moderation/reports/ answers 200). `--keep` leaves the database in place, and a later run with `--keep`
and the same sizes reuses it instead of filling it again.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from queue_benchmark import (  # noqa: E402 (the queue benchmark's helpers, beside this file)
    ROOT,
    check_bench_database_url,
    create_database,
    drop_database,
    measure,
)

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/horde_ratings_admin_bench"
CHECK_IMAGES = 200
REPORTED_FRACTION = 0.01  # images with 1 to 3 reports
SECOND_DATASET_FRACTION = 0.30
CHUNK = 250_000
STEP = 1_000_003  # a prime: rating i is of image (i * STEP) mod images, so a rater never rates an image twice
REPORTS_URL = "/admin/moderation/reports/"


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--images", type=int, default=1_000_000, help="(default: %(default)s)")
    parser.add_argument("--ratings", type=int, default=1_000_000, help="(default: %(default)s)")
    parser.add_argument("--raters", type=int, default=3_000, help="(default: %(default)s)")
    parser.add_argument("--requests", type=int, default=10, help="timed requests per page (default: %(default)s)")
    parser.add_argument("--warmup", type=int, default=2, help="untimed requests first (default: %(default)s)")
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL, help="(default: %(default)s)")
    parser.add_argument("--keep", action="store_true", help="keep the database, and reuse one of the same sizes")
    args = parser.parse_args(argv)
    if args.images < 1_000 or args.raters < 10 or args.ratings < 1:
        parser.error("--images must be at least 1000, --raters at least 10, --ratings at least 1")
    if args.images % STEP == 0:
        parser.error(f"--images must not be a multiple of {STEP}")
    if args.ratings > args.images * args.raters:
        parser.error("more ratings than raters × images")
    if args.requests < 1 or args.warmup < 0:
        parser.error("--requests must be positive, --warmup not negative")
    check_bench_database_url(parser, args)
    return args


def setup_django(args: argparse.Namespace) -> None:
    os.environ["DATABASE_URL"] = args.database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "ratings_site.settings"
    os.environ.setdefault("SECRET_KEY", "admin-benchmark-only-not-a-secret")
    os.environ.setdefault("DEBUG", "0")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    warnings.filterwarnings("ignore", message="No directory at")  # whitenoise: no collectstatic here
    sys.path.insert(0, str(ROOT))
    import django
    from django.core.management import call_command

    django.setup()
    from django.conf import settings
    from django.test.utils import override_settings

    # The pages' static URLs without collectstatic's manifest (the manifest lookup is not what is measured).
    static = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    override_settings(STORAGES=settings.STORAGES | {"staticfiles": static}).enable()
    call_command("migrate", verbosity=0)


def insert_select(model: Any, given: dict[str, str], series: str, params: dict[str, Any]) -> int:
    """INSERT INTO the model's table SELECT ... FROM `series` (SQL naming its row number i): the columns of `given`
    as its SQL expressions, every other column its field's default (now() for timestamps set on creation), so that
    columns other people add to the model do not break the fill. Returns the rows inserted."""
    from django.db import connection

    columns, expressions = [], []
    for field in model._meta.concrete_fields:
        if field.primary_key and field.name not in given:
            continue
        columns.append(connection.ops.quote_name(field.column))
        if field.name in given:
            expressions.append(given[field.name].replace("%", "%%"))  # SQL's modulo, not a placeholder
        elif getattr(field, "auto_now_add", False) or getattr(field, "auto_now", False):
            expressions.append("now()")
        else:
            key = f"default_{field.column}"
            params[key] = field.get_db_prep_save(field.get_default(), connection)
            expressions.append(f"%({key})s")
    sql = (
        f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) SELECT {', '.join(expressions)} FROM {series.replace('%', '%%')} "
        "ON CONFLICT DO NOTHING"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def already_filled(args: argparse.Namespace) -> bool:
    from ratings_site.datasets.models import Image
    from ratings_site.raters.models import Rater
    from ratings_site.ratings.models import Rating

    return (
        Image.objects.filter(is_captcha=False).count() == args.images
        and Rating.objects.count() == args.ratings
        and Rater.objects.filter(horde_id__isnull=False).count() == args.raters
    )


def fill(args: argparse.Namespace) -> None:
    """Empty the tables and fill them, in SQL, in chunks (see the module's docstring)."""
    from django.db import connection

    from ratings_site.datasets.models import Dataset, Image
    from ratings_site.raters.models import Rater
    from ratings_site.ratings.models import Rating, Skip

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE datasets_dataset, raters_rater RESTART IDENTITY CASCADE")
    main = Dataset.objects.create(slug="bench-main", name="LAION aesthetics, main", public=True)
    second = Dataset.objects.create(slug="bench-second", name="LAION aesthetics, second", public=True)
    checks = Dataset.objects.create(slug="bench-checks", name="Check images", public=False)
    Rater.objects.bulk_create(Rater(username=f"Rater#{n}", horde_id=n, password="!") for n in range(1, args.raters + 1))
    first_rater = Rater.objects.order_by("pk").values_list("pk", flat=True).first()
    image_columns = {
        "public_id": "gen_random_uuid()",
        "dataset": f"CASE WHEN random() < {SECOND_DATASET_FRACTION} THEN {second.pk} ELSE {main.pk} END",
        "url": "'https://images.example.org/' || i || '.jpg'",
        "caption": "'A photograph of a lighthouse at dusk, number ' || i || ', ' || repeat('long prompt words ', 8)",
        "dedupe_key": "md5(i::text)",
        "shuffle": "random()",
    }
    for start in range(1, args.images + 1, CHUNK):
        stop = min(start + CHUNK - 1, args.images)
        insert_select(Image, image_columns, f"generate_series({start}, {stop}) AS i", {})
        print(f"  images: {stop:,} in {time.perf_counter() - started:.0f} s", flush=True)
    check_columns = image_columns | {
        "dataset": str(checks.pk),
        "dedupe_key": "md5('check' || i)",
        "is_captcha": "true",
        "captcha_answer": "5",
    }
    insert_select(Image, check_columns, f"generate_series(1, {CHECK_IMAGES}) AS i", {})
    first_image = Image.objects.order_by("pk").values_list("pk", flat=True).first()
    for start in range(0, args.ratings, CHUNK):
        stop = min(start + CHUNK, args.ratings) - 1
        insert_select(
            Rating,
            {
                "rater": f"{first_rater} + i % {args.raters}",
                "image": f"{first_image} + (i::bigint * {STEP}) % {args.images}",
                "rating": "1 + (i * 7) % 10",
                "artifacts": "i % 6",
            },
            f"generate_series({start}, {stop}) AS i",
            {},
        )
        print(f"  ratings: {stop + 1:,} in {time.perf_counter() - started:.0f} s", flush=True)
    reported = max(1, int(args.images * REPORTED_FRACTION))
    insert_select(
        Skip,
        {
            "rater": f"{first_rater} + (i * 31 + r) % {args.raters}",
            "image": f"{first_image} + (i::bigint * 7919) % {args.images}",
            "reason": "(ARRAY['nsfw', 'broken', 'watermark', 'other'])[1 + (i + r) % 4]",
            "note": "'seen by the benchmark'",
        },
        f"generate_series(1, {reported}) AS i CROSS JOIN generate_series(0, i % 3) AS r",
        {},
    )
    print("  counters...", flush=True)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE datasets_image SET ratings_count = c, rating_sum = s, artifacts_count = c, artifacts_sum = a
            FROM (SELECT image_id, count(*) AS c, sum(rating) AS s, sum(artifacts) AS a
                  FROM ratings_rating GROUP BY image_id) AS counted
            WHERE datasets_image.id = counted.image_id
            """
        )
        cursor.execute(
            """
            UPDATE datasets_image SET reports_count = c
            FROM (SELECT image_id, count(*) AS c FROM ratings_skip WHERE reason <> 'skipped' GROUP BY image_id) AS r
            WHERE datasets_image.id = r.image_id
            """
        )
        print("  VACUUM ANALYZE...", flush=True)
        for table in ("datasets_dataset", "datasets_image", "ratings_rating", "ratings_skip", "raters_rater"):
            cursor.execute(f"VACUUM ANALYZE {table}")
    print(f"Filled in {time.perf_counter() - started:.0f} s", flush=True)


def pages() -> list[tuple[str, str]]:
    """The pages to time: (what, URL)."""
    from ratings_site.datasets.models import Image
    from ratings_site.raters.models import Rater

    reported = Image.objects.filter(is_captcha=False).order_by("-reports_count", "-pk").first()
    rater = Rater.objects.filter(horde_id__isnull=False).order_by("pk").first()
    return [
        ("image list (most reported first, no check images)", "/admin/datasets/image/"),
        (
            "image list, search by the id's first 8 characters",
            f"/admin/datasets/image/?q={str(reported.public_id)[:8]}",
        ),
        ("ratings list", "/admin/ratings/rating/"),
        ("an image's page (the most reported image)", f"/admin/datasets/image/{reported.pk}/change/"),
        (f"a rater's page ({rater.ratings.count():,} ratings)", f"/admin/raters/rater/{rater.pk}/change/"),
        ("reports queue", REPORTS_URL),
    ]


def time_pages(args: argparse.Namespace) -> None:
    from django.test import Client

    from ratings_site.raters.models import Rater

    admin, _ = Rater.objects.get_or_create(username="bench-admin", horde_id=None)
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client = Client()
    client.force_login(admin)
    print(f"\n{'page':<58} {'median ms':>10} {'p95 ms':>8} {'queries':>8}")
    for what, url in pages():
        status, queries = status_and_queries(client, url)
        if status != 200:
            print(f"{what:<58} {'not available (HTTP ' + str(status) + ')':>28}")
            continue
        timing = measure(lambda url=url: client.get(url), calls=args.requests, warmup=args.warmup)
        print(f"{what:<58} {timing.median_ms:>10.1f} {timing.p95_ms:>8.1f} {queries:>8}", flush=True)


def status_and_queries(client: Any, url: str) -> tuple[int, int]:
    """The page's HTTP status and how many SQL queries it sent."""
    from django.db import connection

    sent = []

    def count(execute, sql, params, many, context):
        sent.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        status = client.get(url).status_code
    return status, len(sent)


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    create_database(args)
    try:
        setup_django(args)
        if args.keep and already_filled(args):
            print(f"Reusing {args.database_name}: {args.images:,} images, {args.ratings:,} ratings")
        else:
            fill(args)
        time_pages(args)
    finally:
        if not args.keep:
            drop_database(args)


if __name__ == "__main__":
    main()
