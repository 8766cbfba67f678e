"""`manage.py make_captchas [--variants 3]`: draw the captcha images that are missing (no demo dataset)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ratings_site.datasets.captchas import ensure_captcha_images


class Command(BaseCommand):
    help = "Create the non-public 'captchas' dataset: images asking for each rating from 1 to 10."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--variants", type=int, default=3, help="Pictures per answer (default 3).")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["variants"] < 1:
            raise CommandError("--variants must be 1 or more")
        created = ensure_captcha_images(options["variants"])
        self.stdout.write(self.style.SUCCESS(f"Captcha images: created {created}."))
