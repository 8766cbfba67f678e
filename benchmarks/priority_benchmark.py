"""How long recomputing every image's priority takes at 1 M images, on PostgreSQL.

Not a test: run it by hand (see benchmarks/README.md). It creates its own database
(horde_ratings_prio_bench by default) the way queue_benchmark.py does (and with its helpers),
fills it with `INSERT ... SELECT generate_series`: 1 M images (30 % out of the queue), a
current predictor version and one AestheticScore per image (a bell of predicted scores, an
ensemble disagreement), then times `predictor.priorities.apply_priorities` for each strategy
(read, compute, write; images/s; `random` with one write connection and with
PRIORITY_WRITE_CONNECTIONS), once more when nothing changed, beside a plain
`UPDATE datasets_queueentry SET priority = random()` (rolled back: the floor) and the same
UPDATE of a column of the wide image table (where the queue lived before it moved to its own
narrow table), and compares the write path (a work table filled by binary COPY, then
UPDATE ... FROM) with the naive Django way (load the entries, set `priority`, `bulk_update`) on a
20 k subset, extrapolated to all the images in the queue. It drops the database at the end
unless --keep is given.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from queue_benchmark import bench_database, check_bench_database_url, fill_images  # noqa: E402

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/horde_ratings_prio_bench"
FULL_FRACTION = 0.30  # images that have all their ratings (no queue entry)
SECOND_DATASET_FRACTION = 0.30
FILL_CHUNK = 250_000
EMBEDDED = 20_000  # the most disputed images get a stored embedding: more than the design step's pool reads
EMBEDDING_DIM = 1024  # ViT-H-14
ENSEMBLE_FILE = Path(tempfile.gettempdir()) / "horde-ratings-prio-bench-ensemble.safetensors"
STRATEGIES = ("uncertainty", "stratified", "random", "score")


def embed_most_disputed(version, count: int) -> None:
    """Random unit embeddings for the `count` images in the queue of largest disagreement, and an
    ensemble file holding only a training design (X'X of 5,000 other random embeddings): what the
    `uncertainty` strategy's design step reads. The heads themselves are not needed to prioritise."""
    import numpy as np
    from safetensors.numpy import save_file

    from ratings_site.predictor.models import AestheticScore, ImageEmbedding
    from ratings_site.predictor.priorities import DESIGN_GRAM_KEY, design_gram

    rng = np.random.default_rng(3)
    ids = list(
        AestheticScore.objects.filter(version=version, image__queue_entry__isnull=False)
        .order_by("-uncertainty")
        .values_list("image_id", flat=True)[:count]
    )
    vectors = rng.normal(size=(len(ids), EMBEDDING_DIM)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    ImageEmbedding.objects.bulk_create(
        (
            ImageEmbedding(image_id=image_id, clip_model="ViT-H-14/none", vector=vector.astype(np.float16).tobytes())
            for image_id, vector in zip(ids, vectors)
        ),
        batch_size=2_000,
    )
    trained_on = rng.normal(size=(5_000, EMBEDDING_DIM))
    trained_on /= np.linalg.norm(trained_on, axis=1, keepdims=True)
    save_file({DESIGN_GRAM_KEY: design_gram(trained_on)}, str(ENSEMBLE_FILE))


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=1_000_000, help="images (default: %(default)s)")
    parser.add_argument(
        "--subset", type=int, default=20_000, help="images for the bulk_update comparison (default: %(default)s)"
    )
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL, help="(default: %(default)s)")
    parser.add_argument("--keep", action="store_true", help="do not drop the database at the end")
    args = parser.parse_args(argv)
    if args.size < 10_000 or not 1_000 <= args.subset <= args.size // 2:
        parser.error("--size must be at least 10000, --subset between 1000 and half of --size")
    check_bench_database_url(parser, args)
    return args


