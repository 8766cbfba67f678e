"""Writing the open dataset: `export_dataset` writes ratings, generations and pairs as parquet, a dataset card and
a manifest, into EXPORT_DIR (or an increment folder), without ever showing a download a half-written file.

Each file is streamed from one query over a server-side cursor (`iterator(chunk_size=...)` over `values_list`,
every column joined in, the rater's reliability weight too: no query per row; the raters' tags in one query per
batch) into a pyarrow ParquetWriter, one row group per batch, so memory stays flat however many ratings there are.
The files are written in a temporary folder inside the target folder and then moved into place with os.replace,
the manifest last.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import hmac
import itertools
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from datetime import time as clock_time
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import pyarrow as pa
import pyarrow.parquet as pq
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.models import Count, Exists, FilteredRelation, IntegerField, OuterRef, Q
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone

from ratings_site.bestof.models import ImagePreference
from ratings_site.datasets.models import Dataset
from ratings_site.exports import columns as cols
from ratings_site.exports.card import render_card
from ratings_site.exports.manifest import MANIFEST_NAME
from ratings_site.generations.models import GenerationImage, GenerationRating, Preference
from ratings_site.predictor.models import PredictorVersion
from ratings_site.raters.models import ANONYMOUS_HORDE_ID
from ratings_site.raters.standing import counting_raters
from ratings_site.ratings.counting import counted
from ratings_site.ratings.models import CaptchaAnswer, RaterTag, Rating
from ratings_site.ratings.services import left_checks

BATCH_ROWS = 50_000
DEFAULT_BASE_URL = "http://127.0.0.1:8000"
INCREMENTS_DIR = "increments"
CARD_NAME = "README.md"

_ARROW_TYPES = {
    "string": pa.string(),
    "int16": pa.int16(),
    "int32": pa.int32(),
    "int64": pa.int64(),
    "double": pa.float64(),
    "bool": pa.bool_(),
    "timestamp[us, tz=UTC]": pa.timestamp("us", tz="UTC"),
    "list<element: string>": pa.list_(pa.field("element", pa.string())),
}


def arrow_schema(columns: list[cols.Column]) -> pa.Schema:
    return pa.schema([pa.field(c.name, _ARROW_TYPES[c.type], nullable=c.nullable) for c in columns])


def hashed_user_id(horde_id: int | None, rater_pk: int) -> str:
    """The rater as the export names them: HMAC-SHA256 of the Horde id keyed with EXPORT_SALT (hex).

    Anonymous raters all hash 0; a local account (no Horde id) hashes `local:<pk>`. Never the raw id.
    """
    subject = str(horde_id) if horde_id is not None else f"local:{rater_pk}"
    return hmac.new(settings.EXPORT_SALT.encode(), subject.encode(), hashlib.sha256).hexdigest()


def default_base_url() -> str:
    return getattr(settings, "SITE_URL", None) or os.environ.get("SITE_URL") or DEFAULT_BASE_URL


def increment_name(since: datetime) -> str:
    """The folder name of an increment: its date, with the time when it does not start at midnight UTC."""
    since = since.astimezone(UTC)
    return since.strftime("%Y-%m-%d") if since.time() == clock_time(0) else since.strftime("%Y-%m-%dT%H%M%SZ")


@dataclass
class ExportSummary:
    directory: Path
    rows: dict[str, int]
    seconds: float
    manifest: dict[str, Any]


# Who may appear in the export: the raters whose ratings count (raters.standing). A generation set may have no
# rater yet.
RATER_MAY_APPEAR = counting_raters("rater__")


def _image_may_appear(image: str) -> Q:
    """A dataset image that may be published, through the relation `image` (e.g. "image", "winner"): of a public
    dataset (a dataset made non-public leaves the export with all its ratings and picks), not a captcha (a check
    image stays out even in a public dataset; the captcha pool itself is never public), not hidden."""
    return Q(**{f"{image}__dataset__public": True, f"{image}__is_captcha": False, f"{image}__hidden": False})


def account_age_bucket(seconds: int | None) -> int:
    """The published account_age: the lower bound, in seconds, of the step of `ACCOUNT_AGE_BUCKETS` that the
    rater's Horde account age falls in. Exact seconds, beside the hashed user_id and exact timestamps, would
    narrow the hash to a few Horde accounts. An age below 0 (never sent by the Horde) counts as 0."""
    seconds = max(int(seconds or 0), 0)
    return max(bound for bound, _ in cols.ACCOUNT_AGE_BUCKETS if bound <= seconds)


def ratings_to_export(since: datetime | None = None):
    """Ratings that count (ratings.counting: not invalidated, their rater in good standing) of images that may be
    published, oldest first."""
    ratings = counted().filter(_image_may_appear("image"))
    if since is not None:
        ratings = ratings.filter(created_at__gte=since)
    return ratings.order_by("pk")


def diffusiondb_ratings_to_export(since: datetime | None = None):
    """The ratings of diffusiondb_export.parquet: those of `ratings_to_export` whose image was imported from
    DiffusionDB's metadata (its source row keeps DiffusionDB's `image_name` and `part_id`)."""
    return ratings_to_export(since).filter(image__source__has_keys=["image_name", "part_id"])


def _generation_ratings_to_export(since: datetime | None):
    set_rater_may_appear = Q(image__generation_set__rater__isnull=True) | counting_raters(
        "image__generation_set__rater__"
    )
    ratings = GenerationRating.objects.filter(set_rater_may_appear, image__generation_set__rated_at__isnull=False)
    if since is not None:
        ratings = ratings.filter(image__generation_set__rated_at__gte=since)
    return ratings.order_by("pk")


def _generation_pairs_to_export(since: datetime | None):
    may_appear = Q(rater__isnull=True) | RATER_MAY_APPEAR
    set_may_appear = Q(generation_set__rater__isnull=True) | counting_raters("generation_set__rater__")
    pairs = Preference.objects.filter(may_appear, set_may_appear, generation_set__rated_at__isnull=False)
    if since is not None:
        pairs = pairs.filter(created_at__gte=since)
    return pairs.order_by("pk")


def _best_of_pairs_to_export(since: datetime | None):
    pairs = ImagePreference.objects.filter(RATER_MAY_APPEAR, _image_may_appear("winner"), _image_may_appear("loser"))
    if since is not None:
        pairs = pairs.filter(created_at__gte=since)
    return pairs.order_by("pk")


def dataset_agreement() -> list[dict[str, Any]]:
    """Each public dataset's agreement (reliability.models.DatasetAgreement) for the manifest and the card, by slug:
    Krippendorff's alpha of its counted ratings (interval metric) and artifacts (ordinal metric), null while not
    computed, and how many of its images have two counted ratings or more (what alpha is measured on). One query."""
    rows = (
        Dataset.objects.filter(public=True)
        .order_by("slug")
        .values_list(
            "slug",
            "agreement__rating_alpha",
            "agreement__artifacts_alpha",
            "agreement__ratings_per_image",
            "agreement__computed_at",
        )
    )
    return [
        {
            "dataset": slug,
            "rating_alpha": rating_alpha,
            "artifacts_alpha": artifacts_alpha,
            "images_rated_twice_or_more": sum((ratings_per_image or [])[1:]) if computed_at else None,
            "computed_at": computed_at.astimezone(UTC).isoformat() if computed_at else None,
        }
        for slug, rating_alpha, artifacts_alpha, ratings_per_image, computed_at in rows
    ]


def rows_to_export(since: datetime | None = None) -> int:
    """How many rows the files will have (for a progress bar's total)."""
    return (
        ratings_to_export(since).count()
        + diffusiondb_ratings_to_export(since).count()
        + _generation_ratings_to_export(since).count()
        + _generation_pairs_to_export(since).count()
        + _best_of_pairs_to_export(since).count()
    )


_TAG_ORDER = {value: n for n, (value, _) in enumerate(cols.TAGS)}
_NO_TAGS: list[str] = []  # shared by every untagged row (read only): no empty list allocated per row


def _batches(rows: Iterable[tuple], size: int) -> Iterator[list[tuple]]:
    iterator = iter(rows)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


class _Exporter:
    def __init__(self, *, since: datetime | None, base_url: str, batch_rows: int, progress: Callable[[int], None]):
        self.since = since
        self.base_url = base_url
        self.batch_rows = batch_rows
        self.progress = progress
        self._user_ids: dict[int, str | None] = {}
        self._captchas_failed: dict[int, int] = {}

    # Shared helpers ---------------------------------------------------------------------------------------------

    def user_id(self, rater_pk: int | None, horde_id: int | None) -> str | None:
        if rater_pk is None:
            return None
        if rater_pk not in self._user_ids:
            self._user_ids[rater_pk] = hashed_user_id(horde_id, rater_pk)
        return self._user_ids[rater_pk]

    def media_url(self, name: str) -> str:
        return urljoin(self.base_url, default_storage.url(name))

    def rows(self, queryset, fields: list[str]) -> Iterator[list[tuple]]:
        """The queryset's `fields` in batches, read through one server-side cursor."""
        return _batches(
            queryset.values_list(*fields).iterator(chunk_size=min(self.batch_rows, 10_000)), self.batch_rows
        )

    def captchas_failed(self, rater_pks: set[int]) -> dict[int, int]:
        """Missed checks of these raters (failed answers, and checks served and left unanswered): two grouped queries
        per batch, for raters not seen before."""
        unknown = sorted(rater_pks - self._captchas_failed.keys())
        # SQLite takes at most 999 parameters in old builds: a batch with more new raters asks in slices.
        for start in range(0, len(unknown), 900):
            part = unknown[start : start + 900]
            self._captchas_failed.update(dict.fromkeys(part, 0))
            counts = (
                CaptchaAnswer.objects.filter(rater_id__in=part, passed=False)
                .values_list("rater_id")
                .annotate(failed=Count("pk"))
                .order_by()
            )
            self._captchas_failed.update(counts)
            # Served and left unanswered: missed too.
            for rater_id, unanswered in (
                left_checks(rater_id__in=part).values_list("rater_id").annotate(unanswered=Count("pk")).order_by()
            ):
                self._captchas_failed[rater_id] += unanswered
        return self._captchas_failed

    def rater_tags(self, rating_pks: list[int]) -> dict[tuple[int, int], list[str]]:
        """The tags (ratings.models.RaterTag) that each rater put on each image, by (rater pk, image pk), of the
        ratings whose pks lie between this batch's first and last: one query per batch, whatever its length (the
        batch's ratings are read in pk order; the caller keeps the pairs of its own rows). Tags in TAGS' order."""
        if not rating_pks:
            return {}
        rated_in_batch = Rating.objects.filter(
            pk__gte=min(rating_pks),
            pk__lte=max(rating_pks),
            rater_id=OuterRef("rater_id"),
            image_id=OuterRef("image_id"),
        )
        tags: dict[tuple[int, int], list[str]] = {}
        for rater_pk, image_pk, tag in (
            RaterTag.objects.filter(Exists(rated_in_batch)).values_list("rater_id", "image_id", "tag").order_by()
        ):
            tags.setdefault((rater_pk, image_pk), []).append(tag)
        for given in tags.values():
            given.sort(key=lambda tag: _TAG_ORDER.get(tag, len(_TAG_ORDER)))
        return tags

    # The files ---------------------------------------------------------------------------------------------

    # The AI Horde's own export columns (id ... country), shared by ratings.parquet and diffusiondb_export.parquet:
    # the values they are made of, read in this order ahead of each file's own fields.
    HORDE_FIELDS = [
        "image__ratings_count",
        "rating",
        "reward__amount",
        "rater_kudos",
        "rater__account_age",
        "created_at",
        "client_agent",
        "artifacts",
        "rater_id",
        "rater__horde_id",
        "rater__trusted",
    ]

    def horde_columns(self, image_ids: list[str], horde_values: list[tuple]) -> dict[str, list]:
        """The Horde export's columns (`id` ... `country`) of one batch, from `HORDE_FIELDS`' values (one tuple each)
        and the images' ids as the file names them; `reward` and `rater_kudos` for the file to place."""
        (ratings_count, rating, amount, rater_kudos, account_age, created_at, client_agent, artifacts, rater_pk,
         horde_id, trusted) = zip(*horde_values)  # fmt: skip
        failed = self.captchas_failed(set(rater_pk))
        count = len(horde_values)
        anonymous = [h == ANONYMOUS_HORDE_ID for h in horde_id]
        return {
            "id": image_ids,
            "ratings_count": list(ratings_count),
            "rating": list(rating),
            "reward": [cols.ANONYMOUS_KUDOS if anon else (a or 0) for anon, a in zip(anonymous, amount)],
            "rater_kudos": [cols.ANONYMOUS_KUDOS if anon else k for anon, k in zip(anonymous, rater_kudos)],
            "account_age": [account_age_bucket(age) for age in account_age],
            "usage_requests": [None] * count,
            "created_at": list(created_at),
            "client_agent": list(client_agent),
            "artifacts": list(artifacts),
            "user_id": [self.user_id(r, h) for r, h in zip(rater_pk, horde_id)],
            "trusted": list(trusted),
            "validated": [False] * count,
            "captchas_failed": [failed[r] for r in rater_pk],
            "country": [None] * count,
        }

    def rating_batches(self) -> Iterator[dict[str, list]]:
        current = PredictorVersion.current()
        queryset = ratings_to_export(self.since)
        score_field: list[str] = []
        if current is not None:
            queryset = queryset.annotate(
                current_score=FilteredRelation(
                    "image__aesthetic_scores", condition=Q(image__aesthetic_scores__version_id=current.pk)
                )
            )
            score_field = ["current_score__score"]
        # The image's tag counts are read out of its JSON by the database (a missing key is 0): no JSON decoded per
        # row in Python.
        tag_counts = {
            f"tag_{value}": Coalesce(Cast(KeyTextTransform(value, "image__tag_counts"), IntegerField()), 0)
            for value, _ in cols.TAGS
        }
        queryset = queryset.annotate(**tag_counts)
        # The rater's weight is joined in (a LEFT JOIN: null for raters without a RaterWeight row); their tags come
        # from one query per batch (rater_tags).
        own = [
            "pk",
            "image_id",
            "rater__reliability__weight",
            *tag_counts,
            "image__public_id",
            "image__file",
            "image__url",
            "image__caption",
            "image__dataset__slug",
            *score_field,
        ]
        width = len(self.HORDE_FIELDS)
        rater_at = self.HORDE_FIELDS.index("rater_id")
        for batch in self.rows(queryset, [*self.HORDE_FIELDS, *own]):
            rating_pk, image_pk, weight, *rest = zip(*(row[width:] for row in batch))
            counts, (public_id, file, url, caption, dataset, *score) = rest[: len(tag_counts)], rest[len(tag_counts) :]
            columns = self.horde_columns([str(p) for p in public_id], [row[:width] for row in batch])
            scores = list(score[0]) if score else [None] * len(batch)
            tags = self.rater_tags(list(rating_pk))
            rater_pk = [row[rater_at] for row in batch]
            # ratings.parquet's `kudos` is the reward this site paid (it always was); the rater's own is rater_kudos.
            columns["kudos"] = columns.pop("reward")
            yield {
                **columns,
                "image_url": [self.media_url(f) if f else u for f, u in zip(file, url)],
                "caption": list(caption),
                "dataset": list(dataset),
                "predicted_score": scores,
                "predictor_version": [current.name if s is not None else None for s in scores]
                if current is not None
                else [None] * len(batch),
                "rater_weight": list(weight),
                "tags": [tags.get(pair, _NO_TAGS) for pair in zip(rater_pk, image_pk)],
                **{name: list(values) for name, values in zip(tag_counts, counts)},
            }
            self.progress(len(batch))

    def diffusiondb_batches(self) -> Iterator[dict[str, list]]:
        """diffusiondb_export.parquet: the Horde's own file, for ratings of images imported from DiffusionDB. `id`
        is DiffusionDB's image file name without its extension; `kudos` the rater's Horde kudos when rating."""
        queryset = diffusiondb_ratings_to_export(self.since).annotate(
            image_name=KeyTextTransform("image_name", "image__source")
        )
        width = len(self.HORDE_FIELDS)
        for batch in self.rows(queryset, [*self.HORDE_FIELDS, "image_name"]):
            columns = self.horde_columns(
                [os.path.splitext(str(row[width]))[0] for row in batch], [row[:width] for row in batch]
            )
            columns.pop("reward")
            columns["kudos"] = columns.pop("rater_kudos")
            yield columns
            self.progress(len(batch))

    def generation_batches(self) -> Iterator[dict[str, list]]:
        fields = [
            "image__generation_set__request_id",
            "image__generation_id",
            "image__generation_set__prompt",
            "image__generation_set__negative_prompt",
            "image__generation_set__params",
            "image__model",
            "image__seed",
            "rating",
            "artifacts",
            "image__generation_set__best_id",
            "image_id",
            "image__copy_state",
            "image__file",
            "image__sha256",
            "image__width",
            "image__height",
            "image__generation_set__rater_id",
            "image__generation_set__rater__horde_id",
            "image__generation_set__client_agent",
            "image__generation_set__rated_at",
        ]
        for batch in self.rows(_generation_ratings_to_export(self.since), fields):
            (request_id, generation_id, prompt, negative_prompt, params, model, seed, rating, artifacts, best_id,
             image_pk, copy_state, file, sha256, width, height, rater_pk, horde_id, client_agent, rated_at) = zip(*batch)  # fmt: skip
            copied = [s == GenerationImage.CopyState.COPIED and bool(f) for s, f in zip(copy_state, file)]
            yield {
                "request_id": list(request_id),
                "generation_id": list(generation_id),
                "prompt": list(prompt),
                "negative_prompt": list(negative_prompt),
                "params": [json.dumps(p or {}, sort_keys=True, ensure_ascii=False) for p in params],
                "model": list(model),
                "seed": list(seed),
                "rating": list(rating),
                "artifacts": list(artifacts),
                "best": [b == i for b, i in zip(best_id, image_pk)],
                "image_url": [self.media_url(f) if c else None for f, c in zip(file, copied)],
                "sha256": [(s or None) if c else None for s, c in zip(sha256, copied)],
                "width": [w if c else None for w, c in zip(width, copied)],
                "height": [h if c else None for h, c in zip(height, copied)],
                "user_id": [self.user_id(r, h) for r, h in zip(rater_pk, horde_id)],
                "client_agent": list(client_agent),
                "rated_at": list(rated_at),
            }
            self.progress(len(batch))

    def pair_batches(self) -> Iterator[dict[str, list]]:
        sources = [
            (
                "generation_set",
                _generation_pairs_to_export(self.since),
                ["winner__generation_id", "loser__generation_id", "generation_set__request_id"],
            ),
            ("best_of", _best_of_pairs_to_export(self.since), ["winner__public_id", "loser__public_id", "group_id"]),
        ]
        for source, queryset, names in sources:
            for batch in self.rows(queryset, [*names, "rater_id", "rater__horde_id", "created_at"]):
                winner, loser, group, rater_pk, horde_id, created_at = zip(*batch)
                yield {
                    "winner": [str(w) for w in winner],
                    "loser": [str(lo) for lo in loser],
                    "group": [str(g) for g in group],
                    "source": [source] * len(batch),
                    "user_id": [self.user_id(r, h) for r, h in zip(rater_pk, horde_id)],
                    "created_at": list(created_at),
                }
                self.progress(len(batch))


def _write_parquet(path: Path, columns: list[cols.Column], batches: Iterable[dict[str, list]]) -> int:
    schema = arrow_schema(columns)
    rows = 0
    with pq.ParquetWriter(path, schema, compression="zstd") as writer:
        for batch in batches:
            table = pa.Table.from_pydict(batch, schema=schema)
            writer.write_table(table)
            rows += table.num_rows
    return rows


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


@contextlib.contextmanager
def _moving_lock(directory: Path) -> Iterator[None]:
    """One export at a time moves its files into `directory`, so the manifest always matches the files."""
    with (directory / ".export.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def export_dataset(
    out_dir: Path | str | None = None,
    *,
    since: datetime | None = None,
    base_url: str | None = None,
    batch_rows: int = BATCH_ROWS,
    progress: Callable[[int], None] | None = None,
) -> ExportSummary:
    """Write the open dataset into `out_dir` (EXPORT_DIR by default), or with `since` into
    `out_dir/increments/<date>/`: ratings.parquet, generations.parquet, pairs.parquet, diffusiondb_export.parquet,
    README.md and manifest.json.

    `progress` is called with the number of rows written after each batch.
    """
    started = time.monotonic()
    root = Path(out_dir if out_dir is not None else settings.EXPORT_DIR)
    target = root / INCREMENTS_DIR / increment_name(since) if since is not None else root
    target.mkdir(parents=True, exist_ok=True)
    exporter = _Exporter(
        since=since,
        base_url=base_url or default_base_url(),
        batch_rows=batch_rows,
        progress=progress or (lambda n: None),
    )
    work = Path(tempfile.mkdtemp(prefix=".export-", dir=target))
    try:
        rows: dict[str, int] = {}
        # On PostgreSQL a named cursor lives inside a transaction (outside one it is WITH HOLD, which copies the
        # whole result on the server first). On SQLite a transaction would take the write lock: none there.
        reading = transaction.atomic() if connection.vendor == "postgresql" else contextlib.nullcontext()
        with reading:
            batches = {
                "ratings.parquet": exporter.rating_batches,
                "generations.parquet": exporter.generation_batches,
                "pairs.parquet": exporter.pair_batches,
                cols.DIFFUSIONDB_NAME: exporter.diffusiondb_batches,
            }
            for name, make_batches in batches.items():
                rows[name] = _write_parquet(work / name, cols.FILES[name], make_batches())
            agreement = dataset_agreement()
        created_at = timezone.now().astimezone(UTC)
        card = render_card(rows=rows, created_at=created_at, since=since, agreement=agreement)
        (work / CARD_NAME).write_text(card, encoding="utf-8")
        files = []
        for name in [*cols.FILES, CARD_NAME]:
            stat = (work / name).stat()
            files.append(
                {
                    "name": name,
                    "rows": rows.get(name),
                    "size": stat.st_size,
                    "sha256": _sha256(work / name),
                    # os.replace keeps the inode: the download view checks it to know the file matches this entry.
                    "inode": stat.st_ino,
                }
            )
        manifest = {
            "created_at": created_at.isoformat(),
            "since": since.isoformat() if since is not None else None,
            "licence": cols.LICENCE,
            "files": files,
            # Per dataset, over all its counted ratings (an increment's too): see the card's "Agreement".
            "agreement": agreement,
        }
        (work / MANIFEST_NAME).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        with _moving_lock(target):
            for name in [*cols.FILES, CARD_NAME, MANIFEST_NAME]:
                os.replace(work / name, target / name)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return ExportSummary(directory=target, rows=rows, seconds=time.monotonic() - started, manifest=manifest)
