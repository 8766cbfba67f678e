"""Importing images into a dataset from a folder, a CSV or JSONL file, or a LAION or DiffusionDB parquet.

One small reader per format turns its source into normalised `Row`s, streaming
(never the whole file in memory); one `DatasetWriter` batches them, skips the
duplicates with one query per batch and bulk-creates the rest. `import_dataset`
runs it all in one transaction: a malformed source raises `DatasetImportError`
and nothing is imported (files copied to storage for a folder import are
deleted again). The `import_dataset` management command is a thin shell around it.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import decimal
import hashlib
import json
import math
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import quote

import pyarrow as pa
import pyarrow.parquet as pq
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.text import slugify
from tqdm import tqdm

from ratings_site.datasets.fetch import ImageURLError, check_image_url
from ratings_site.datasets.models import Dataset, Image
from ratings_site.datasets.pictures import TooManyPixelsError, check_pixels, open_picture
from ratings_site.datasets.services import recount_images, refresh_queue

FORMATS = ("auto", "folder", "csv", "jsonl", "laion", "diffusiondb")
DIFFUSIONDB_IMAGE_ROOT = "https://huggingface.co/datasets/poloclub/diffusiondb/resolve/main/images"
IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".webp", ".gif"})
URL_COLUMNS = ("url", "URL", "image_url", "link")
CAPTION_COLUMNS = ("caption", "TEXT", "text", "prompt")
WIDTH_COLUMNS = ("WIDTH", "width")
HEIGHT_COLUMNS = ("HEIGHT", "height")
DIFFUSIONDB_COLUMNS = ("image_name", "part_id", "prompt")
BAD_ROWS_KEPT = 100


class DatasetImportError(Exception):
    """The source cannot be imported; the message says where and why."""


@dataclass(frozen=True)
class ImportOptions:
    format: str = "auto"
    url_column: str | None = None
    caption_column: str | None = None
    image_root: str = DIFFUSIONDB_IMAGE_ROOT
    batch_size: int = 1000
    nsfw_threshold: float = 0.5
    description: str = ""

    def __post_init__(self) -> None:
        if self.format not in FORMATS:
            raise DatasetImportError(f"Unknown format {self.format!r}: use one of {', '.join(FORMATS)}.")
        if self.batch_size < 1:
            raise DatasetImportError("The batch size must be at least 1.")
        if not 0.0 <= self.nsfw_threshold <= 1.0:
            raise DatasetImportError("The NSFW threshold must be between 0 and 1.")


@dataclass
class Row:
    """One image to import, whatever the source: a URL or a local file to copy into storage."""

    dedupe_key: str
    url: str = ""
    file: Path | None = None
    caption: str = ""
    width: int | None = None
    height: int | None = None
    nsfw: bool = False
    source: dict[str, Any] = field(default_factory=dict)
    where: str = ""  # the row's place in the source, for a message


@dataclass(frozen=True)
class BadRow:
    """A source item skipped without failing the import (an unreadable image file)."""

    where: str
    reason: str


@dataclass
class ImportReport:
    dataset: Dataset
    dataset_created: bool
    imported: int = 0
    duplicates: int = 0
    bad_rows: int = 0
    bad_examples: list[BadRow] = field(default_factory=list)


Advance = Callable[[int], None]


class Reader(Protocol):
    unit: str

    def total(self) -> int: ...

    def rows(self, advance: Advance) -> Iterator[Row | BadRow]: ...


# Value helpers --------------------------------------------------------------------------


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def json_safe(value: Any) -> Any:
    """A value the JSON column (SQLite or PostgreSQL jsonb) stores as is."""
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, datetime.timedelta):
        return value.total_seconds()
    if isinstance(value, decimal.Decimal):
        return json_safe(float(value))
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, dict):
        return {str(key): json_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(item) for item in value]
    if isinstance(value, pa.Scalar):
        return json_safe(value.as_py())
    if hasattr(value, "item"):  # a numpy scalar
        return json_safe(value.item())
    return str(value)


def clean_text(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value).replace("\x00", "").strip()


def checked_url(value: Any, where: str) -> str:
    """The rule for image URLs (datasets.fetch.check_image_url, which the admin applies too), saying where."""
    try:
        return check_image_url(clean_text(value))
    except ImageURLError as error:
        raise DatasetImportError(f"{where}: {error}") from None


def dimension(value: Any, where: str) -> int | None:
    """A width or height: empty and NaN are unknown; anything else must be a whole number ≥ 0."""
    if value is None or value == "" or (isinstance(value, float) and math.isnan(value)):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise DatasetImportError(f"{where}: {value!r} is not a width or height.") from None
    if number < 0 or not number.is_integer():
        raise DatasetImportError(f"{where}: {value!r} is not a width or height.")
    return int(number)


def score_above(value: Any, threshold: float) -> bool:
    """Whether an NSFW score (punsafe, image_nsfw) exceeds the threshold; a missing score does not."""
    try:
        score = float(value)
    except (TypeError, ValueError):
        return False
    return not math.isnan(score) and score > threshold


def first_present(candidates: Iterable[str], columns: Iterable[str]) -> str | None:
    present = set(columns)
    return next((name for name in candidates if name in present), None)


def tabular_row(record: dict[str, Any], where: str, *, url_column: str, caption_column: str | None) -> Row:
    """A row of a CSV, JSONL or LAION source: url, caption, size, and the other columns as `source`."""
    if url_column not in record:
        raise DatasetImportError(f"{where}: there is no {url_column!r} column.")
    url = checked_url(record[url_column], where)
    width_column = first_present(WIDTH_COLUMNS, record)
    height_column = first_present(HEIGHT_COLUMNS, record)
    used = {url_column, caption_column, width_column, height_column}
    return Row(
        dedupe_key=sha256_text(url),
        url=url,
        caption=clean_text(record.get(caption_column)) if caption_column else "",
        width=dimension(record[width_column], where) if width_column else None,
        height=dimension(record[height_column], where) if height_column else None,
        source={key: json_safe(value) for key, value in record.items() if key not in used},
        where=where,
    )


# Readers --------------------------------------------------------------------------------


@dataclass
class FolderReader:
    """Image files under a folder (recursive); the caption from a sidecar `<stem>.txt`."""

    root: Path
    unit: str = "file"

    @cached_property
    def paths(self) -> list[Path]:
        return sorted(p for p in self.root.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file())

    def total(self) -> int:
        return len(self.paths)

    def rows(self, advance: Advance) -> Iterator[Row | BadRow]:
        for path in self.paths:
            relative = path.relative_to(self.root).as_posix()
            try:
                with path.open("rb") as f:
                    digest = hashlib.file_digest(f, "sha256").hexdigest()
                    f.seek(0)
                    with open_picture(f) as picture:  # refuses more than MAX_IMAGE_PIXELS before decoding
                        width, height = picture.size
                        picture.verify()
            except TooManyPixelsError as error:
                yield BadRow(relative, f"too large ({error})")
            except Exception as error:  # Pillow raises many kinds for a broken file
                yield BadRow(relative, f"not a readable image ({error})")
            else:
                yield Row(
                    dedupe_key=digest,
                    file=path,
                    caption=self.caption(path),
                    width=width,
                    height=height,
                    source={"path": relative},
                    where=relative,
                )
            advance(1)

    def caption(self, path: Path) -> str:
        sidecar = path.with_suffix(".txt")
        if not sidecar.is_file():
            return ""
        try:
            return clean_text(sidecar.read_text(encoding="utf-8-sig"))
        except UnicodeDecodeError:
            raise DatasetImportError(f"{sidecar.relative_to(self.root).as_posix()}: the caption is not UTF-8.") from None


def decoded_lines(path: Path, advance: Advance) -> Iterator[str]:
    """The file's lines as text (UTF-8, a BOM allowed), advancing the progress by the bytes read."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    with path.open("rb") as f:
        for number, raw in enumerate(f, start=1):
            try:
                line = decoder.decode(raw)
            except UnicodeDecodeError as error:
                raise DatasetImportError(f"line {number}: not UTF-8 ({error.reason}).") from None
            advance(len(raw))
            yield line