def fill(size: int) -> int:
    """Empty the tables, then `size` images and one score each; returns how many are in the queue."""
    from django.db import connection

    from ratings_site.datasets.models import Dataset
    from ratings_site.predictor.models import PredictorVersion

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE datasets_dataset, predictor_predictorversion RESTART IDENTITY CASCADE")
    main = Dataset.objects.create(slug="bench-main", name="Bench main", public=True)
    second = Dataset.objects.create(slug="bench-second", name="Bench second", public=True)
    version = PredictorVersion.objects.create(
        name="ViT-H-14/none/head-bench",
        clip_model="ViT-H-14",
        clip_pretrained="none",
        embedding_dim=1024,
        head_file="bench.safetensors",
        head_sha256="0" * 64,
        ensemble_file=str(ENSEMBLE_FILE),
        ensemble_size=5,
        is_current=True,
    )

    started = time.perf_counter()
    fill_images(size, main_id=main.pk, second_id=second.pk, full_fraction=FULL_FRACTION)
    with connection.cursor() as cursor:
        # Predicted scores: a bell around 5.5 (the sum of four uniforms), most of them mediocre.
        cursor.execute(
            """
            INSERT INTO predictor_aestheticscore (image_id, version_id, score, uncertainty, created_at)
            SELECT id, %s, 5.5 + 2.5 * (random() + random() + random() + random() - 2), 0.3 * random() ^ 2, now()
            FROM datasets_image
            """,
            [version.pk],
        )
    embed_most_disputed(version, EMBEDDED)
    with connection.cursor() as cursor:
        for table in ("datasets_image", "datasets_queueentry", "predictor_aestheticscore", "predictor_imageembedding"):
            cursor.execute(f"VACUUM ANALYZE {table}")
        cursor.execute("SELECT count(*) FROM datasets_queueentry")
        (in_queue,) = cursor.fetchone()
    print(
        f"Filled {size:,} images ({in_queue:,} in the queue), {size:,} scores "
        f"in {time.perf_counter() - started:.1f} s"
    )
    return in_queue


def time_strategies() -> list[dict]:
    """Each strategy with the PRIORITY_WRITE_CONNECTIONS setting, but `random` first with one write
    connection and then with the setting's (what sharing the write gains; the later run meets the
    more bloated table, so the gain shown is if anything too small), then `random` once more with
    the same seed, when no priority changes."""
    from django.conf import settings

    from ratings_site.predictor.priorities import apply_priorities

    shared = settings.PRIORITY_WRITE_CONNECTIONS
    plan = [(strategy, shared, 1, f"{strategy}, {shared} connections") for strategy in STRATEGIES if strategy != "random"]
    plan += [
        ("random", 1, 1, "random, 1 connection"),
        ("random", shared, 2, f"random, {shared} connections"),
        ("random", shared, 2, "random again (nothing changed)"),
    ]
    runs = []
    for strategy, connections, seed, label in plan:
        summary = apply_priorities(strategy, seed=seed, write_connections=connections)
        summary["label"] = label
        runs.append(summary)
        design = (
            f" (design step: {summary['design_picks']:,} picks from a pool of {summary['design_pool']:,}; "
            f"compute {summary['compute_seconds']:.2f} s)"
            if summary["design_picks"]
            else ""
        )
        print(f"  {summary['label']}: {summary['seconds']:.2f} s{design}", flush=True)
    return runs


def time_plain_update(sql: str) -> float:
    """One UPDATE with no join and no client, rolled back."""
    from django.db import connection, transaction

    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)
        transaction.set_rollback(True)
    return time.perf_counter() - started


FLOOR_SQL = "UPDATE datasets_queueentry SET priority = random()"
# The same rewrite of the wide image rows (the queue's old home): shuffle is in no index here,
# so this is what one column of the image table costs even before any queue index is touched.
WIDE_SQL = "UPDATE datasets_image SET shuffle = random() WHERE id IN (SELECT image_id FROM datasets_queueentry)"


