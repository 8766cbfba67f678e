"""The captcha pool: drawn images that say "RATE THIS IMAGE A 7", kept in a non-public dataset.

Captcha images never enter the queue (the queue rule, `datasets.services.queue_condition`, keeps them out);
the rating flow shows one now and then and compares the rating with `captcha_answer`.

A captcha must not be told from a dataset image by anything but looking at it, so each one is drawn to pass
for an image of a public dataset (its "cover"):
- its file is named as that dataset's files are, in the same folder (`images/<slug>/<sha256 of its bytes>.png`
  as the importer names them, `demo/demo-417.png` beside the demo's), in the same format, at the same size;
- its caption describes its background, as a dataset image's caption does (never the answer);
- `source["poses_as"]` keeps the cover's id, so that the rate page names that dataset on the card
  (`ratings.selectors.dataset_shown_for`) and a rater rating one dataset gets that dataset's captchas;
- every captcha is drawn from its own random 64-bit variant (`drawing.draw_captcha`): no two files are alike,
  so no table of file hashes gives an answer. Make many (`make_captchas --count N`): each rater answers each
  one at most once.
Captchas drawn before this (30 fixed pictures under `captchas/`, captioned with their answer) are known by their
hashes: `retire_legacy_captchas` hides them.

Best-of checks (`make_best_checks`, `make_captchas --best N`) live in the same pool and pass for a dataset's images
the same way, but say "THIS IS THE BEST IMAGE / PICK IT" (`drawing.draw_best_check`): the best-of page shows one
now and then among a prompt group's images (ratings_site/bestof/checks.py). They have no `captcha_answer` (their
answer is "pick me"), which is what tells them from the rating page's checks (`BEST_CHECK`, `RATING_CHECK`): the
rating page never serves one, the best-of page only those.

A numbered cover's files (`demo/demo-417.png`) leave a check a free number inside the range its dataset's own
files already use, of the same width (`captcha_file_name`): never all above the dataset's last image.
"""

from __future__ import annotations

import hashlib
import random
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models import Max, Min, Q
from django.db.models.functions import Length
from django.utils import timezone

from ratings_site.datasets.drawing import DEFAULT_SIZE, IMAGE_FORMATS, DrawnPicture, Size, draw_best_check, draw_captcha
from ratings_site.datasets.models import HAS_FILE, Dataset, Image
from ratings_site.datasets.services import refresh_queue

CAPTCHA_DATASET_SLUG = "captchas"
CAPTCHA_ANSWERS = range(1, 11)
LEGACY_CAPTCHA_FOLDER = "captchas/"
# A cover's own picture size is used when it is within these bounds (drawing time grows with the pixels).
_SIZE_BOUNDS = (256, 2048)
_SHA256_STEM = re.compile(r"[0-9a-f]{64}")
_NUMBERED_STEM = re.compile(r"(.*?)([0-9]+)")
# The two kinds of check image: the rating page's ("RATE THIS IMAGE A 7", answered by that rating) and the best-of
# page's ("THIS IS THE BEST IMAGE / PICK IT", answered by picking it: no captcha_answer).
RATING_CHECK = Q(is_captcha=True, captcha_answer__isnull=False)
BEST_CHECK = Q(is_captcha=True, captcha_answer__isnull=True)


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


@dataclass(frozen=True)
class Cover:
    """A public dataset a new captcha passes for, and one of its images' file name and size to imitate."""

    dataset: Dataset
    sample: str
    size: Size


def covers() -> list[Cover]:
    """The public datasets whose images are files (a captcha cannot pass for a remote URL), one sample each."""
    found = []
    for dataset in Dataset.objects.filter(public=True).order_by("pk"):
        sample = (
            Image.objects.filter(HAS_FILE, dataset=dataset, is_captcha=False)
            .order_by("pk")
            .values_list("file", "width", "height")
            .first()
        )
        if sample is None:
            continue
        name, width, height = sample
        low, high = _SIZE_BOUNDS
        size = (width, height) if width and height and low <= width <= high and low <= height <= high else DEFAULT_SIZE
        found.append(Cover(dataset=dataset, sample=name, size=size))
    return found