@dataclass
class CsvReader:
    path: Path
    url_column: str | None = None
    caption_column: str | None = None
    unit: str = "B"

    def total(self) -> int:
        return self.path.stat().st_size

    def rows(self, advance: Advance) -> Iterator[Row | BadRow]:
        reader = csv.DictReader(decoded_lines(self.path, advance))
        try:
            header = reader.fieldnames
        except csv.Error as error:
            raise DatasetImportError(f"line 1: malformed CSV header ({error}).") from None
        if not header:
            raise DatasetImportError("The CSV file is empty: it has no header line.")
        url_column = self.url_column or first_present(URL_COLUMNS, header)
        if url_column is None or url_column not in header:
            wanted = repr(self.url_column) if self.url_column else "one of " + ", ".join(URL_COLUMNS)
            raise DatasetImportError(f"line 1: the header has no URL column ({wanted}); it has {', '.join(header)}.")
        caption_column = self.caption_column or first_present(CAPTION_COLUMNS, header)
        if caption_column is not None and caption_column not in header:
            raise DatasetImportError(f"line 1: the header has no caption column {caption_column!r}.")
        while True:
            try:
                record = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                raise DatasetImportError(f"line {reader.line_num}: malformed CSV ({error}).") from None
            where = f"line {reader.line_num}"
            if None in record:
                raise DatasetImportError(f"{where}: the row has more fields than the header.")
            yield tabular_row(record, where, url_column=url_column, caption_column=caption_column)