def compare_with_bulk_update(subset: int) -> dict[str, float]:
    """Write `subset` priorities the naive Django way and through the COPY path, same images."""
    import numpy as np
    from django.db import transaction

    from ratings_site.datasets.models import QueueEntry
    from ratings_site.predictor.priorities import WRITE_CHUNK_ROWS, _write_postgresql

    ids = np.array(QueueEntry.objects.order_by("?").values_list("pk", flat=True)[:subset], dtype=np.int64)
    rng = np.random.default_rng(2)
    results: dict[str, float] = {}
    for batch_size in (None, 1000):
        priorities = dict(zip(ids.tolist(), rng.random(ids.size).tolist()))
        started = time.perf_counter()
        with transaction.atomic():
            entries = list(QueueEntry.objects.filter(pk__in=ids.tolist()).only("pk", "priority"))
            for entry in entries:
                entry.priority = priorities[entry.pk]
            loaded = time.perf_counter()
            QueueEntry.objects.bulk_update(entries, ["priority"], batch_size=batch_size)
        finished = time.perf_counter()
        label = f"bulk_update(batch_size={batch_size})"
        results[f"{label}, load + update"] = finished - started
        results[f"{label}, update only"] = finished - loaded
        print(f"  {label}: {finished - started:.2f} s", flush=True)
    started = time.perf_counter()
    with transaction.atomic():
        _write_postgresql(ids, rng.random(ids.size), WRITE_CHUNK_ROWS)
    results["COPY + UPDATE ... FROM"] = time.perf_counter() - started
    return results


def report(runs: list[dict], floor: float, wide: float, naive: dict[str, float], in_queue: int, subset: int) -> None:
    print(f"\n== apply_priorities over {in_queue:,} scored images in the queue (seconds) ==")
    width = max(len(run["label"]) for run in runs)
    print(f"{'strategy':{width}}  {'used':>11}  {'total':>6}  {'read':>6}  {'compute':>7}  {'write':>6}"
          f"  {'changed':>9}  {'images/s':>10}")
    for run in runs:
        print(
            f"{run['label']:{width}}  {run['strategy_used']:>11}  {run['seconds']:6.2f}  {run['read_seconds']:6.2f}"
            f"  {run['compute_seconds']:7.2f}  {run['write_seconds']:6.2f}  {run['updated']:9,}"
            f"  {run['scored'] / run['seconds']:10,.0f}"
        )
    print(f"The floor, {FLOOR_SQL} (rolled back): {floor:.2f} s, {in_queue / floor:,.0f} images/s")
    print(
        f"The same rewrite of the wide image rows, {WIDE_SQL} (rolled back): {wide:.2f} s, "
        f"{wide / floor:.1f}x the narrow table's"
    )
    one = next(run for run in runs if run["label"] == "random, 1 connection")
    shared = runs[-2]
    print(
        f"The write of `{shared['label']}` against `{one['label']}`: "
        f"{one['write_seconds'] / shared['write_seconds']:.2f}x as fast"
    )
    print(f"\n== Writing {subset:,} priorities, then extrapolated to {in_queue:,} (seconds) ==")
    width = max(len(name) for name in naive)
    print(f"{'':{width}}  {subset:>9,}  {in_queue:>10,}  {'vs COPY':>8}")
    copy_full = one["write_seconds"]
    for name, seconds in naive.items():
        extrapolated = seconds * in_queue / subset
        print(f"{name:{width}}  {seconds:9.3f}  {extrapolated:10.1f}  {extrapolated / copy_full:7.1f}x")
    print(
        f"(the 'vs COPY' column divides by the measured one-connection write of apply_priorities over all "
        f"{in_queue:,} images, {copy_full:.2f} s)"
    )


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    with bench_database(args):
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT version()")
            (version,) = cursor.fetchone()
            cursor.execute(
                "SELECT string_agg(name || '=' || current_setting(name), ', ') FROM unnest("
                "ARRAY['shared_buffers', 'work_mem', 'max_wal_size', 'synchronous_commit']) AS name"
            )
            (server_settings,) = cursor.fetchone()
        print(f"{version}\n{server_settings}")
        in_queue = fill(args.size)
        print("Timing apply_priorities...", flush=True)
        runs = time_strategies()
        floor = time_plain_update(FLOOR_SQL)
        print(f"  plain UPDATE of every queue entry (the floor): {floor:.2f} s", flush=True)
        wide = time_plain_update(WIDE_SQL)
        print(f"  the same UPDATE of the wide image rows: {wide:.2f} s", flush=True)
        print(f"Timing the naive bulk_update on {args.subset:,} images...", flush=True)
        naive = compare_with_bulk_update(args.subset)
        report(runs, floor, wide, naive, in_queue, args.subset)
    ENSEMBLE_FILE.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
