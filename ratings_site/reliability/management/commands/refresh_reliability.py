"""`manage.py refresh_reliability [--full]`: bring the agreement figures and the raters' weights up to date now."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from tqdm import tqdm

from ratings_site.reliability.agreement import pending_ratings, refresh_agreement
from ratings_site.reliability.weights import refresh_weights


class Command(BaseCommand):
    help = (
        "Take the new and changed ratings into the agreement figures (Krippendorff's alpha per dataset, ratings "
        "per day), then compute every rater's reliability weight. With --full, the agreement figures are rebuilt "
        "from every rating instead."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--full", action="store_true", help="rebuild the agreement figures from scratch")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        full = options["full"]
        show_progress = options["verbosity"] > 0 and not options["no_progress"] and sys.stderr.isatty()
        total = pending_ratings(full=full) if show_progress else None
        with tqdm(total=total, unit="rating", desc="Agreement", file=sys.stderr, disable=not show_progress) as bar:
            run = refresh_agreement(full=full, progress=bar.update)
        weights = refresh_weights()
        mu = "–" if weights.population_msd is None else f"{weights.population_msd:.3f}"
        pass_rate = "–" if weights.population_pass_rate is None else f"{weights.population_pass_rate:.1%}"
        self.stdout.write(
            f"Agreement: {run.ratings_taken} new ratings taken in, {run.images_read} images read, up to rating id "
            f"{run.last_rating_id}. Weights: {weights.raters} raters (population mean squared difference {mu}, "
            f"check pass rate {pass_rate})."
        )