@dataclass
class JsonlReader:
    path: Path
    url_column: str | None = None
    caption_column: str | None = None
    unit: str = "B"

    def total(self) -> int:
        return self.path.stat().st_size

    def rows(self, advance: Advance) -> Iterator[Row | BadRow]:
        for number, line in enumerate(decoded_lines(self.path, advance), start=1):
            if not line.strip():
                continue
            where = f"line {number}"
            try:
                record = json.loads(line)
            except json.JSONDecodeError as error:
                raise DatasetImportError(f"{where}: invalid JSON ({error.msg}).") from None
            if not isinstance(record, dict):
                raise DatasetImportError(f"{where}: expected a JSON object, got {type(record).__name__}.")
            url_column = self.url_column or first_present(URL_COLUMNS, record)
            if url_column is None:
                raise DatasetImportError(f"{where}: no URL field (one of {', '.join(URL_COLUMNS)}).")
            caption_column = self.caption_column or first_present(CAPTION_COLUMNS, record)
            yield tabular_row(record, where, url_column=url_column, caption_column=caption_column)


def parquet_batches(path: Path, batch_size: int, advance: Advance) -> Iterator[tuple[int, dict[str, Any]]]:
    """(row number, record) for each row of a parquet file, read one batch at a time."""
    number = 0
    for batch in pq.ParquetFile(path).iter_batches(batch_size=batch_size):
        for record in batch.to_pylist():
            number += 1
            yield number, record
        advance(batch.num_rows)


@dataclass
class LaionReader:
    """LAION metadata: URL, TEXT, WIDTH, HEIGHT, similarity, punsafe, pwatermark, hash or SAMPLE_ID, …"""

    path: Path
    columns: list[str]
    batch_size: int
    nsfw_threshold: float
    url_column: str | None = None
    caption_column: str | None = None
    unit: str = "row"

    def total(self) -> int:
        return pq.ParquetFile(self.path).metadata.num_rows

    def rows(self, advance: Advance) -> Iterator[Row | BadRow]:
        url_column = self.url_column or first_present(URL_COLUMNS, self.columns)
        if url_column is None or url_column not in self.columns:
            raise DatasetImportError(f"The parquet file has no URL column {self.url_column or 'URL'!r}.")
        caption_column = self.caption_column or first_present(CAPTION_COLUMNS, self.columns)
        for number, record in parquet_batches(self.path, self.batch_size, advance):
            row = tabular_row(record, f"row {number}", url_column=url_column, caption_column=caption_column)
            row.nsfw = score_above(record.get("punsafe"), self.nsfw_threshold)
            yield row


