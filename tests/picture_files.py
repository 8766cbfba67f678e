"""Image rows whose files are real pictures under MEDIA_ROOT, for the rendition tests."""

from __future__ import annotations

import hashlib
import io
import uuid
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image as Picture
from PIL import ImageDraw

from ratings_site.datasets.models import Dataset, Image


@pytest.fixture
def media(settings, tmp_path: Path) -> Path:
    """A MEDIA_ROOT of the test's own, so that renditions left by other tests do not count."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def picture(size: tuple[int, int], mode: str = "RGB") -> Picture.Image:
    """A picture with detail (a gradient, circles): flat colours would compress to nothing."""
    gradient = Picture.linear_gradient("L").resize(size)
    image = Picture.merge("RGB", (gradient, gradient.rotate(90).resize(size), Picture.new("L", size, 90)))
    draw = ImageDraw.Draw(image)
    w, h = size
    for n in range(12):
        draw.ellipse(
            (n * w / 14, n * h / 20, n * w / 14 + w / 5, n * h / 20 + h / 5), outline=(250, 40 * n % 255, 30), width=3
        )
    return image.convert(mode) if mode != "RGB" else image


def encoded(image: Picture.Image, format: str = "PNG", **options: object) -> bytes:
    out = io.BytesIO()
    image.save(out, format=format, **options)
    return out.getvalue()


def file_image(data: bytes, name: str | None = None) -> Image:
    """An Image row holding `data` as its file (stored under `name`, or a fresh one)."""
    dataset, _ = Dataset.objects.get_or_create(slug="rendition-tests", defaults={"name": "Rendition tests"})
    stored = default_storage.save(name or f"images/tests/{uuid.uuid4().hex}.png", ContentFile(data))
    return Image.objects.create(dataset=dataset, file=stored, dedupe_key=hashlib.sha256(data).hexdigest())


def rendition_bytes(response) -> bytes:
    assert response.status_code == 200, response
    return b"".join(response.streaming_content)


def opened(data: bytes) -> Picture.Image:
    image = Picture.open(io.BytesIO(data))
    image.load()
    return image
