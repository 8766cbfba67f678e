"""Which images humans rate next: the predictor's scores turned into `QueueEntry.priority`.

The queue (ratings.selectors) serves the highest priority first and treats priorities within
QUEUE_PRIORITY_TOLERANCE of the best as equal, so priorities are normalised to [0, 1]
(1 = rate first). Strategies:

- `uncertainty`: the ensemble's disagreement (AestheticScore.uncertainty), spread by design.
  The images the bootstrap heads disagree on most (the top half of the queue, at most
  UNCERTAINTY_POOL) form a pool; a greedy design step (`design_order`) orders
  PRIORITY_UNCERTAINTY_PICKS of them, each the image the ensemble's training set (its X'X,
  stored in the ensemble file) and the earlier picks say least about, so that what raters see
  next covers different kinds of image instead of many of one disputed kind; those come first,
  then everything else by disagreement. Why both: five bootstrap heads estimate a linear
  head's variance noisily and pick the same region again and again (in
  benchmarks/active_learning_benchmark.py plain top-disagreement needed as many ratings as
  random order); the exact variance of the linear head orders well but knows nothing of what
  the heads cannot fit, which the disagreement shows. Before any ratings trained an ensemble (no
  uncertainty, or none above zero) it falls back to `stratified`.
- `stratified`: the predicted scores split into equal-width bands over the observed range, and
  the bands interleaved round-robin: the k-th image of every band (in random order inside the
  band) gets the same priority, so raters see the whole range rather than mostly mediocre images.
- `score`: the highest predicted score first.
- `random`: uniform.

An image whose score (or, for `uncertainty`, disagreement) is not a finite number gets 0.

`compute_priorities` is numpy only (no torch, no database); `apply_priorities` reads the
current version's scores of the images still in the queue and writes the priorities in bulk:
on PostgreSQL an unlogged work table filled by binary COPY, then UPDATE ... FROM it in chunks
of WRITE_CHUNK_ROWS ids, each its own transaction, shared among PRIORITY_WRITE_CONNECTIONS
connections; elsewhere executemany in the same chunks. Only queue entries are written (a narrow
table with the queue's indexes alone): images that have all their ratings have no entry, hence
no priority.

Prompt groups (bestof.PromptGroup, the best-of queue) take the highest queue priority among their images once
the images' are written (bestof.priorities.apply_group_priorities, which says why).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, OuterRef

from ratings_site.bestof.priorities import apply_group_priorities
from ratings_site.datasets.models import Dataset, QueueEntry
from ratings_site.predictor.embeddings import load_embeddings
from ratings_site.predictor.models import AestheticScore, PredictorVersion
from ratings_site.predictor.versions import clip_key

DESIGN_GRAM_KEY = "design.gram"  # where an ensemble file keeps its training design (heads.save_ensemble)

STRATEGIES = ("uncertainty", "stratified", "score", "random")
COPY_CHUNK_ROWS = 262_144
WRITE_CHUNK_ROWS = 50_000  # rows updated per transaction: ratings wait at most one chunk
UNCERTAINTY_POOL = 10_000  # most images the design step chooses among (their embeddings are read)
UNCERTAINTY_POOL_FRACTION = 0.5  # ... and at most this share of the queue, the most disputed
UNCERTAINTY_PICKS = 500  # images ordered by the design step; the rest follow by disagreement
DESIGN_RIDGE = 1.0  # prior precision of the head's weights, in units of the rater noise

# One row of PostgreSQL's binary COPY format for (bigint, double precision): a field count,
# then each field's byte length and big-endian value.
_COPY_ROW = np.dtype(
    [("fields", ">i2"), ("id_len", ">i4"), ("id", ">i8"), ("priority_len", ">i4"), ("priority", ">f8")]
)
_COPY_HEADER = b"PGCOPY\n\xff\r\n\x00" + (0).to_bytes(4, "big") + (0).to_bytes(4, "big")
_COPY_TRAILER = (-1).to_bytes(2, "big", signed=True)


class PrioritisationError(Exception):
    """Priorities cannot be computed: no current predictor version, or it scored nothing yet."""


def rank_normalise(values: np.ndarray) -> np.ndarray:
    """Ranks scaled to [0, 1] (the largest value gets 1); ties share their average rank; NaN gets 0."""
    values = np.asarray(values, dtype=np.float64)
    result = np.zeros(values.shape, dtype=np.float64)
    finite = np.flatnonzero(np.isfinite(values))
    count = finite.size
    if count == 0:
        return result
    if count == 1:
        result[finite] = 1.0
        return result
    order = finite[np.argsort(values[finite], kind="stable")]
    ordered = values[order]
    # Each run of equal values gets the mean of the positions it spans.
    starts = np.r_[True, ordered[1:] != ordered[:-1]]
    run_start = np.flatnonzero(starts)
    run_end = np.r_[run_start[1:], count] - 1
    run_of = np.cumsum(starts) - 1
    average = (run_start[run_of] + run_end[run_of]) / 2.0
    result[order] = average / (count - 1)
    return result


def strategy_used(strategy: str, uncertainty: np.ndarray | None) -> str:
    """The strategy compute_priorities applies: `uncertainty` needs some disagreement above zero."""
    if strategy not in STRATEGIES:
        raise ValueError(f"Unknown priority strategy {strategy!r}; choose one of {', '.join(STRATEGIES)}")
    if strategy == "uncertainty":
        if uncertainty is None:
            return "stratified"
        values = np.asarray(uncertainty, dtype=np.float64)
        if not np.any(np.isfinite(values) & (values > 0)):
            return "stratified"
    return strategy


def stratified_priorities(scores: np.ndarray, *, rng: np.random.Generator, bands: int = 10) -> np.ndarray:
    """Round-robin over equal-width score bands: the k-th image of each band gets 1 - k / (longest band - 1)."""
    if bands < 1:
        raise ValueError("bands must be at least 1")
    scores = np.asarray(scores, dtype=np.float64)
    result = np.zeros(scores.shape, dtype=np.float64)
    finite = np.flatnonzero(np.isfinite(scores))
    if finite.size == 0:
        return result
    values = scores[finite]
    low, high = values.min(), values.max()
    if high > low:
        band = np.minimum(((values - low) / (high - low) * bands).astype(np.int64), bands - 1)
    else:
        band = np.zeros(values.size, dtype=np.int64)
    # Sort by band, randomly inside each band; an image's level is its position inside its band.
    order = np.lexsort((rng.random(values.size), band))
    sizes = np.bincount(band, minlength=bands)
    band_start = np.r_[0, np.cumsum(sizes)[:-1]]
    level = np.empty(values.size, dtype=np.int64)
    level[order] = np.arange(values.size) - band_start[band[order]]
    longest = int(sizes.max())
    result[finite] = 1.0 - level / (longest - 1) if longest > 1 else 1.0
    return result


def design_order(
    embeddings: np.ndarray, gram: np.ndarray | None, picks: int, *, ridge: float = DESIGN_RIDGE
) -> np.ndarray:
    """Greedy batch design: `picks` row indices of `embeddings`, each the most informative given the rest.

    The head is linear in the embedding (the published layout has no activation), so what
    rating image i teaches it is measured by its posterior variance under a ridge prior: with
    A = gram + ridge * I over the embeddings with a bias feature appended (`gram`: what the
    ensemble was trained on, or None) and rater noise 1, var_i = x_i' A^-1 x_i. Each pick is the
    image of highest variance; picking it conditions every other image on it (a Kalman update:
    var_i -= cov_ij^2 / (var_j + 1)), so the next pick is not a near-copy of this one.

    Numpy only; cost O(M d picks + M picks^2 / 2) for M embeddings of size d: about 2 s for
    10 k x 1024 with 500 picks on one core.
    """
    x = np.asarray(embeddings, dtype=np.float64)
    if x.ndim != 2:
        raise ValueError("embeddings must be a 2-d array")
    m, d = x.shape
    picks = max(0, min(int(picks), m))
    features = _with_bias(x)
    a = ridge * np.eye(d + 1)
    if gram is not None:
        if np.shape(gram) != (d + 1, d + 1):
            raise ValueError(f"the design's Gram matrix must be {(d + 1, d + 1)} for {d}-d embeddings")
        a += gram
    # Whiten once: z_i . z_j = x_i' A^-1 x_j, then every step is a pass over the rows.
    whiten = np.linalg.inv(np.linalg.cholesky(a)).T.astype(np.float32)  # (L^-1)' for A = L L'
    z = features.astype(np.float32) @ whiten
    variance = np.einsum("ij,ij->i", z, z).astype(np.float64)
    updates = np.empty((picks, m), dtype=np.float32)
    chosen = np.empty(picks, dtype=np.int64)
    for k in range(picks):
        j = int(np.argmax(variance))
        chosen[k] = j
        covariance = z @ z[j]
        if k:
            covariance -= updates[:k, j] @ updates[:k]
        updates[k] = covariance / np.sqrt(1.0 + variance[j])
        variance -= updates[k].astype(np.float64) ** 2
        variance[chosen[: k + 1]] = -np.inf
    return chosen


def design_gram(embeddings: np.ndarray) -> np.ndarray:
    """X'X of the embeddings with a bias feature appended: what design_order conditions on."""
    features = _with_bias(np.asarray(embeddings, dtype=np.float64))
    return features.T @ features