@dataclass
class DiffusionDbReader:
    """DiffusionDB metadata.parquet; the image URL is `{image_root}/part-{part_id:06d}/{image_name}`."""

    path: Path
    batch_size: int
    nsfw_threshold: float
    image_root: str = DIFFUSIONDB_IMAGE_ROOT
    unit: str = "row"

    def total(self) -> int:
        return pq.ParquetFile(self.path).metadata.num_rows

    def rows(self, advance: Advance) -> Iterator[Row | BadRow]:
        root = self.image_root.rstrip("/")
        checked_url(root, "--image-root")
        for number, record in parquet_batches(self.path, self.batch_size, advance):
            where = f"row {number}"
            image_name = clean_text(record.get("image_name"))
            try:
                part_id = int(record["part_id"])
            except (TypeError, ValueError):
                part_id = None
            if not image_name or part_id is None:
                raise DatasetImportError(f"{where}: image_name or part_id is empty, so there is no image URL.")
            url = checked_url(f"{root}/part-{part_id:06d}/{quote(image_name)}", where)
            yield Row(
                dedupe_key=sha256_text(url),
                url=url,
                caption=clean_text(record.get("prompt")),
                width=dimension(record.get("width"), where),
                height=dimension(record.get("height"), where),
                nsfw=score_above(record.get("image_nsfw"), self.nsfw_threshold),
                source={k: json_safe(v) for k, v in record.items() if k not in ("prompt", "width", "height")},
                where=where,
            )


def parquet_reader(path: Path, options: ImportOptions, format: str) -> LaionReader | DiffusionDbReader:
    try:
        columns = pq.ParquetFile(path).schema_arrow.names
    except (pa.ArrowException, OSError) as error:
        raise DatasetImportError(f"{path.name} is not a readable parquet file ({error}).") from None
    if format == "auto":
        if all(name in columns for name in DIFFUSIONDB_COLUMNS):
            format = "diffusiondb"
        elif first_present([options.url_column] if options.url_column else URL_COLUMNS, columns):
            format = "laion"
        else:
            raise DatasetImportError(
                f"{path.name} is neither LAION metadata (a URL column) nor DiffusionDB metadata "
                f"({', '.join(DIFFUSIONDB_COLUMNS)}); its columns are {', '.join(columns)}."
            )
    if format == "diffusiondb":
        missing = [name for name in DIFFUSIONDB_COLUMNS if name not in columns]
        if missing:
            raise DatasetImportError(f"{path.name} is not DiffusionDB metadata: no {', '.join(missing)} column.")
        return DiffusionDbReader(path, options.batch_size, options.nsfw_threshold, options.image_root)
    return LaionReader(
        path, columns, options.batch_size, options.nsfw_threshold, options.url_column, options.caption_column
    )


def open_reader(source: Path, options: ImportOptions) -> Reader:
    """The reader for `source`, its format given or detected (a folder, .csv, .jsonl/.ndjson, .parquet)."""
    if not source.exists():
        raise DatasetImportError(f"{source} does not exist.")
    format = options.format
    if format == "auto":
        suffix = source.suffix.lower()
        if source.is_dir():
            format = "folder"
        elif suffix == ".csv":
            format = "csv"
        elif suffix in (".jsonl", ".ndjson"):
            format = "jsonl"
        elif suffix != ".parquet":
            raise DatasetImportError(
                f"Cannot tell the format of {source.name}: give a folder, .csv, .jsonl, .ndjson or .parquet, "
                "or use --format."
            )
    if (format == "folder") != source.is_dir():
        raise DatasetImportError(f"{source} is {'a folder' if source.is_dir() else 'a file'}; the format is {format}.")
    if format == "folder":
        return FolderReader(source)
    if format == "csv":
        return CsvReader(source, options.url_column, options.caption_column)
    if format == "jsonl":
        return JsonlReader(source, options.url_column, options.caption_column)
    return parquet_reader(source, options, format)


# Writer ---------------------------------------------------------------------------------


