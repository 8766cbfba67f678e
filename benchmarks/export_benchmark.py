"""How long `manage.py export_ratings` takes, and how much memory it holds, at 100 k and at 1 M ratings, on PostgreSQL.

Not a test: run it by hand (see benchmarks/README.md). It reuses queue_benchmark.py's database handling (a
throwaway database whose name must contain `bench`; emptied, and dropped at the end unless --keep). For each size
N it fills N/10 URL images in two public datasets (INSERT ... SELECT generate_series), 500 raters (one in ten
anonymous, one in ten trusted) with 5 captcha answers each (2 failed), N ratings (10 per image, INSERT ...
SELECT), a paid kudos line for half of them, a current predictor's score for half of the images, a reliability
weight (reliability.RaterWeight) for nine raters in ten (the tenth exports null), a tag (ratings.RaterTag) on one
rating in ten and a second one on one in fifty, the images' tag_counts counted from those tags, and each dataset's
agreement (reliability.DatasetAgreement); VACUUM ANALYZE. Then it runs the export in a subprocess, twice: once
with `--since` in the future (no rows: the process's baseline memory) and once in full, and prints the wall time,
the peak RSS of the export process (the whole process's resident set, os.wait4's ru_maxrss: Python heap, pyarrow
buffers and libraries), rows/s and the file sizes.
"""

from __future__ import annotations