def _split(name: str) -> tuple[str, str, str]:
    """("demo/", "demo-007", "png") for "demo/demo-007.png"."""
    folder, slash, base = name.rpartition("/")
    stem, dot, ext = base.rpartition(".")
    if not dot:
        stem, ext = base, ""
    return folder + slash, stem, ext.lower()


def captcha_format(sample: str) -> tuple[str, str]:
    """The Pillow format and file extension a captcha posing beside `sample` is stored in (PNG when unknown)."""
    ext = _split(sample)[2]
    return (IMAGE_FORMATS[ext], ext) if ext in IMAGE_FORMATS else ("PNG", "png")


def captcha_file_name(*, sample: str, data: bytes, ext: str, dataset: Dataset | None = None) -> str:
    """A free name for a captcha's file, made as `sample`'s (a file of `dataset`, the cover) was, in its folder.

    A name that is the file's SHA-256 (the importer's) becomes this file's SHA-256; a numbered name gets an
    unused number of the same width, inside the range of numbers the cover's own files of that shape use (so that
    a check is never told by a number above the dataset's last image: `_numbers_in_use`), wider only when that
    range is full; any other a random name of the same length. Without a sample: a random name under
    `images/<year>/<month>/`, where files uploaded to an Image go.
    """
    if not sample:
        return f"{timezone.now():images/%Y/%m/}{secrets.token_hex(16)}.{ext}"
    folder, stem, _ = _split(sample)
    if _SHA256_STEM.fullmatch(stem):
        return f"{folder}{hashlib.sha256(data).hexdigest()}.{ext}"
    numbered = _NUMBERED_STEM.fullmatch(stem)
    in_use = _numbers_in_use(dataset, sample) if numbered and dataset is not None else None
    for attempt in range(120):
        if numbered:
            prefix, digits = numbered.groups()
            # Within the dataset's own range first; when that is full, any number of the width, then longer ones.
            width = len(digits) + max(0, attempt - 60) // 20
            low, high = in_use if in_use is not None and attempt < 40 else (0, 10**width - 1)
            new_stem = f"{prefix}{low + secrets.randbelow(high - low + 1):0{width}d}"
        else:
            new_stem = secrets.token_hex(max(8, len(stem)))[: max(8, len(stem))]
        name = f"{folder}{new_stem}.{ext}"
        if not default_storage.exists(name) and not Image.objects.filter(file=name).exists():
            return name
    raise RuntimeError(f"No free name for a captcha beside {sample!r}")


def _numbers_in_use(dataset: Dataset, sample: str) -> tuple[int, int] | None:
    """The lowest and highest number among `dataset`'s own files named as `sample` is (same folder, prefix, width
    and extension: "demo/demo-###.png"), or None when it has none. One query (a MIN and a MAX: names of one width
    sort as their numbers do)."""
    folder, stem, ext = _split(sample)
    numbered = _NUMBERED_STEM.fullmatch(stem)
    if numbered is None:
        return None
    prefix = folder + numbered.group(1)
    found = (
        Image.objects.filter(HAS_FILE, dataset=dataset, is_captcha=False, file__startswith=prefix)
        .filter(file__endswith=f".{ext}" if ext else "")
        .annotate(name_length=Length("file"))
        .filter(name_length=len(sample))
        .aggregate(low=Min("file"), high=Max("file"))
    )
    numbers = []
    for name in (found["low"], found["high"]):
        digits = _NUMBERED_STEM.fullmatch(_split(name)[1]) if name else None
        if digits is None or digits.group(1) != numbered.group(1) or len(digits.group(2)) != len(numbered.group(2)):
            return None
        numbers.append(int(digits.group(2)))
    return numbers[0], numbers[1]