class DatasetWriter:
    """Batches rows, skips those whose dedupe_key the dataset already holds, bulk-creates the rest.

    Duplicates within the file are caught too: inside a batch by the batch's own
    keys, across batches by the query (earlier batches are already inserted).
    """

    def __init__(self, report: ImportReport, batch_size: int) -> None:
        self.report = report
        self.dataset = report.dataset
        self.batch_size = batch_size
        self.pending: list[Row] = []
        self.stored_files: list[str] = []

    def add(self, item: Row | BadRow) -> None:
        if isinstance(item, Row):
            try:
                check_pixels(item.width, item.height)  # the size a metadata file declares (LAION's WIDTH, HEIGHT)
            except TooManyPixelsError as error:
                item = BadRow(item.where, f"too large ({error})")
        if isinstance(item, BadRow):
            self.report.bad_rows += 1
            if len(self.report.bad_examples) < BAD_ROWS_KEPT:
                self.report.bad_examples.append(item)
            return
        self.pending.append(item)
        if len(self.pending) >= self.batch_size:
            self.flush()

    def flush(self) -> None:
        rows, self.pending = self.pending, []
        if not rows:
            return
        keys = {row.dedupe_key for row in rows}
        seen = set(
            Image.objects.filter(dataset=self.dataset, dedupe_key__in=keys).values_list("dedupe_key", flat=True)
        )
        images = []
        for row in rows:
            if row.dedupe_key in seen:
                self.report.duplicates += 1
                continue
            seen.add(row.dedupe_key)
            images.append(self.image(row))
        if images:
            Image.objects.bulk_create(images)
            # The new ids are one ascending run (a range, not a list: no limit on query parameters);
            # refresh_queue applies the queue rule, so any other image in the range is left as it should be.
            ids = [image.pk for image in images]
            refresh_queue(Image.objects.filter(dataset=self.dataset, pk__range=(min(ids), max(ids))))
        self.report.imported += len(images)

    def image(self, row: Row) -> Image:
        image = Image(
            dataset=self.dataset,
            url=row.url,
            caption=row.caption,
            source=row.source,
            dedupe_key=row.dedupe_key,
            width=row.width,
            height=row.height,
            nsfw=row.nsfw,
        )
        if row.file is not None:
            image.file.name = self.store(row.file, row.dedupe_key)
        return image

    def store(self, path: Path, digest: str) -> str:
        """Copy a file into storage as images/<dataset slug>/<sha256>.<ext> (kept when already there)."""
        name = f"images/{self.dataset.slug}/{digest}{path.suffix.lower()}"
        if default_storage.exists(name):
            return name
        with path.open("rb") as f:
            stored = default_storage.save(name, File(f))
        self.stored_files.append(stored)
        return stored

    def delete_stored_files(self) -> None:
        for name in self.stored_files:
            default_storage.delete(name)
        self.stored_files.clear()


# The import -----------------------------------------------------------------------------


def import_dataset(
    name: str, source: Path, options: ImportOptions | None = None, *, show_progress: bool = False
) -> ImportReport:
    """Import `source` into the dataset called `name` (created when missing), all or nothing."""
    options = options or ImportOptions()
    slug = slugify(name)[: Dataset._meta.get_field("slug").max_length].strip("-")
    if len(name) > (Dataset._meta.get_field("name").max_length or 200):
        raise DatasetImportError("The dataset's name is longer than 200 characters.")
    if not slug:
        raise DatasetImportError(f"{name!r} makes no slug: give the dataset a name with letters or digits.")
    reader = open_reader(source, options)
    writer: DatasetWriter | None = None
    try:
        with transaction.atomic():
            dataset, created = Dataset.objects.get_or_create(
                slug=slug, defaults={"name": name, "description": options.description}
            )
            report = ImportReport(dataset=dataset, dataset_created=created)
            writer = DatasetWriter(report, options.batch_size)
            progress = tqdm(
                total=reader.total(),
                unit=reader.unit,
                unit_scale=reader.unit == "B",
                desc=slug,
                file=sys.stderr,
                disable=not show_progress,
            )
            with progress:
                for item in reader.rows(progress.update):
                    writer.add(item)
                writer.flush()
            recount_images(Dataset.objects.filter(pk=dataset.pk))
    except BaseException:
        if writer is not None:
            writer.delete_stored_files()
        raise
    return report
