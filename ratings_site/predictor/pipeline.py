"""Reading images for the predictor: a torch Dataset whose workers decode and preprocess.

Worker processes never touch the database: the main process hands them plain
(image id, file path, url) tuples. An image that can't be read comes back as
broken (with the reason) instead of failing the batch.
"""

from __future__ import annotations

import io
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import torch
from PIL import Image as PILImage
from torch.utils.data import DataLoader, Dataset

MAX_DOWNLOAD_BYTES = 32 * 1024 * 1024
USER_AGENT = "HordeRatings-predictor/1.0"


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


def read_image(item: ImageItem, timeout: float, draft_size: int = 512) -> PILImage.Image:
    if item.path:
        source: Any = item.path
    else:
        request = urllib.request.Request(item.url, headers={"User-Agent": USER_AGENT})
        with urllib.request.urlopen(request, timeout=timeout) as response:
            data = response.read(MAX_DOWNLOAD_BYTES + 1)
        if len(data) > MAX_DOWNLOAD_BYTES:
            raise ValueError("image larger than 32 MB")
        source = io.BytesIO(data)
    with PILImage.open(source) as image:
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
    def __init__(self, items: Sequence[ImageItem], preprocess: Callable, timeout: float = 10.0):
        self.items = list(items)
        self.preprocess = preprocess
        self.timeout = timeout
        self.draft_size = input_size(preprocess)

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, index: int) -> tuple[int, torch.Tensor | None, str]:
        item = self.items[index]
        try:
            return item.image_id, self.preprocess(read_image(item, self.timeout, self.draft_size)), ""
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
    items: Sequence[ImageItem], preprocess: Callable, *, batch_size: int, workers: int, pin_memory: bool, timeout: float
) -> DataLoader:
    return DataLoader(
        ImagesToScore(items, preprocess, timeout),
        batch_size=batch_size,
        shuffle=False,
        num_workers=workers,
        collate_fn=collate,
        pin_memory=pin_memory,
        prefetch_factor=4 if workers else None,
        persistent_workers=False,
    )
