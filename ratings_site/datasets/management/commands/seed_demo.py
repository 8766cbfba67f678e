"""`manage.py seed_demo [--count 36]`: a public dataset of pictures drawn with Pillow, and the check images.

For trying the site offline: nothing is downloaded. Running it again creates only what is missing.

The pictures are numbered sparsely (`demo_file_name`: demo/demo-417.png), not 000, 001, ... in a row, so that a
check image, named as they are with a free number inside their range (datasets.captchas.captcha_file_name), is not
told apart by a number above the last picture. A database seeded before, with the old contiguous names, has its
pictures moved to their new names on the next run (`move_contiguous_demo_names`): the same rows, ratings and
bytes, nothing drawn or duplicated.
"""

from __future__ import annotations

import random
from typing import Any

from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Q
from django.utils.crypto import salted_hmac

from ratings_site.datasets.captchas import add_drawn_image, ensure_best_checks, ensure_captcha_images
from ratings_site.datasets.models import HAS_FILE, Dataset, Image
from ratings_site.datasets.renditions import KINDS, ensure_renditions, rendition_name
from ratings_site.datasets.services import recount_images

DEMO_DATASET_SLUG = "demo"
# Checks for the demo: two captchas of each answer, and a few best-of checks, are plenty for trying the site and
# quick to draw (about 1.5 s in all).
DEMO_CAPTCHAS = 20
DEMO_BEST_CHECKS = 8
# The pictures' numbers: three digits, 000 to 999. At most half of them are pictures, so that the check images
# named among them find free numbers in the same range.
DEMO_NUMBERS = 1000
DEMO_COUNT_MAX = DEMO_NUMBERS // 2


def _spread() -> list[int]:
    """The demo's numbers in the order its pictures take them: a shuffle of 000-999 keyed by this site's
    SECRET_KEY. Fixed for a site (a reset database gets the same names back, and reuses the files), and not
    something the public code alone can compute (the site's check images hide among these numbers)."""
    seed = salted_hmac("ratings_site.seed_demo.names", "spread").hexdigest()
    return random.Random(seed).sample(range(DEMO_NUMBERS), DEMO_NUMBERS)


def demo_file_name(index: int, spread: list[int] | None = None) -> str:
    """Where demo picture `index` is stored when its number is free: demo/demo-NNN.png, NNN from `_spread()`."""
    return f"demo/demo-{(spread or _spread())[index]:03d}.png"


def _contiguous_name(index: int) -> str:
    """The name seed_demo gave picture `index` before its pictures were numbered sparsely."""
    return f"demo/demo-{index:03d}.png"


def _free_name(index: int, spread: list[int]) -> str:
    """`demo_file_name(index)`, or when an image (a check named among the pictures) holds it already, a random
    free number of the range: never the picture's old contiguous name."""
    name = demo_file_name(index, spread)
    if not Image.objects.filter(file=name).exists():
        return name
    for _ in range(200):
        name = f"demo/demo-{random.randrange(DEMO_NUMBERS):03d}.png"
        if name != _contiguous_name(index) and not Image.objects.filter(file=name).exists():
            if not default_storage.exists(name):
                return name
    raise CommandError("No free name left for a demo picture: there are too many images under demo/.")


