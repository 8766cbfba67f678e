"""`manage.py refresh_prompt_groups [--dataset SLUG]`: group the images that share a prompt, for the best-of page."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ratings_site.bestof.services import refresh_prompt_groups
from ratings_site.datasets.models import Dataset


class Command(BaseCommand):
    help = (
        "Cut the images of each dataset that share a prompt (caption) into groups of 2 to 4 for /rate/<slug>/best/, "
        "and set each group's place in the queue right. Run it after an import, after moderation, or after "
        "BEST_PICKS_PER_GROUP changed; running it again only adds what is missing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dataset", action="append", metavar="SLUG", help="Only this dataset (repeatable).")

    def handle(self, *args: Any, **options: Any) -> None:
        datasets = None
        if options["dataset"]:
            datasets = list(Dataset.objects.filter(slug__in=options["dataset"]))
            missing = set(options["dataset"]) - {dataset.slug for dataset in datasets}
            if missing:
                raise CommandError(f"No dataset {', '.join(sorted(missing))}")
        report = refresh_prompt_groups(datasets)
        self.stdout.write(
            self.style.SUCCESS(
                f"Prompt groups: {report.groups_created} created ({report.images_grouped} images), "
                f"{report.opened} back in the queue, {report.closed} out of it."
            )
        )
