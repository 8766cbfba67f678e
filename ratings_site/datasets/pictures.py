"""The one pixel limit (`MAX_IMAGE_PIXELS`) on every image the server decodes.

A PNG of 12000 × 12000 pixels can be 17 KB on disk and 2 GB in memory once decoded, so the bytes
of a file say nothing about its cost: its width × height does. The importer, the predictor's
loader, the renditions (and generation copies soon) open images with `open_picture`, which reads
only the header and refuses an image over the limit before a single pixel is decoded; the
importer checks the sizes a metadata file declares with `check_pixels`.

Pillow's own `Image.MAX_IMAGE_PIXELS` is a process-wide global that merely warns below twice its
value (about 179 MP); this limit does not depend on it. Where Pillow refuses first (a limit set
above Pillow's), its refusal comes out as the same TooManyPixelsError.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO

from django.conf import settings
from PIL import Image as Picture


class TooManyPixelsError(ValueError):
    """The image is larger than MAX_IMAGE_PIXELS: refused at import, marked broken by the predictor."""


def pixel_limit() -> int:
    return settings.MAX_IMAGE_PIXELS


def _megapixels(pixels: int) -> str:
    return f"{pixels / 1_000_000:.1f} MP"


def check_pixels(width: int | None, height: int | None, *, max_pixels: int | None = None) -> None:
    """Raise TooManyPixelsError when width × height is over the limit (an unknown size passes)."""
    if width is None or height is None:
        return
    limit = pixel_limit() if max_pixels is None else max_pixels
    if width * height > limit:
        raise TooManyPixelsError(
            f"{width}×{height} is {_megapixels(width * height)}, over MAX_IMAGE_PIXELS ({_megapixels(limit)})"
        )


@contextmanager
def open_picture(
    source: str | os.PathLike[str] | IO[bytes], *, max_pixels: int | None = None
) -> Iterator[Picture.Image]:
    """The image at `source` (a path or a binary file), opened lazily and closed on leaving, once
    its size is known to be within the limit. `max_pixels` defaults to MAX_IMAGE_PIXELS; callers
    outside Django settings' reach (DataLoader workers) pass it."""
    try:
        picture = Picture.open(source)
    except Picture.DecompressionBombError as error:
        raise TooManyPixelsError(f"refused by Pillow before MAX_IMAGE_PIXELS could be applied ({error})") from None
    with picture:
        check_pixels(*picture.size, max_pixels=max_pixels)
        yield picture