def ensure_demo_images(count: int) -> tuple[Dataset, int]:
    """The demo dataset with pictures 0 to count-1; returns it and how many pictures were created."""
    # Imported here, not at the top: the demo painters are development only, and importing this module
    # (`manage.py help`, the architecture tests) must not load them (tests/test_demo_code_never_imported_by_production.py).
    from ratings_site.demo.painters import demo_image

    if count > DEMO_COUNT_MAX:
        raise CommandError(f"The demo has at most {DEMO_COUNT_MAX} pictures (numbered among 000-999).")
    dataset, _ = Dataset.objects.get_or_create(
        slug=DEMO_DATASET_SLUG,
        defaults={
            "name": "Demo images",
            "description": (
                "Pictures drawn with Pillow by `manage.py seed_demo`, so the site can be tried offline: "
                "sunsets, landscapes, patterns and some deliberately ugly ones, to give raters a range."
            ),
            "public": True,
        },
    )
    present = set(dataset.images.filter(source__drawn="demo").values_list("source__index", flat=True))
    spread = _spread()
    created = 0
    for index in range(count):
        if index in present:
            continue

        def draw(index: int = index) -> tuple[bytes, dict[str, Any]]:
            picture = demo_image(index)
            fields = {"caption": picture.caption, "width": picture.width, "height": picture.height}
            return picture.png, {**fields, "source": {"drawn": "demo", "index": index}}

        # Nothing drawn twice: an image of the dataset with the same bytes (`add_drawn_image`) is kept instead.
        created += add_drawn_image(dataset, _free_name(index, spread), draw) is not None
    return dataset, created


def move_contiguous_demo_names() -> int:
    """Move the pictures of a demo seeded before the sparse numbering (demo/demo-000.png, -001, ... in a row) to
    their new names, with their renditions made again under them: the same rows (ratings and all), the same bytes.
    Returns how many moved; none on a demo seeded since, so running it again does nothing."""
    dataset = Dataset.objects.filter(slug=DEMO_DATASET_SLUG).first()
    if dataset is None:
        return 0
    spread = _spread()
    moved = 0
    for image in dataset.images.filter(HAS_FILE, source__drawn="demo"):
        index = image.source.get("index")
        old = image.file.name
        if not isinstance(index, int) or old != _contiguous_name(index) or old == demo_file_name(index, spread):
            continue
        if not default_storage.exists(old):
            continue  # its file is gone: nothing to move (the rendition view reports it as broken)
        new = _free_name(index, spread)
        if default_storage.exists(new):  # left by a database reset: no image holds it (_free_name made sure)
            default_storage.delete(new)
        with default_storage.open(old) as source:
            stored = default_storage.save(new, source)
        Image.objects.filter(pk=image.pk).update(file=stored)
        default_storage.delete(old)
        for kind in KINDS:
            if default_storage.exists(rendition_name(kind, old)):
                default_storage.delete(rendition_name(kind, old))
        moved += 1
    return moved


class Command(BaseCommand):
    help = "Create a public 'demo' dataset of pictures drawn with Pillow (no downloads), and the check images."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--count", type=int, default=36, help=f"How many demo pictures (default 36, at most {DEMO_COUNT_MAX})."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        count = options["count"]
        if not 0 <= count <= DEMO_COUNT_MAX:
            raise CommandError(f"--count must be 0 to {DEMO_COUNT_MAX}")
        moved = move_contiguous_demo_names()
        if moved:
            self.stdout.write(f"Demo images: moved {moved} to their sparse numbers (named as before this version).")
        dataset, created = ensure_demo_images(count)
        self.stdout.write(f"Demo images: created {created}, {dataset.images.count()} in the dataset '{dataset.slug}'.")
        # After the demo pictures, so that the checks pass for them (named and captioned alike).
        captchas = ensure_captcha_images(DEMO_CAPTCHAS)
        self.stdout.write(f"Captcha images: created {captchas}.")
        best_checks = ensure_best_checks(DEMO_BEST_CHECKS)
        self.stdout.write(f"Best-of checks: created {best_checks}.")
        recount_images()
        # Ready before the first rater asks (the site would make them then); the checks' too, so that a check is
        # not the one picture that loads slowly.
        files = Image.objects.filter(HAS_FILE, Q(dataset=dataset) | Q(is_captcha=True, hidden=False))
        ready = sum(made for _, made in ensure_renditions(files.values_list("file", flat=True)))
        self.stdout.write(f"Renditions: {ready} demo images and check images ready.")
        # Demo pictures drawn by the same painter often share a caption: groups for /rate/demo/best/.
        call_command("refresh_prompt_groups", dataset=[dataset.slug], stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("Done."))
