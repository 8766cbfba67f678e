"""The captcha pool: drawn images that say "RATE THIS IMAGE A 7", kept in a non-public dataset.

Captcha images never enter the queue (the queue rule, `datasets.services.queue_condition`, keeps them out);
the rating flow shows one now and then and compares the rating with `captcha_answer`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from ratings_site.datasets.drawing import DEFAULT_SIZE, draw_captcha_image
from ratings_site.datasets.models import Dataset, Image
from ratings_site.datasets.services import refresh_queue

CAPTCHA_DATASET_SLUG = "captchas"
CAPTCHA_ANSWERS = range(1, 11)


def add_drawn_image(dataset: Dataset, name: str, draw: Callable[[], tuple[bytes, dict[str, Any]]]) -> Image | None:
    """Add a drawn PNG to `dataset`, stored as `name` in the default storage; None when already there.

    `draw()` gives the PNG's bytes and the Image's other fields (caption, width, ...).

    Idempotent: when an image of the dataset already holds `name` nothing is drawn, and when
    one has the same bytes (`dedupe_key`) nothing is stored. A file left at `name` that no
    image holds (its row was deleted, or the database reset) is replaced.
    """
    if Image.objects.filter(dataset=dataset, file=name).exists():
        return None
    data, fields = draw()
    dedupe_key = hashlib.sha256(data).hexdigest()
    if Image.objects.filter(dataset=dataset, dedupe_key=dedupe_key).exists():
        return None
    if default_storage.exists(name) and not Image.objects.filter(file=name).exists():
        default_storage.delete(name)
    stored = default_storage.save(name, ContentFile(data))
    image = Image.objects.create(dataset=dataset, file=stored, dedupe_key=dedupe_key, **fields)
    refresh_queue(Image.objects.filter(pk=image.pk))
    return image


def captcha_dataset() -> Dataset:
    """The captcha pool's dataset, created when missing; never public."""
    dataset, created = Dataset.objects.get_or_create(
        slug=CAPTCHA_DATASET_SLUG,
        defaults={
            "name": "Captchas",
            "description": "Images that ask for a given rating, to catch raters who do not look.",
            "public": False,
        },
    )
    if not created and dataset.public:
        dataset.public = False
        dataset.save(update_fields=["public"])
    return dataset


def captcha_file_name(answer: int, variant: int) -> str:
    """A stable name that does not give the answer away (raters see the image's URL)."""
    digest = hashlib.sha256(f"{settings.SECRET_KEY}:captcha:{answer}:{variant}".encode()).hexdigest()[:32]
    return f"captchas/{digest}.png"


def ensure_captcha_images(variants: int = 3) -> int:
    """Draw the captcha images (answers 1 to 10, `variants` pictures of each) that are missing.

    Returns how many were created; running it again creates none.
    """
    dataset = captcha_dataset()
    width, height = DEFAULT_SIZE
    created = 0
    for answer in CAPTCHA_ANSWERS:
        for variant in range(variants):

            def draw(answer: int = answer, variant: int = variant) -> tuple[bytes, dict[str, Any]]:
                return draw_captcha_image(answer, variant, DEFAULT_SIZE), {
                    "caption": f"Captcha: rate this image a {answer}",
                    "is_captcha": True,
                    "captcha_answer": answer,
                    "width": width,
                    "height": height,
                    "source": {"drawn": "captcha", "variant": variant},
                }

            created += add_drawn_image(dataset, captcha_file_name(answer, variant), draw) is not None
    return created
