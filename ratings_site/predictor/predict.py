"""Scoring images with the predictor: the work behind `manage.py predict_aesthetics`."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import close_old_connections, connections, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.db.models.functions import Mod

from ratings_site.datasets.models import Image
from ratings_site.datasets.services import refresh_queue
from ratings_site.predictor.clip import ClipModel, PredictorError
from ratings_site.predictor.heads import AestheticHead, HeadEnsemble
from ratings_site.predictor.models import AestheticScore, ImageEmbedding, PredictorVersion
from ratings_site.predictor.pipeline import ImageItem, ReadLimits, make_loader
from ratings_site.predictor.scoring import save_scores
from ratings_site.predictor.versions import clip_key

CHUNK = 4096  # images fetched from the database per DataLoader pass (memory stays flat)


@dataclass
class Shard:
    index: int = 0
    count: int = 1

    @classmethod
    def parse(cls, text: str | None) -> Shard:
        if not text:
            return cls()
        try:
            index, count = (int(part) for part in text.split("/"))
        except ValueError:
            raise PredictorError(f"--shard must look like I/N (e.g. 0/4), got {text!r}") from None
        if count < 1 or not 0 <= index < count:
            raise PredictorError(f"--shard {text}: need 0 <= I < N")
        return cls(index, count)


@dataclass
class RunSummary:
    scored: int = 0
    from_stored_embeddings: int = 0
    broken: int = 0
    batches: int = 0
    seconds: float = 0.0  # without compile_seconds
    compile_seconds: float = 0.0  # torch.compile of the image tower, before the first batch
    broken_examples: list[str] = field(default_factory=list)

    @property
    def images_per_second(self) -> float:
        return (self.scored + self.broken) / self.seconds if self.seconds else 0.0


def images_to_score(
    version: PredictorVersion, *, dataset: str | None = None, shard: Shard = Shard()
) -> QuerySet[Image]:
    """Images without a score of this version (not broken, not captchas), in id order, this shard only."""
    images = Image.objects.filter(broken=False, is_captcha=False).filter(
        ~Exists(AestheticScore.objects.filter(version=version, image=OuterRef("pk")))
    )
    if dataset:
        images = images.filter(dataset__slug=dataset)
    if shard.count > 1:
        images = images.annotate(shard=Mod("id", shard.count)).filter(shard=shard.index)
    return images.order_by("id")


def _item(image_id: int, file_name: str, url: str) -> ImageItem:
    if file_name:
        try:
            return ImageItem(image_id, default_storage.path(file_name), "")
        except NotImplementedError:  # remote storage: read it over HTTP like a URL
            return ImageItem(image_id, "", default_storage.url(file_name))
    return ImageItem(image_id, "", url)


class BatchWriter:
    """Saves each batch (embeddings, scores, broken flags) in its own transaction, in a background
    thread so that the model keeps computing while the database writes. A killed run keeps every
    batch already written and resumes after it."""

    def __init__(self, version: PredictorVersion, key: str):
        self.version = version
        self.key = key
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="predictor-writer")
        self.pending: list[Future] = []

    def submit(self, ids: list[int], embeddings: np.ndarray | None, scores, uncertainty, broken: list[int]) -> None:
        while len(self.pending) >= 2:
            self.pending.pop(0).result()
        self.pending.append(self.pool.submit(self._write, ids, embeddings, scores, uncertainty, broken))

    def _write(self, ids, embeddings, scores, uncertainty, broken) -> None:
        close_old_connections()
        with transaction.atomic():
            if embeddings is not None and ids:
                ImageEmbedding.objects.bulk_create(
                    [
                        ImageEmbedding(image_id=image_id, clip_model=self.key, vector=vector.tobytes())
                        for image_id, vector in zip(ids, embeddings.astype(np.float16))
                    ],
                    ignore_conflicts=True,
                )
            if ids:
                save_scores(self.version, ids, scores, uncertainty)
            if broken:
                Image.objects.filter(pk__in=broken).update(broken=True)
                refresh_queue(Image.objects.filter(pk__in=broken))

    def drain(self) -> None:
        """Wait for the writes in flight (before forking DataLoader workers: no thread mid-write at a fork)."""
        while self.pending:
            self.pending.pop(0).result()

    def close(self) -> None:
        try:
            for future in self.pending:
                future.result()
        finally:
            self.pool.submit(connections.close_all).result()
            self.pool.shutdown()


def _stored_embeddings(key: str, ids: list[int]) -> dict[int, np.ndarray]:
    rows = ImageEmbedding.objects.filter(clip_model=key, image_id__in=ids).values_list("image_id", "vector")
    return {image_id: np.frombuffer(bytes(vector), dtype=np.float16).astype(np.float32) for image_id, vector in rows}


def _chunks(
    images: QuerySet[Image], limit: int | None, *, before_query: Callable[[], None] = lambda: None
) -> Iterator[list[tuple[int, str, str]]]:
    last_id, taken = 0, 0
    while limit is None or taken < limit:
        before_query()
        size = CHUNK if limit is None else min(CHUNK, limit - taken)
        rows = list(images.filter(pk__gt=last_id).values_list("id", "file", "url")[:size])
        if not rows:
            return
        taken += len(rows)
        last_id = rows[-1][0]
        yield rows


@torch.inference_mode()
def _score(features: torch.Tensor, head: AestheticHead, ensemble: HeadEnsemble | None):
    scores = head(features).float().cpu().numpy()
    uncertainty = ensemble(features).std(dim=0).float().cpu().numpy() if ensemble is not None else None
    return scores, uncertainty


def run(
    *,
    clip: ClipModel,
    head: AestheticHead,
    ensemble: HeadEnsemble | None,
    version: PredictorVersion,
    batch_size: int,
    workers: int,
    dataset: str | None = None,
    shard: Shard = Shard(),
    limit: int | None = None,
    max_batches: int | None = None,
    timeout: float = 10.0,
    progress=None,
) -> RunSummary:
    key = clip_key(clip.name, clip.pretrained)
    head = head.to(clip.device).float().eval()
    ensemble = ensemble.to(clip.device).float().eval() if ensemble is not None else None
    summary = RunSummary()
    started = time.perf_counter()
    writer = BatchWriter(version, key)
    limits = ReadLimits.from_settings(timeout=timeout)
    try:
        # Each next chunk's query reads the tables the writer is writing: it waits for the writes first
        # (SQLite's shared-cache test database answers "table is locked" instead of waiting).
        for rows in _chunks(images_to_score(version, dataset=dataset, shard=shard), limit, before_query=writer.drain):
            # Images embedded earlier by the same CLIP model only need the head.
            stored = _stored_embeddings(key, [row[0] for row in rows])
            if stored:
                ids = list(stored)
                features = torch.from_numpy(np.stack([stored[i] for i in ids])).to(clip.device)
                scores, uncertainty = _score(features, head, ensemble)
                writer.submit(ids, None, scores, uncertainty, [])
                summary.from_stored_embeddings += len(ids)
                summary.scored += len(ids)
                if progress is not None:
                    progress.update(len(ids))
            items = [_item(*row) for row in rows if row[0] not in stored]
            if not items:
                continue
            if clip.compiled and clip.fixed_batch is None:
                if progress is not None:
                    progress.set_description_str("Compiling the image tower")
                summary.compile_seconds = clip.warm_up(batch_size)
                if progress is not None:
                    progress.set_description_str("Scoring")
            writer.drain()
            connections.close_all()  # DataLoader workers fork: they must not share our connections
            loader = make_loader(
                items,
                clip.preprocess,
                batch_size=batch_size,
                workers=workers,
                pin_memory=clip.device.type == "cuda",
                limits=limits,
            )
            for batch in loader:
                embeddings = scores = uncertainty = None
                if batch.pixels is not None:
                    features = clip.encode(batch.pixels.to(clip.device, non_blocking=True))
                    scores, uncertainty = _score(features, head, ensemble)
                    embeddings = features.cpu().numpy()
                broken_ids = [image_id for image_id, _ in batch.broken]
                writer.submit(batch.ids, embeddings, scores, uncertainty, broken_ids)
                summary.scored += len(batch.ids)
                summary.broken += len(broken_ids)
                summary.batches += 1
                summary.broken_examples.extend(f"image {i}: {error}" for i, error in batch.broken[:5])
                if progress is not None:
                    progress.update(len(batch.ids) + len(broken_ids))
                if max_batches is not None and summary.batches >= max_batches:
                    del loader
                    return summary
    finally:
        writer.close()
        summary.seconds = time.perf_counter() - started - summary.compile_seconds
    return summary


def resolve_head_path(head: str | None, model_name: str, pretrained: str) -> str | None:
    """--head, else PREDICTOR_HEAD, else the current version's head when it fits this CLIP model."""
    if head:
        return head
    if settings.PREDICTOR_HEAD:
        return settings.PREDICTOR_HEAD
    current = PredictorVersion.current()
    if current and clip_key(current.clip_model, current.clip_pretrained) == clip_key(model_name, pretrained):
        return current.head_file
    return None


