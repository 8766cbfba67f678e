"""`manage.py make_renditions [--dataset SLUG]`: make the renditions of image files ahead of their first request.

The site makes a missing rendition when it is first asked for; this makes them all at once (after an
import, say), so that no rater waits and a front server can serve MEDIA_ROOT/renditions/ alone.
Renditions already made are kept; running it again only checks them.
"""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from tqdm import tqdm

from ratings_site.datasets.models import HAS_FILE, Image
from ratings_site.datasets.renditions import KINDS, ensure_renditions


class Command(BaseCommand):
    help = f"Make the renditions ({', '.join(KINDS)}) of every image stored as a file, where missing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dataset", help="only this dataset's images (its slug)")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        images = Image.objects.filter(HAS_FILE)
        if options["dataset"]:
            images = images.filter(dataset__slug=options["dataset"])
        names = images.order_by("pk").values_list("file", flat=True)
        ready, broken = 0, []
        with tqdm(
            total=names.count(), unit="img", desc="Renditions", file=sys.stderr, disable=options["no_progress"]
        ) as progress:
            for name, made in ensure_renditions(names.iterator()):
                if made:
                    ready += 1
                else:
                    broken.append(name)
                progress.update(1)
        for name in broken[:20]:
            self.stderr.write(f"Not a readable image: {name}")
        self.stdout.write(self.style.SUCCESS(f"Renditions: {ready} images ready, {len(broken)} unreadable."))
