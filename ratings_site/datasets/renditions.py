"""Light renditions of image files: a WebP to rate, and a thumbnail for the rater's history.

Dataset files are often large PNGs (the demo's are 768 px and up to 1.3 MB); a rater needs only
a WebP the size of the screen. A rendition is made once with Pillow, on its first request (the
`rendition` view) or ahead of time (`manage.py make_renditions`), and kept under MEDIA_ROOT at
`renditions/<kind>/<original name>.webp`, which is also its URL under `/renditions/`: a front
server may serve that folder directly and pass only the misses to the site. The original stays
what zoom and the predictor use (`Image.src`).
"""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from itertools import islice
from pathlib import Path

from django.conf import settings
from django.core.files.storage import default_storage
from django.urls import reverse
from PIL import Image as Picture
from PIL import ImageOps

from ratings_site.datasets.pictures import open_picture

# The kinds: the longest side in pixels (never upscaled) and the WebP quality.
KINDS: dict[str, tuple[int, int]] = {
    "display": (1600, 80),  # the rating page: sharp on a large screen, a tenth of a PNG's bytes
    "thumb": (320, 75),  # the rater's history
}
# A byte budget per pixel: a picture that is mostly noise (the demo has two) would make a WebP of
# 0.6 bytes per pixel at quality 80, five times a photograph's; it is encoded at a lower quality,
# down to the last step of QUALITY_STEPS, until it fits. Zoom still shows the original.
MAX_BYTES_PER_PIXEL = 0.4
QUALITY_STEPS = (65, 50, 40)
RENDITIONS_DIR = "renditions"
SUFFIX = ".webp"


class RenditionError(Exception):
    """The original is missing or not a readable image: the view answers 404."""


def rendition_name(kind: str, name: str) -> str:
    """Where the `kind` rendition of the stored file `name` lives in the default storage."""
    return f"{RENDITIONS_DIR}/{kind}/{name}{SUFFIX}"


def rendition_url(kind: str, name: str) -> str:
    """Its URL, /renditions/<kind>/<name>.webp (the same path as on disk): from the name alone,
    with no query and no file access, so pages can link renditions not made yet."""
    return reverse("rendition", kwargs={"kind": kind, "path": name + SUFFIX})


def ensure_rendition(kind: str, name: str) -> Path:
    """The path of the `kind` rendition of the stored file `name`, made now when missing.

    Kept as long as it is at least as new as its original (a file replaced under the same name
    gets a new rendition). Written to a temporary file and renamed into place, so a concurrent
    request sees the whole file or none; two requests racing both write the same bytes.
    Raises RenditionError for a missing or unreadable original or one over MAX_IMAGE_PIXELS, and SuspiciousFileOperation
    (from the storage) for a name outside MEDIA_ROOT.
    """
    max_side, quality = KINDS[kind]
    source = Path(default_storage.path(name))
    target = Path(default_storage.path(rendition_name(kind, name)))
    try:
        if target.stat().st_mtime >= source.stat().st_mtime:
            return target
    except FileNotFoundError:
        pass
    data = _encode(source, max_side, quality)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=".", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.chmod(temporary, settings.FILE_UPLOAD_PERMISSIONS or 0o644)  # mkstemp makes it 0600
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target


def _encode(source: Path, max_side: int, quality: int) -> bytes:
    """The WebP bytes of `source` fitted within max_side × max_side, upright, without its metadata.

    An original over MAX_IMAGE_PIXELS is refused before it is decoded (RenditionError, as a broken one)."""
    try:
        with open_picture(source) as picture:
            icc_profile = picture.info.get("icc_profile") if picture.mode in ("RGB", "RGBA") else None
            picture.draft(None, (max_side, max_side))  # a JPEG decodes at a fraction of its size: faster
            upright = ImageOps.exif_transpose(picture)
            upright.thumbnail((max_side, max_side), Picture.Resampling.LANCZOS)  # keeps the ratio; never enlarges
            upright = _webp_mode(upright)
            data = _webp(upright, quality=quality, icc_profile=icc_profile)
            budget = MAX_BYTES_PER_PIXEL * upright.width * upright.height
            for lower in (step for step in QUALITY_STEPS if step < quality):
                if len(data) <= budget:
                    break
                data = _webp(upright, quality=lower, icc_profile=icc_profile)
            if len(data) > source.stat().st_size:  # a flat drawing, whose PNG beats lossy WebP: lossless does too
                data = min(data, _webp(upright, lossless=True, icc_profile=icc_profile), key=len)
    except Exception as error:  # Pillow raises many kinds for a broken or missing file
        raise RenditionError(f"{source.name}: not a readable image ({error})") from error
    return data


def _webp(picture: Picture.Image, **options: object) -> bytes:
    out = io.BytesIO()
    picture.save(out, format="WEBP", method=4, **options)  # 6 would save 4 % of the bytes at twice the time
    return out.getvalue()


def _webp_mode(picture: Picture.Image) -> Picture.Image:
    """RGB, or RGBA where the picture has transparency (P, LA, PA): WebP holds only those."""
    if picture.mode in ("RGB", "RGBA"):
        return picture
    return picture.convert("RGBA" if picture.has_transparency_data else "RGB")  # CMYK, L, I;16 ... -> RGB


def ensure_renditions(names: Iterable[str], *, workers: int | None = None) -> Iterator[tuple[str, bool]]:
    """Every kind of rendition for each stored file name, in threads (Pillow lets go of the GIL).

    Yields (name, made) per name in order, made False when the original is missing or broken.
    Takes the names a batch at a time, so millions of them never queue up in memory.
    """
    names = iter(names)
    workers = workers or min(8, os.cpu_count() or 1)

    def make(name: str) -> bool:
        try:
            for kind in KINDS:
                ensure_rendition(kind, name)
        except RenditionError:
            return False
        return True

    with ThreadPoolExecutor(max_workers=workers) as pool:
        while batch := list(islice(names, workers * 16)):
            yield from zip(batch, pool.map(make, batch))
