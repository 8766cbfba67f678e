"""How long `manage.py export_ratings` takes, and how much memory it holds, at 100 k and at 1 M ratings, on PostgreSQL.

Not a test: run it by hand (see benchmarks/README.md). It reuses queue_benchmark.py's database handling (a
throwaway database whose name must contain `bench`; emptied, and dropped at the end unless --keep). For each size
N it fills N/10 URL images (queue_benchmark's `fill_images`), 500 raters (one in ten anonymous, one in ten
trusted) with 5 captcha answers each (2 failed), N ratings (10 per image, INSERT ... SELECT), a paid kudos line
for half of them, and a current predictor's score for half of the images; VACUUM ANALYZE. Then it runs the export
in a subprocess, twice: once with `--since` in the future (no rows: the process's baseline memory) and once in
full, and prints the wall time, the peak RSS of the export process (os.wait4's ru_maxrss), rows/s and the file
sizes.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from queue_benchmark import (  # noqa: E402 (the queue benchmark's helpers, beside this file)
    bench_database,
    check_bench_database_url,
    fill_images,
)

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/horde_ratings_export_bench"
RATERS = 500
RATINGS_PER_IMAGE = 10


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "sizes", nargs="*", default=["100000", "1000000"], help="rating counts (default: 100000 1000000)"
    )
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL, help="(default: %(default)s)")
    parser.add_argument("--keep", action="store_true", help="do not drop the database at the end")
    args = parser.parse_args(argv)
    try:
        args.sizes = [int(size.replace("_", "")) for size in args.sizes]
    except ValueError:
        parser.error("sizes are integers, e.g. 100000 1000000")
    if min(args.sizes) < 10_000:
        parser.error("each size must be at least 10000")
    check_bench_database_url(parser, args)
    return args


def fill(size: int) -> None:
    from django.db import connection

    from ratings_site.datasets.models import Dataset, Image
    from ratings_site.predictor.models import PredictorVersion
    from ratings_site.raters.models import Rater
    from ratings_site.ratings.models import CaptchaAnswer

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE datasets_dataset, raters_rater, predictor_predictorversion RESTART IDENTITY CASCADE")
    main = Dataset.objects.create(slug="bench-main", name="Bench main")
    second = Dataset.objects.create(slug="bench-second", name="Bench second")
    started = time.perf_counter()
    fill_images(size // RATINGS_PER_IMAGE, main_id=main.pk, second_id=second.pk, full_fraction=0.0)
    raters = Rater.objects.bulk_create(
        Rater(
            username=f"bench#{n}",
            horde_id=0 if n % 10 == 0 else 10_000 + n,
            trusted=n % 10 == 1,
            account_age=n * 3600,
        )
        for n in range(RATERS)
    )
    captchas_dataset = Dataset.objects.create(slug="bench-captchas", name="Captchas", public=False)
    captchas = Image.objects.bulk_create(
        Image(dataset=captchas_dataset, url=f"https://c.example.org/{n}.png", dedupe_key=f"c{n}", is_captcha=True)
        for n in range(5)
    )
    CaptchaAnswer.objects.bulk_create(
        CaptchaAnswer(rater=rater, image=image, answer=5, passed=n >= 2)
        for rater in raters
        for n, image in enumerate(captchas)
    )
    version = PredictorVersion.objects.create(
        name="bench-head",
        clip_model="ViT-L-14",
        embedding_dim=768,
        head_file="h",
        head_sha256="0" * 64,
        is_current=True,
    )
    print(f"Filling {size:,} ratings, kudos lines and scores...", flush=True)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO ratings_rating (rater_id, image_id, rating, artifacts, client_agent, created_at)
            SELECT r.id, im.id, 1 + (im.n + k) %% 10, CASE WHEN k %% 3 = 0 THEN NULL ELSE k %% 6 END,
                   'bench-client:1:nobody', now() - (im.n || ' seconds')::interval
            FROM (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM datasets_image
                  WHERE NOT is_captcha) AS im
            CROSS JOIN generate_series(0, %(per_image)s - 1) AS k
            JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS m FROM raters_rater) AS r
              ON r.m = k * (%(raters)s / %(per_image)s) + im.n %% (%(raters)s / %(per_image)s)
            """,
            {"per_image": RATINGS_PER_IMAGE, "raters": RATERS},
        )
        cursor.execute(
            """
            INSERT INTO kudos_kudosreward (rater_id, kind, subject, rating_id, image_id, amount, reason, status,
                                           attempts, last_error, created_at)
            SELECT rating.rater_id, 'rating', '', rating.id, rating.image_id, 5, 'Rating a dataset image', 'paid', 1,
                   '', now()
            FROM ratings_rating AS rating JOIN raters_rater AS rater ON rater.id = rating.rater_id
            WHERE rating.id %% 2 = 0 AND rater.horde_id > 0
            """,
            {},
        )
        cursor.execute(
            """
            INSERT INTO predictor_aestheticscore (image_id, version_id, score, uncertainty, created_at)
            SELECT id, %(version)s, 1 + random() * 9, NULL, now() FROM datasets_image WHERE id %% 2 = 0
            """,
            {"version": version.pk},
        )
        cursor.execute("SELECT count(*) FROM ratings_rating")
        (count,) = cursor.fetchone()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(f"Filled {count:,} ratings in {time.perf_counter() - started:.1f} s", flush=True)


def run_export(database_url: str, out_dir: Path, *extra: str) -> tuple[float, float]:
    """Run the export in a subprocess; (wall seconds, peak RSS in MiB) of that process alone."""
    env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "ratings_site.settings"}
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "manage.py"), "export_ratings", str(out_dir), "--no-progress", *extra], env=env
    )
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise SystemExit(f"the export failed with exit code {process.returncode}")
    return seconds, usage.ru_maxrss / 1024  # Linux reports KiB


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    results = []
    with bench_database(args):
        for size in args.sizes:
            fill(size)
            with tempfile.TemporaryDirectory(prefix="export-bench-") as out:
                base_seconds, base_rss = run_export(args.database_url, Path(out), "--since", "2999-01-01")
                seconds, rss = run_export(args.database_url, Path(out))
                sizes = {p.name: p.stat().st_size for p in Path(out).iterdir() if p.suffix == ".parquet"}
            print(
                f"{size:>10,} ratings: {seconds:6.1f} s, {size / seconds:9,.0f} rows/s, peak RSS {rss:6.0f} MiB "
                f"(empty export: {base_seconds:.1f} s, {base_rss:.0f} MiB); ratings.parquet "
                f"{sizes['ratings.parquet'] / 2**20:.1f} MiB",
                flush=True,
            )
            results.append((size, seconds, rss, base_rss, sizes["ratings.parquet"]))
    print("\n| ratings | wall time | rows/s | peak RSS | peak RSS, empty export | ratings.parquet |")
    print("|---|---|---|---|---|---|")
    for size, seconds, rss, base_rss, parquet in results:
        print(
            f"| {size:,} | {seconds:.1f} s | {size / seconds:,.0f} | {rss:.0f} MiB | {base_rss:.0f} MiB | "
            f"{parquet / 2**20:.1f} MiB |"
        )


if __name__ == "__main__":
    main()
