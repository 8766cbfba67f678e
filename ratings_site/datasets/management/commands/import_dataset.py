"""`manage.py import_dataset <name> <source>`: the command-line shell around datasets.importers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ratings_site.datasets.importers import (
    DIFFUSIONDB_IMAGE_ROOT,
    FORMATS,
    DatasetImportError,
    ImportOptions,
    import_dataset,
)


class Command(BaseCommand):
    help = (
        "Import images into a dataset (created when missing) from a folder of images, a CSV or JSONL file "
        "with a URL column, or a LAION or DiffusionDB metadata parquet. All or nothing; duplicates are skipped."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="The dataset's name; its slug is made from it.")
        parser.add_argument("source", help="A folder, a .csv, .jsonl/.ndjson or .parquet file.")
        parser.add_argument("--description", default="", help="The description of a new dataset.")
        parser.add_argument("--format", choices=FORMATS, default="auto", help="Default: detected from the source.")
        parser.add_argument("--url-column", help="The URL column (default: url, URL, image_url or link).")
        parser.add_argument("--caption-column", help="The caption column (default: caption, TEXT, text or prompt).")
        parser.add_argument(
            "--image-root",
            default=DIFFUSIONDB_IMAGE_ROOT,
            help="DiffusionDB: the URL the part-NNNNNN/ folders are under.",
        )
        parser.add_argument("--batch-size", type=int, default=1000, help="Rows per bulk insert (default 1000).")
        parser.add_argument(
            "--nsfw-threshold",
            type=float,
            default=0.5,
            help="Mark an image NSFW when punsafe (LAION) or image_nsfw (DiffusionDB) exceeds it (default 0.5).",
        )
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = import_dataset(
                options["name"],
                Path(options["source"]),
                ImportOptions(
                    format=options["format"],
                    url_column=options["url_column"],
                    caption_column=options["caption_column"],
                    image_root=options["image_root"],
                    batch_size=options["batch_size"],
                    nsfw_threshold=options["nsfw_threshold"],
                    description=options["description"],
                ),
                show_progress=options["verbosity"] > 0 and not options["no_progress"],
            )
        except DatasetImportError as error:
            raise CommandError(f"Nothing imported: {error}") from error
        if options["verbosity"] == 0:
            return
        for bad in report.bad_examples:
            self.stderr.write(f"Skipped {bad.where}: {bad.reason}")
        if report.bad_rows > len(report.bad_examples):
            self.stderr.write(f"… and {report.bad_rows - len(report.bad_examples)} more bad rows.")
        created = " (created)" if report.dataset_created else ""
        self.stdout.write(
            self.style.SUCCESS(
                f"Dataset {report.dataset.slug}{created}: {report.imported} imported, "
                f"{report.duplicates} duplicates skipped, {report.bad_rows} bad rows skipped."
            )
        )