def _with_bias(x: np.ndarray) -> np.ndarray:
    """The embeddings (float64, 2-d) with a constant 1 appended to each: the head's bias as a feature."""
    features = np.empty((x.shape[0], x.shape[1] + 1))
    features[:, :-1], features[:, -1] = x, 1.0
    return features


def uncertainty_priorities(
    uncertainty: np.ndarray,
    embeddings_for: Callable[[np.ndarray], np.ndarray | None] | None = None,
    *,
    gram: np.ndarray | None = None,
    pool: int = UNCERTAINTY_POOL,
    pool_fraction: float = UNCERTAINTY_POOL_FRACTION,
    picks: int = UNCERTAINTY_PICKS,
) -> np.ndarray:
    """The ensemble's disagreement, spread by design: priorities in [0, 1], 1 = rate first.

    The images the heads disagree on most form a pool (the top `pool_fraction` of the queue,
    at most `pool` images); `design_order` picks `picks` of them in turn, each the most
    informative given the ensemble's training set and the earlier picks, so that a batch of
    top-priority images covers different directions instead of repeating one uncertain kind.
    Those come first, in pick order, then everything else by disagreement. Without
    `embeddings_for` (or when it returns None) the order is the disagreement alone.
    """
    values = np.asarray(uncertainty, dtype=np.float64)
    base = rank_normalise(values)
    finite = np.flatnonzero(np.isfinite(values))
    size = min(finite.size, pool, max(picks, int(np.ceil(finite.size * pool_fraction))))
    if embeddings_for is None or picks <= 0 or size == 0:
        return base
    members = finite[np.argsort(-values[finite], kind="stable")[:size]]
    embeddings = embeddings_for(members)
    if embeddings is None:
        return base
    first = members[design_order(embeddings, gram, picks)]
    # Picks first (in pick order), then the rest by disagreement: one rank per image.
    key = base.copy()
    key[first] = 2.0 + np.linspace(1.0, 0.0, first.size, endpoint=False)
    return rank_normalise(np.where(np.isfinite(values), key, np.nan))