def spread_answers(count: int) -> list[int]:
    """`count` answers spread evenly over 1 to 10 (each within one of count/10), in random order."""
    start = secrets.randbelow(len(CAPTCHA_ANSWERS))
    answers = [CAPTCHA_ANSWERS[(start + i) % len(CAPTCHA_ANSWERS)] for i in range(count)]
    random.SystemRandom().shuffle(answers)
    return answers


def make_captchas(count: int) -> list[Image]:
    """Draw `count` new captchas, their answers spread over 1 to 10 and their covers over the public datasets.

    Each is unique (a random variant), named and sized like its cover's images, and captioned like them.
    """
    answers = spread_answers(count)
    return _make_checks(
        count,
        lambda index, size, image_format: (
            draw_captcha(answers[index], secrets.randbits(64), size, image_format),
            {"captcha_answer": answers[index]},
        ),
    )


def make_best_checks(count: int) -> list[Image]:
    """Draw `count` new best-of checks ("THIS IS THE BEST IMAGE / PICK IT"), their covers spread over the public
    datasets: each unique, named, sized and captioned like its cover's images, as a captcha is. They have no
    `captcha_answer` (`BEST_CHECK`); `source["check"]` says "best" for whoever reads the row."""
    return _make_checks(
        count,
        lambda index, size, image_format: (draw_best_check(secrets.randbits(64), size, image_format), {}),
        source={"check": "best"},
    )


def _make_checks(
    count: int,
    draw: Callable[[int, Size, str], tuple[DrawnPicture, dict[str, Any]]],
    *,
    source: dict[str, Any] | None = None,
) -> list[Image]:
    """Draw `count` check images into the pool, each posing as an image of one of the covers in turn: `draw(index,
    size, format)` gives the picture and the row's own fields."""
    pool = captcha_dataset()
    available = covers()
    first = secrets.randbelow(len(available)) if available else 0
    made = []
    for index in range(count):
        cover = available[(first + index) % len(available)] if available else None
        image_format, ext = captcha_format(cover.sample if cover else "")
        size = cover.size if cover else DEFAULT_SIZE
        picture, fields = draw(index, size, image_format)
        name = captcha_file_name(
            sample=cover.sample if cover else "", data=picture.data, ext=ext, dataset=cover.dataset if cover else None
        )
        stored = default_storage.save(name, ContentFile(picture.data))
        made.append(
            Image.objects.create(
                dataset=pool,
                file=stored,
                dedupe_key=hashlib.sha256(picture.data).hexdigest(),
                caption=picture.caption,
                width=picture.width,
                height=picture.height,
                is_captcha=True,
                source={**({"poses_as": cover.dataset.pk} if cover else {}), **(source or {})},
                **fields,
            )
        )
    return made


def retire_legacy_captchas() -> int:
    """Hide the captchas drawn before each was unique (files under `captchas/`, captions that give the answer):
    their file hashes are known. Returns how many were hidden."""
    legacy = Q(file__startswith=LEGACY_CAPTCHA_FOLDER) | Q(caption__istartswith="Captcha: rate this image")
    return Image.objects.filter(legacy, is_captcha=True, hidden=False).update(hidden=True)


def ensure_captcha_images(minimum: int) -> int:
    """At least `minimum` captchas (the rating page's checks) in use (after retiring the legacy ones): draw those
    missing.

    Returns how many were drawn; running it again draws none. For the demo; production makes more with
    `make_captchas --count N`.
    """
    retire_legacy_captchas()
    in_use = Image.objects.filter(RATING_CHECK, hidden=False).count()
    return len(make_captchas(max(0, minimum - in_use)))


def ensure_best_checks(minimum: int) -> int:
    """At least `minimum` best-of checks in use: draw those missing; returns how many were drawn. For the demo;
    production makes more with `make_captchas --best N`."""
    in_use = Image.objects.filter(BEST_CHECK, hidden=False).count()
    return len(make_best_checks(max(0, minimum - in_use)))
