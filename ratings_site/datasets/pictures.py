"""The one pixel limit (`MAX_IMAGE_PIXELS`) and the one format allow-list (`ALLOWED_FORMATS`) on every image the
server decodes.

A PNG of 12000 × 12000 pixels can be 17 KB on disk and 2 GB in memory once decoded, so the bytes
of a file say nothing about its cost: its width × height does. The importer, the predictor's
loader, the renditions, the admin's upload and generation copies open images with `open_picture`, which reads
only the header and refuses an image over the limit before a single pixel is decoded; the
importer checks the sizes a metadata file declares with `check_pixels`.

Only JPEG, PNG, WebP and GIF are opened: Pillow otherwise identifies a file among all its formats, and some are
parsed by code we never want fed an uploaded or fetched file (EPS runs Ghostscript where it is installed). Any other
format is refused by its header, before any plugin of another format reads it, with PIL's UnidentifiedImageError
(an OSError, as for a file that is no picture at all). `picture_format` tells a stored file's format from its header
alone, for the views that serve pictures (`datasets/views.py`).

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

# The formats the server opens, and the content type each is served as (/media/, /renditions/). What the importers,
# the captchas and generation copies store is within these.
ALLOWED_FORMATS = ("JPEG", "PNG", "WEBP", "GIF")
MEDIA_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "GIF": "image/gif"}
# The file endings a stored picture may have (a front server serving MEDIA_ROOT goes by them) and their formats, and
# the ending a picture of each format is given when its own name says otherwise (an upload named look.html).
PICTURE_ENDINGS = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG", ".webp": "WEBP", ".gif": "GIF"}
ENDINGS = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp", "GIF": ".gif"}


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
    its size is known to be within the limit and its format one of ALLOWED_FORMATS (else
    UnidentifiedImageError). `max_pixels` defaults to MAX_IMAGE_PIXELS; callers outside Django
    settings' reach (DataLoader workers) pass it."""
    try:
        picture = Picture.open(source, formats=ALLOWED_FORMATS)
    except Picture.DecompressionBombError as error:
        raise TooManyPixelsError(f"refused by Pillow before MAX_IMAGE_PIXELS could be applied ({error})") from None
    with picture:
        check_pixels(*picture.size, max_pixels=max_pixels)
        yield picture


def picture_format(source: str | os.PathLike[str]) -> str | None:
    """The format of the picture at `source`, read from its header alone (nothing is decoded): one of
    ALLOWED_FORMATS, or None for a missing file or anything else."""
    try:
        with Picture.open(source, formats=ALLOWED_FORMATS) as picture:
            return picture.format
    except (OSError, SyntaxError, ValueError, Picture.DecompressionBombError):
        return None