def random_head_path(embedding_dim: int) -> Path:
    """A head with random (but fixed) weights, for tests and benchmarks: --head none."""
    from ratings_site.predictor.heads import save_head

    torch.manual_seed(0)
    path = Path(settings.PREDICTOR_DIR) / f"random-head-{embedding_dim}.safetensors"
    if not path.exists():
        # Written aside and moved into place, so that shards starting together never read half a file.
        partial = path.with_name(f".{os.getpid()}-{path.name}")  # same suffix: same format
        save_head(AestheticHead(embedding_dim), partial)
        os.replace(partial, path)
    return path


# --- Generation images: embeddings only (train_predictor measures heads on their best-of pairs) ---------------


@dataclass
class EmbedSummary:
    embedded: int = 0
    broken: int = 0  # copied, but the file could not be read (tried again next run)
    not_copied: int = 0  # waiting or failed copies without an embedding: skipped
    batches: int = 0
    seconds: float = 0.0
    compile_seconds: float = 0.0
    broken_examples: list[str] = field(default_factory=list)

    @property
    def images_per_second(self) -> float:
        return (self.embedded + self.broken) / self.seconds if self.seconds else 0.0


def generations_without_embedding(key: str) -> QuerySet:
    """Generation images with no embedding under `key`, copied or not, in id order."""
    from ratings_site.generations.models import GenerationImage
    from ratings_site.predictor.models import GenerationEmbedding

    return GenerationImage.objects.filter(
        ~Exists(GenerationEmbedding.objects.filter(clip_model=key, image=OuterRef("pk")))
    ).order_by("id")


