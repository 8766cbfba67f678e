"""A picture that is mostly noise gets a display rendition within the byte budget (a lower WebP quality),
so that no single demo image makes a rating cycle heavy; an ordinary picture keeps quality 80."""

from __future__ import annotations

import io
import random

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image as Picture

from ratings_site.datasets.renditions import MAX_BYTES_PER_PIXEL, ensure_rendition


def _store(picture: Picture.Image, name: str) -> str:
    out = io.BytesIO()
    picture.save(out, format="PNG")
    return default_storage.save(name, ContentFile(out.getvalue()))


def test_a_noise_picture_is_squeezed_into_the_budget(db) -> None:
    rng = random.Random(7)
    noise = Picture.frombytes("RGB", (512, 512), bytes(rng.getrandbits(8) for _ in range(512 * 512 * 3)))
    name = _store(noise, "images/test/noise.png")

    rendition = ensure_rendition("display", name)

    assert rendition.stat().st_size <= MAX_BYTES_PER_PIXEL * 512 * 512 * 1.25  # the last quality step may not quite fit
    assert rendition.stat().st_size < default_storage.size(name) / 2


def test_a_smooth_picture_keeps_its_quality(db) -> None:
    smooth = Picture.linear_gradient("L").resize((512, 512)).convert("RGB")
    name = _store(smooth, "images/test/smooth.png")
    out = io.BytesIO()
    smooth.save(out, format="WEBP", quality=80, method=4)

    rendition = ensure_rendition("display", name)

    assert rendition.read_bytes() == out.getvalue()  # quality 80, as encoded directly
