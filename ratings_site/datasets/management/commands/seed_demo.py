"""`manage.py seed_demo [--count 36]`: a public dataset of pictures drawn with Pillow, and the captchas.

For trying the site offline: nothing is downloaded. Running it again creates only what is missing.
"""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Q

from ratings_site.datasets.captchas import add_drawn_image, ensure_captcha_images
from ratings_site.datasets.models import HAS_FILE, Dataset, Image
from ratings_site.datasets.renditions import ensure_renditions
from ratings_site.datasets.services import recount_images

DEMO_DATASET_SLUG = "demo"
# Captchas for the demo: two of each answer is plenty for trying the site, and quick to draw (about 1 s).
DEMO_CAPTCHAS = 20


def ensure_demo_images(count: int) -> tuple[Dataset, int]:
    """The demo dataset with pictures 0 to count-1; returns it and how many pictures were created."""
    # Imported here, not at the top: the demo painters are development only, and importing this module
    # (`manage.py help`, the architecture tests) must not load them (tests/test_demo_painters_not_imported_by_web.py).
    from ratings_site.demo.painters import demo_image

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
    created = 0
    for index in range(count):

        def draw(index: int = index) -> tuple[bytes, dict[str, Any]]:
            picture = demo_image(index)
            fields = {"caption": picture.caption, "width": picture.width, "height": picture.height}
            return picture.png, {**fields, "source": {"drawn": "demo", "index": index}}

        created += add_drawn_image(dataset, f"demo/demo-{index:03d}.png", draw) is not None
    return dataset, created


class Command(BaseCommand):
    help = "Create a public 'demo' dataset of pictures drawn with Pillow (no downloads), and the captcha images."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--count", type=int, default=36, help="How many demo pictures (default 36).")

    def handle(self, *args: Any, **options: Any) -> None:
        count = options["count"]
        if count < 0:
            raise CommandError("--count must be 0 or more")
        dataset, created = ensure_demo_images(count)
        self.stdout.write(f"Demo images: created {created}, {dataset.images.count()} in the dataset '{dataset.slug}'.")
        # After the demo pictures, so that the captchas pass for them (named and captioned alike).
        captchas = ensure_captcha_images(DEMO_CAPTCHAS)
        self.stdout.write(f"Captcha images: created {captchas}.")
        recount_images()
        # Ready before the first rater asks (the site would make them then); the captchas' too, so that
        # a captcha is not the one picture that loads slowly.
        files = Image.objects.filter(HAS_FILE, Q(dataset=dataset) | Q(is_captcha=True, hidden=False))
        ready = sum(made for _, made in ensure_renditions(files.values_list("file", flat=True)))
        self.stdout.write(f"Renditions: {ready} demo images and captchas ready.")
        # Demo pictures drawn by the same painter often share a caption: groups for /rate/demo/best/.
        call_command("refresh_prompt_groups", dataset=[dataset.slug], stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("Done."))
