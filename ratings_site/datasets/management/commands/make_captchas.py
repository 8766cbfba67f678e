"""`manage.py make_captchas [--count 100]`: draw N new captcha images (no demo dataset).

Each is unique and passes for an image of a public dataset (see datasets.captchas); run it after importing
a dataset, so that its raters get captchas that look like its images, and again whenever the pool runs low
(each rater answers each captcha once). It also hides the fixed captchas of earlier versions.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ratings_site.datasets.captchas import make_captchas, retire_legacy_captchas
from ratings_site.datasets.models import Image
from ratings_site.datasets.renditions import ensure_renditions


class Command(BaseCommand):
    help = "Draw N new captcha images (answers spread over 1 to 10), each unique, into the non-public 'captchas' dataset."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--count", type=int, default=100, help="How many new captchas to draw (default 100).")

    def handle(self, *args: Any, **options: Any) -> None:
        count = options["count"]
        if count < 1:
            raise CommandError("--count must be 1 or more")
        retired = retire_legacy_captchas()
        made = make_captchas(count)
        # Their renditions are made now, as the datasets' are, so that a captcha is not the one slow first load.
        ready = sum(done for _, done in ensure_renditions(image.file.name for image in made))
        in_use = Image.objects.filter(is_captcha=True, hidden=False).count()
        self.stdout.write(f"Captcha images: created {len(made)} ({ready} with renditions); {in_use} in use.")
        if retired:
            self.stdout.write(f"Retired {retired} captchas of the old fixed set (their files are known).")
        self.stdout.write(self.style.SUCCESS("Done."))