def compute_priorities(
    strategy: str,
    scores: np.ndarray,
    uncertainty: np.ndarray | None,
    *,
    rng: np.random.Generator,
    bands: int = 10,
    embeddings_for: Callable[[np.ndarray], np.ndarray | None] | None = None,
    gram: np.ndarray | None = None,
    picks: int = UNCERTAINTY_PICKS,
    pool_fraction: float = UNCERTAINTY_POOL_FRACTION,
) -> np.ndarray:
    """Priorities in [0, 1] (1 = rate first), one per score, for the given strategy.

    For `uncertainty`, `embeddings_for(indices)` returns the embeddings of those images (rows
    in the order given) and `gram` the ensemble's training design: see uncertainty_priorities.
    """
    scores = np.asarray(scores, dtype=np.float64)
    if uncertainty is not None and np.shape(uncertainty) != scores.shape:
        raise ValueError("scores and uncertainty must have the same shape")
    used = strategy_used(strategy, uncertainty)
    if used == "uncertainty":
        return uncertainty_priorities(uncertainty, embeddings_for, gram=gram, picks=picks, pool_fraction=pool_fraction)
    if used == "stratified":
        return stratified_priorities(scores, rng=rng, bands=bands)
    if used == "score":
        return rank_normalise(scores)
    return rng.random(scores.shape)


