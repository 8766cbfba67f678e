"""Reading images for the predictor: a torch Dataset whose workers decode and preprocess.

Worker processes never touch the database: the main process hands them plain
(image id, file path, url) tuples, and the limits read from settings (the pixel limit,
whether private addresses may be fetched). An image that can't be read, is over the pixel
limit or whose URL leads to an internal address comes back as broken (with the reason)
instead of failing the batch. URLs are fetched only through `datasets.fetch`.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import torch
from django.conf import settings
from PIL import Image as PILImage
from torch.utils.data import DataLoader, Dataset

from ratings_site.datasets.fetch import fetch_image_bytes
from ratings_site.datasets.pictures import open_picture

MAX_DOWNLOAD_BYTES = 32 * 1024 * 1024


@dataclass(frozen=True)
class ImageItem:
    image_id: int
    path: str  # a local file, or "" when the image is a URL
    url: str


@dataclass
class Batch:
    ids: list[int] = field(default_factory=list)
    pixels: torch.Tensor | None = None
    broken: list[tuple[int, str]] = field(default_factory=list)

    def pin_memory(self) -> Batch:
        """Called by the DataLoader's pinning thread (pin_memory=True): without this method it passes an object of
        an unknown type through unpinned, and the copy to the GPU could not overlap the model's work."""
        if self.pixels is not None:
            self.pixels = self.pixels.pin_memory()
        return self


@dataclass(frozen=True)
class ReadLimits:
    """What a worker needs from settings, read once in the main process and handed over as plain values."""

    timeout: float  # seconds to fetch an image URL, redirects and body included
    max_pixels: int  # MAX_IMAGE_PIXELS
    allow_private: bool | tuple[str, ...]  # ALLOW_PRIVATE_IMAGE_URLS: all, none, or these networks

    @classmethod
    def from_settings(cls, *, timeout: float) -> ReadLimits:
        allow = settings.ALLOW_PRIVATE_IMAGE_URLS
        return cls(
            timeout=timeout,
            max_pixels=settings.MAX_IMAGE_PIXELS,
            allow_private=allow if isinstance(allow, bool) else tuple(allow),
        )


def read_image(item: ImageItem, limits: ReadLimits, draft_size: int = 512) -> PILImage.Image:
    if item.path:
        source: Any = item.path
    else:
        data = fetch_image_bytes(
            item.url, timeout=limits.timeout, max_bytes=MAX_DOWNLOAD_BYTES, allow_private=limits.allow_private
        )
        source = io.BytesIO(data)
    with open_picture(source, max_pixels=limits.max_pixels) as image:
        # JPEG: decode at 1/2, 1/4 or 1/8 scale while both sides stay >= draft_size: far cheaper.
        image.draft("RGB", (draft_size, draft_size))
        return image.convert("RGB")


def input_size(preprocess: Callable, default: int = 512) -> int:
    """The side the preprocess resizes to (open_clip's transforms start with Resize(224)): a JPEG
    need not be decoded larger than that."""
    for transform in getattr(preprocess, "transforms", ()):
        size = getattr(transform, "size", None)
        if isinstance(size, int):
            return size
        if isinstance(size, (tuple, list)) and size:
            return max(size)
    return default


class ImagesToScore(Dataset):
    def __init__(self, items: Sequence[ImageItem], preprocess: Callable, limits: ReadLimits):
        self.items = list(items)
        self.preprocess = preprocess
        self.limits = limits
        self.draft_size = input_size(preprocess)

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, index: int) -> tuple[int, torch.Tensor | None, str]:
        item = self.items[index]
        try:
            return item.image_id, self.preprocess(read_image(item, self.limits, self.draft_size)), ""
        except Exception as exc:  # any unreadable image is reported, never fatal
            return item.image_id, None, f"{type(exc).__name__}: {exc}"[:300]


def collate(samples: list[tuple[int, torch.Tensor | None, str]]) -> Batch:
    batch = Batch()
    tensors = []
    for image_id, tensor, error in samples:
        if tensor is None:
            batch.broken.append((image_id, error))
        else:
            batch.ids.append(image_id)
            tensors.append(tensor)
    if tensors:
        batch.pixels = torch.stack(tensors)
    return batch


def make_loader(
    items: Sequence[ImageItem],
    preprocess: Callable,
    *,
    batch_size: int,
    workers: int,
    pin_memory: bool,
    limits: ReadLimits,
) -> DataLoader:
    return DataLoader(
        ImagesToScore(items, preprocess, limits),
        batch_size=batch_size,
        shuffle=False,
        num_workers=workers,
        collate_fn=collate,
        pin_memory=pin_memory,
        prefetch_factor=4 if workers else None,
        persistent_workers=False,
    )