import argparse
import os
import re
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
)

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/horde_ratings_export_bench"
RATERS = 500
RATINGS_PER_IMAGE = 10
TAGS = ["watermark", "text", "nsfw", "broken", "not_artwork"]  # ratings.models.RaterTag.Kind's values


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
    from django.utils import timezone

    from ratings_site.datasets.models import Dataset, Image
    from ratings_site.predictor.models import PredictorVersion
    from ratings_site.raters.models import Rater
    from ratings_site.ratings.models import CaptchaAnswer
    from ratings_site.reliability.models import DatasetAgreement, RaterWeight

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE datasets_dataset, raters_rater, predictor_predictorversion RESTART IDENTITY CASCADE")
    main = Dataset.objects.create(slug="bench-main", name="Bench main", public=True)
    second = Dataset.objects.create(slug="bench-second", name="Bench second", public=True)
    started = time.perf_counter()
    print(f"Filling {size // RATINGS_PER_IMAGE:,} images...", flush=True)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO datasets_image (public_id, dataset_id, url, file, caption, source, dedupe_key, nsfw, hidden,
                                        broken, is_captcha, shuffle, ratings_count, rating_sum, artifacts_count,
                                        artifacts_sum, reports_count, tag_counts, created_at)
            SELECT gen_random_uuid(), CASE WHEN i %% 5 = 0 THEN %(second)s ELSE %(main)s END,
                   'https://images.example.org/' || i || '.jpg', '', 'a bench caption ' || i, '{}', md5(i::text),
                   false, false, false, false, random(), %(per_image)s, 0, 0, 0, 0, '{}', now()
            FROM generate_series(1, %(images)s) AS i
            """,
            {
                "main": main.pk,
                "second": second.pk,
                "per_image": RATINGS_PER_IMAGE,
                "images": size // RATINGS_PER_IMAGE,
            },
        )
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
            INSERT INTO ratings_rating (rater_id, image_id, rating, artifacts, client_agent, rater_kudos,
                                        invalidated, counts, created_at)
            SELECT r.id, im.id, 1 + (im.n + k) %% 10, CASE WHEN k %% 3 = 0 THEN NULL ELSE k %% 6 END,
                   'bench-client:1:nobody', 1000 + r.m, false, true, now() - (im.n || ' seconds')::interval
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
        # Tags: one rating in ten tagged, one in fifty twice; the images' tag_counts counted from them.
        cursor.execute(
            """
            INSERT INTO ratings_ratertag (rater_id, image_id, tag, created_at)
            SELECT rater_id, image_id, (%(tags)s::text[])[1 + (id / 10) %% 5], now()
            FROM ratings_rating WHERE id %% 10 = 0
            UNION ALL
            SELECT rater_id, image_id, (%(tags)s::text[])[1 + (id / 10 + 1) %% 5], now()
            FROM ratings_rating WHERE id %% 50 = 0
            """,
            {"tags": TAGS},
        )
        cursor.execute(
            """
            UPDATE datasets_image AS image SET tag_counts = counted.counts
            FROM (SELECT image_id, jsonb_object_agg(tag, n) AS counts
                  FROM (SELECT image_id, tag, count(*) AS n FROM ratings_ratertag GROUP BY image_id, tag) AS per_tag
                  GROUP BY image_id) AS counted
            WHERE image.id = counted.image_id
            """
        )
        cursor.execute("SELECT count(*) FROM ratings_rating")
        (count,) = cursor.fetchone()
        cursor.execute("SELECT count(*) FROM ratings_ratertag")
        (tags,) = cursor.fetchone()
    now = timezone.now()
    RaterWeight.objects.bulk_create(
        RaterWeight(rater=rater, weight=0.2 + 0.8 * (n % 7) / 6, ratings_count=size // RATERS, computed_at=now)
        for n, rater in enumerate(raters)
        if n % 10 != 9
    )
    DatasetAgreement.objects.bulk_create(
        DatasetAgreement(dataset=dataset, rating_alpha=alpha, artifacts_alpha=alpha + 0.1, computed_at=now)
        for dataset, alpha in [(main, 0.62), (second, 0.71)]
    )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(f"Filled {count:,} ratings and {tags:,} tags in {time.perf_counter() - started:.1f} s", flush=True)


def run_export(database_url: str, out_dir: Path, *extra: str) -> tuple[float, float, float, float]:
    """Run the export in a subprocess; (wall seconds, the export's own seconds as it reports them, the process's CPU
    seconds (user + system: less sensitive than wall time to a busy machine; the database server's not counted),
    peak RSS in MiB) of that process alone."""
    env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "ratings_site.settings"}
    started = time.perf_counter()
    with tempfile.TemporaryFile(mode="w+") as said:
        process = subprocess.Popen(
            [sys.executable, str(ROOT / "manage.py"), "export_ratings", str(out_dir), "--no-progress", *extra],
            env=env,
            stdout=said,
        )
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        said.seek(0)
        output = said.read()
    print(output, end="", flush=True)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise SystemExit(f"the export failed with exit code {process.returncode}")
    reported = re.search(r" in ([0-9.]+) s:", output)
    own = float(reported.group(1)) if reported else float("nan")
    return seconds, own, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024  # Linux reports KiB


def new_columns(path: Path) -> str:
    """What the rater_weight and tag columns hold, read back (in this process, not the export's)."""
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    table = pq.read_table(path, columns=["rater_weight", "tags", "tag_watermark", "tag_nsfw"])
    weights = table["rater_weight"]
    return (
        f"rater_weight null on {weights.null_count:,} rows, mean {pc.mean(weights).as_py():.3f}; "
        f"{pc.sum(pc.list_value_length(table['tags'])).as_py():,} tags in `tags`; "
        f"tag_watermark sum {pc.sum(table['tag_watermark']).as_py():,}, "
        f"tag_nsfw sum {pc.sum(table['tag_nsfw']).as_py():,}"
    )


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    results = []
    with bench_database(args):
        for size in args.sizes:
            fill(size)
            with tempfile.TemporaryDirectory(prefix="export-bench-") as out:
                base_seconds, _, _, base_rss = run_export(args.database_url, Path(out), "--since", "2999-01-01")
                seconds, own_seconds, cpu, rss = run_export(args.database_url, Path(out))
                sizes = {p.name: p.stat().st_size for p in Path(out).iterdir() if p.suffix == ".parquet"}
                held = new_columns(Path(out) / "ratings.parquet")
            print(
                f"{size:>10,} ratings: {seconds:6.1f} s (export itself {own_seconds:.1f} s, CPU {cpu:.1f} s), "
                f"{size / seconds:9,.0f} rows/s, peak RSS {rss:6.0f} MiB (empty export: {base_seconds:.1f} s, "
                f"{base_rss:.0f} MiB); ratings.parquet {sizes['ratings.parquet'] / 2**20:.1f} MiB\n    {held}",
                flush=True,
            )
            results.append((size, seconds, own_seconds, cpu, rss, base_rss, sizes["ratings.parquet"]))
    print(
        "\n| ratings | wall time (process) | export itself | CPU (user+sys) | rows/s (process) "
        "| peak RSS (ru_maxrss) | peak RSS, empty export | ratings.parquet |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for size, seconds, own_seconds, cpu, rss, base_rss, parquet in results:
        print(
            f"| {size:,} | {seconds:.1f} s | {own_seconds:.1f} s | {cpu:.1f} s | {size / seconds:,.0f} | "
            f"{rss:.0f} MiB | "
            f"{base_rss:.0f} MiB | {parquet / 2**20:.1f} MiB |"
        )


if __name__ == "__main__":
    main()