def generations_to_embed(key: str) -> QuerySet:
    """Copied generation images (a file in default storage) with no embedding under `key`, in id order."""
    from ratings_site.generations.models import GenerationImage

    return generations_without_embedding(key).filter(copy_state=GenerationImage.CopyState.COPIED).exclude(file="")


def _save_generation_embeddings(key: str, ids: list[int], embeddings: np.ndarray) -> None:
    from ratings_site.predictor.models import GenerationEmbedding

    GenerationEmbedding.objects.bulk_create(
        [
            GenerationEmbedding(image_id=image_id, clip_model=key, vector=vector.tobytes())
            for image_id, vector in zip(ids, embeddings.astype(np.float16))
        ],
        ignore_conflicts=True,
    )


def embed_generations(
    *,
    clip: ClipModel,
    batch_size: int,
    workers: int,
    limit: int | None = None,
    max_batches: int | None = None,
    timeout: float = 10.0,
    progress=None,
) -> EmbedSummary:
    """Embed every copied generation image that has no embedding under this CLIP model's key, batch by batch
    (each batch saved as it comes: a killed run keeps them and resumes after them). The same image pipeline
    and CLIP model as `run`; nothing is scored, and an unreadable file is counted, not marked."""
    key = clip_key(clip.name, clip.pretrained)
    summary = EmbedSummary(not_copied=generations_without_embedding(key).count() - generations_to_embed(key).count())
    started = time.perf_counter()
    limits = ReadLimits.from_settings(timeout=timeout)
    try:
        last_id, taken = 0, 0
        while limit is None or taken < limit:
            size = CHUNK if limit is None else min(CHUNK, limit - taken)
            rows = list(generations_to_embed(key).filter(pk__gt=last_id).values_list("id", "file")[:size])
            if not rows:
                break
            taken += len(rows)
            last_id = rows[-1][0]
            items = [_item(image_id, file_name, "") for image_id, file_name in rows]
            if clip.compiled and clip.fixed_batch is None:
                summary.compile_seconds = clip.warm_up(batch_size)
            if workers:
                connections.close_all()  # DataLoader workers fork: they must not share our connections
            loader = make_loader(
                items,
                clip.preprocess,
                batch_size=batch_size,
                workers=workers,
                pin_memory=clip.device.type == "cuda",
                limits=limits,
            )
            for batch in loader:
                if batch.pixels is not None:
                    features = clip.encode(batch.pixels.to(clip.device, non_blocking=True))
                    with transaction.atomic():
                        _save_generation_embeddings(key, batch.ids, features.cpu().numpy())
                summary.embedded += len(batch.ids)
                summary.broken += len(batch.broken)
                summary.batches += 1
                summary.broken_examples.extend(f"generation image {i}: {error}" for i, error in batch.broken[:5])
                if progress is not None:
                    progress.update(len(batch.ids) + len(batch.broken))
                if max_batches is not None and summary.batches >= max_batches:
                    del loader
                    return summary
    finally:
        summary.seconds = time.perf_counter() - started - summary.compile_seconds
    return summary
