"""`manage.py export_ratings [OUT_DIR] [--since DATE] [--base-url URL]`: write the open dataset (see exports/services.py)."""

from __future__ import annotations

import sys
from datetime import UTC, datetime, time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from tqdm import tqdm

from ratings_site.exports import services


def parse_since(value: str) -> datetime:
    """An ISO date (midnight UTC) or datetime (UTC when it names no zone)."""
    try:
        moment = parse_datetime(value)
        if moment is None:
            day = parse_date(value)
            moment = datetime.combine(day, time(0)) if day else None
    except ValueError:
        moment = None
    if moment is None:
        raise CommandError(f"--since {value!r} is not an ISO date (2026-11-29) or datetime (2026-11-29T06:00:00Z).")
    return timezone.make_aware(moment, UTC) if timezone.is_naive(moment) else moment


class Command(BaseCommand):
    help = (
        "Write the open dataset (CC-BY-SA-4.0): ratings.parquet, generations.parquet, pairs.parquet, a README.md "
        "dataset card and manifest.json, into OUT_DIR (default: settings.EXPORT_DIR), replacing the files there "
        "atomically. With --since, only what was recorded since then, written into OUT_DIR/increments/<date>/ "
        "(the download serves the full export at the top of EXPORT_DIR only)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("out_dir", nargs="?", help="the folder to write into (default: settings.EXPORT_DIR)")
        parser.add_argument(
            "--since",
            type=parse_since,
            help="ISO date or datetime (UTC unless it says): only ratings and picks recorded since then, written "
            "into OUT_DIR/increments/<date>/",
        )
        parser.add_argument(
            "--base-url",
            help="makes image file URLs absolute (default: settings or environment SITE_URL, else "
            f"{services.DEFAULT_BASE_URL})",
        )
        parser.add_argument("--batch-rows", type=int, default=services.BATCH_ROWS, help="rows per parquet row group")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["batch_rows"] < 1:
            raise CommandError("--batch-rows must be at least 1.")
        show_progress = options["verbosity"] > 0 and not options["no_progress"] and sys.stderr.isatty()
        total = services.rows_to_export(options["since"]) if show_progress else None
        with tqdm(total=total, unit="row", desc="Exporting", file=sys.stderr, disable=not show_progress) as progress:
            summary = services.export_dataset(
                options["out_dir"],
                since=options["since"],
                base_url=options["base_url"],
                batch_rows=options["batch_rows"],
                progress=progress.update,
            )
        if options["verbosity"] > 0:
            counts = ", ".join(f"{name} {rows:,} rows" for name, rows in summary.rows.items())
            self.stdout.write(
                self.style.SUCCESS(f"Exported to {summary.directory} in {summary.seconds:.1f} s: {counts}.")
            )