def _read_scores(version: PredictorVersion, dataset: Dataset | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(image ids, scores, uncertainties with NaN for none) of the version's scores of images in the queue."""
    entries = QueueEntry.objects.filter(image_id=OuterRef("image_id"))
    if dataset is not None:
        entries = entries.filter(dataset=dataset)
    rows = AestheticScore.objects.filter(Exists(entries), version=version)
    values = rows.order_by().values_list("image_id", "score", "uncertainty")
    # The queryset's own SQL, fetched in one go: no per-row ORM objects, no per-row converters.
    sql, params = values.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        fetched = cursor.fetchall()
    if not fetched:
        return np.empty(0, dtype=np.int64), np.empty(0), np.empty(0)
    table = np.array(fetched, dtype=np.float64)  # None (no uncertainty) becomes NaN
    ids = np.array([row[0] for row in fetched], dtype=np.int64)  # exact, whatever the id's size
    # In id order (sorted here, not by the database): the rows come back in whatever order the
    # table's pages hold them, which every rewrite changes, and a seeded strategy must give each
    # image the same priority again.
    order = np.argsort(ids, kind="stable")
    return ids[order], table[order, 1], table[order, 2]


def _ensemble_gram(version: PredictorVersion) -> np.ndarray | None:
    """The design stored with the version's ensemble (None for ensembles saved without one)."""
    from safetensors import safe_open  # numpy only: no torch in this module

    if not version.ensemble_file or not Path(version.ensemble_file).is_file():
        return None
    with safe_open(version.ensemble_file, framework="np") as stored:
        return stored.get_tensor(DESIGN_GRAM_KEY) if DESIGN_GRAM_KEY in stored.keys() else None  # noqa: SIM118 (not a dict)


def _embedding_loader(version: PredictorVersion, ids: np.ndarray, gram: np.ndarray | None, pool: dict[str, int]):
    """embeddings_for(rows) for uncertainty_priorities: the stored embeddings of ids[rows], in that order.

    An image without a stored embedding gets a zero row, which the design step ranks last.
    Returns None (disagreement alone) when no embedding of the pool is stored or their size does
    not match the ensemble's design. `pool["size"]` is set to the pool's size when embeddings were found.
    """
    key = clip_key(version.clip_model, version.clip_pretrained)

    def embeddings_for(rows: np.ndarray) -> np.ndarray | None:
        wanted = ids[rows]
        order = np.argsort(wanted)
        found, vectors = load_embeddings(key, wanted[order])
        if found.size == 0 or (gram is not None and gram.shape[0] != vectors.shape[1] + 1):
            return None
        result = np.zeros((wanted.size, vectors.shape[1]), dtype=np.float32)
        result[order[np.searchsorted(wanted[order], found)]] = vectors
        pool["size"] = int(wanted.size)
        return result

    return embeddings_for


def _chunks(ids: np.ndarray, size: int) -> list[tuple[int, int]]:
    """(first id, last id) of consecutive runs of `size` sorted ids."""
    ordered = np.sort(ids)
    return [
        (int(ordered[start]), int(ordered[min(start + size, ordered.size) - 1]))
        for start in range(0, ordered.size, size)
    ]


def _write_postgresql(ids: np.ndarray, priorities: np.ndarray, chunk_rows: int, connections: int = 1) -> int:
    """COPY the new priorities into a work table, then UPDATE ... FROM it one id range at a time.

    Each range commits on its own (when no outer transaction is open), so a rating never waits
    for the whole queue to be rewritten: rows stay locked for one chunk's update only. With
    `connections` > 1 (and no outer transaction, whose rows other connections could not see) the
    ranges are shared out among that many connections working at once: the rewrite is bound by
    the server's CPU (a new row version and three index entries per image), so it scales with
    the server's cores. The work table is UNLOGGED (no WAL) rather than TEMPORARY so that those
    connections can read it; it is dropped at the end.
    """
    rows = np.empty(ids.size, dtype=_COPY_ROW)
    rows["fields"] = 2
    rows["id_len"] = 8
    rows["id"] = ids
    rows["priority_len"] = 8
    rows["priority"] = priorities
    work = f"priority_update_{uuid.uuid4().hex[:16]}"
    ranges = _chunks(ids, chunk_rows)
    connections = 1 if connection.in_atomic_block else max(1, min(connections, len(ranges)))
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE UNLOGGED TABLE {work} (image_id bigint, priority double precision)")
        try:
            with cursor.cursor.copy(f"COPY {work} (image_id, priority) FROM STDIN (FORMAT BINARY)") as copy:
                copy.write(_COPY_HEADER)
                for start in range(0, rows.size, COPY_CHUNK_ROWS):
                    copy.write(rows[start : start + COPY_CHUNK_ROWS].tobytes())
                copy.write(_COPY_TRAILER)
            cursor.execute(f"CREATE INDEX ON {work} (image_id)")
            cursor.execute(f"ANALYZE {work}")
            if connections == 1:
                return _update_ranges(work, ranges)
            with ThreadPoolExecutor(connections, thread_name_prefix="priorities") as pool:
                shares = [ranges[i::connections] for i in range(connections)]
                return sum(pool.map(partial(_update_ranges, work, own_connection=True), shares))
        finally:
            cursor.execute(f"DROP TABLE IF EXISTS {work}")


def _update_ranges(work: str, ranges: list[tuple[int, int]], *, own_connection: bool = False) -> int:
    """UPDATE the queue entries of each id range from the work table, a transaction per range."""
    table = connection.ops.quote_name(QueueEntry._meta.db_table)
    updated = 0
    try:
        with connection.cursor() as cursor:
            for low, high in ranges:
                with transaction.atomic():
                    cursor.execute(
                        f"UPDATE {table} AS entry SET priority = new.priority FROM {work} AS new "
                        "WHERE entry.image_id = new.image_id AND new.image_id BETWEEN %s AND %s "
                        "AND entry.priority IS DISTINCT FROM new.priority",
                        [low, high],
                    )
                    updated += cursor.rowcount
    finally:
        if own_connection:  # a worker thread's connection is its own: close it
            connection.close()
    return updated


def _write_executemany(ids: np.ndarray, priorities: np.ndarray, chunk_rows: int) -> int:
    table = connection.ops.quote_name(QueueEntry._meta.db_table)
    updated = 0
    with connection.cursor() as cursor:
        for start in range(0, ids.size, chunk_rows):
            chunk = zip(priorities[start : start + chunk_rows].tolist(), ids[start : start + chunk_rows].tolist())
            with transaction.atomic():
                cursor.executemany(
                    f"UPDATE {table} SET priority = %s WHERE image_id = %s AND priority <> %s",
                    [(priority, image_id, priority) for priority, image_id in chunk],
                )
                updated += cursor.rowcount
    return updated


def apply_priorities(
    strategy: str | None = None,
    *,
    version: PredictorVersion | None = None,
    dataset: Dataset | None = None,
    seed: int | None = None,
    bands: int = 10,
    chunk_rows: int = WRITE_CHUNK_ROWS,
    picks: int | None = None,
    write_connections: int | None = None,
) -> dict[str, Any]:
    """Recompute the queue's priorities from the current (or given) version's scores; returns a summary.

    Images in the queue with a score of this version get a priority in [0, 1]; images in the
    queue without one keep theirs; images out of the queue (they have all their ratings, or a
    moderator took them out) have no queue entry and no priority. With `dataset`, only that
    dataset's images change.
    """
    started = time.perf_counter()
    picks = settings.PRIORITY_UNCERTAINTY_PICKS if picks is None else picks
    strategy = strategy or settings.PRIORITY_STRATEGY
    if strategy not in STRATEGIES:
        raise ValueError(f"Unknown priority strategy {strategy!r}; choose one of {', '.join(STRATEGIES)}")
    version = version or PredictorVersion.current()
    if version is None:
        raise PrioritisationError("There is no current predictor version: run predict_aesthetics first.")
    if not AestheticScore.objects.filter(version=version).exists():
        raise PrioritisationError(f"Predictor version {version} has scored no image yet: run predict_aesthetics.")

    ids, scores, uncertainty = _read_scores(version, dataset)
    read_done = time.perf_counter()
    used = strategy_used(strategy, uncertainty)
    extra: dict[str, Any] = {}
    pool = {"size": 0}
    if used == "uncertainty":
        gram = _ensemble_gram(version)
        extra = {"gram": gram, "embeddings_for": _embedding_loader(version, ids, gram, pool), "picks": picks}
    priorities = compute_priorities(used, scores, uncertainty, rng=np.random.default_rng(seed), bands=bands, **extra)
    compute_done = time.perf_counter()

    if ids.size == 0:
        updated = 0
    elif connection.vendor == "postgresql":
        connections = settings.PRIORITY_WRITE_CONNECTIONS if write_connections is None else write_connections
        updated = _write_postgresql(ids, priorities, chunk_rows, connections)
    else:
        updated = _write_executemany(ids, priorities, chunk_rows)
    groups_updated = apply_group_priorities(dataset=dataset)
    finished = time.perf_counter()
    return {
        "strategy": strategy,
        "strategy_used": used,
        "version": version.name,
        "dataset": dataset.slug if dataset is not None else None,
        "scored": int(ids.size),
        "updated": int(updated),
        "groups_updated": int(groups_updated),  # prompt groups whose priority changed
        "seconds": round(finished - started, 3),
        "read_seconds": round(read_done - started, 3),
        "compute_seconds": round(compute_done - read_done, 3),
        "write_seconds": round(finished - compute_done, 3),
        "design_pool": pool["size"],  # `uncertainty`: images the design step chose among (0: none)
        "design_picks": min(picks, pool["size"]),
    }


def describe(summary: dict[str, Any]) -> str:
    """apply_priorities' summary as the commands print it."""
    fallback = (
        f" (fell back from {summary['strategy']}: no ensemble disagreement yet)"
        if summary["strategy_used"] != summary["strategy"]
        else ""
    )
    design = (
        f" The design step ordered the first {summary['design_picks']:,} of the {summary['design_pool']:,} "
        "most disputed images."
        if summary["design_picks"]
        else ""
    )
    return (
        f"Strategy {summary['strategy_used']}{fallback}, predictor version {summary['version']}"
        + (f", dataset {summary['dataset']}" if summary["dataset"] else "")
        + f": {summary['scored']:,} scored images in the queue, {summary['updated']:,} priorities changed, "
        f"{summary.get('groups_updated', 0):,} prompt groups' priorities changed, "
        f"in {summary['seconds']:.2f} s "
        f"(read {summary['read_seconds']:.2f} s, compute {summary['compute_seconds']:.2f} s, "
        f"write {summary['write_seconds']:.2f} s)." + design
    )
