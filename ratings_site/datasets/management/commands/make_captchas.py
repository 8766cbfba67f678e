"""`manage.py make_captchas [--count 100] [--best 0]`: draw N new captcha images, and M best-of checks (no demo
dataset).

Each is unique and passes for an image of a public dataset (see datasets.captchas); run it after importing
a dataset, so that its raters get checks that look like its images, and again whenever the pool runs low
(each rater answers each check once). Captchas are the rating page's checks ("RATE THIS IMAGE A 7"); best-of
checks the best-of page's ("THIS IS THE BEST IMAGE / PICK IT", shown among a prompt group's images). It also hides
the fixed captchas of earlier versions.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ratings_site.datasets.captchas import (
    BEST_CHECK,
    RATING_CHECK,
    make_best_checks,
    make_captchas,
    retire_legacy_captchas,
)
from ratings_site.datasets.models import Image
from ratings_site.datasets.renditions import ensure_renditions


class Command(BaseCommand):
    help = (
        "Draw N new captcha images (answers spread over 1 to 10) and M best-of checks, each unique, into the "
        "non-public 'captchas' dataset."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--count", type=int, default=100, help="How many new captchas to draw (default 100).")
        parser.add_argument(
            "--best", type=int, default=0, help="How many new best-of checks to draw (default 0; try 20 per dataset)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        count, best = options["count"], options["best"]
        if count < 0 or best < 0:
            raise CommandError("--count and --best must be 0 or more")
        if count + best < 1:
            raise CommandError("--count must be 1 or more (or --count 0 with --best 1 or more)")
        retired = retire_legacy_captchas()
        made = make_captchas(count)
        best_made = make_best_checks(best)
        # Their renditions are made now, as the datasets' are, so that a check is not the one slow first load.
        ready = sum(done for _, done in ensure_renditions(image.file.name for image in [*made, *best_made]))
        in_use = Image.objects.filter(RATING_CHECK, hidden=False).count()
        self.stdout.write(f"Captcha images: created {len(made)} ({ready} with renditions); {in_use} in use.")
        if best or Image.objects.filter(BEST_CHECK).exists():
            best_in_use = Image.objects.filter(BEST_CHECK, hidden=False).count()
            self.stdout.write(f"Best-of checks: created {len(best_made)}; {best_in_use} in use.")
        if retired:
            self.stdout.write(f"Retired {retired} captchas of the old fixed set (their files are known).")
        self.stdout.write(self.style.SUCCESS("Done."))
