"""python manage.py embed_generations: store the CLIP embeddings of the copied generation images."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError

from ratings_site.predictor.management.commands.predict_aesthetics import (
    add_clip_arguments,
    check_run_options,
    load_clip_from_options,
)


class Command(BaseCommand):
    help = (
        "Embed the generation images copied into MEDIA_ROOT that have no embedding under this CLIP model yet, "
        "with the same model options as predict_aesthetics; images not copied (waiting or failed) are skipped and "
        "counted. train_predictor then measures heads on the generation sets' best-of pairs. Resumable."
    )

    def add_arguments(self, parser):
        add_clip_arguments(parser)
        parser.add_argument("--limit", type=int, help="embed at most this many images")
        parser.add_argument("--max-batches", type=int, help="stop after this many batches (a time-boxed run)")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, **options):
        import torch
        from tqdm import tqdm

        from ratings_site.predictor import predict
        from ratings_site.predictor.clip import PredictorError
        from ratings_site.predictor.versions import clip_key

        check_run_options(options)
        try:
            clip = load_clip_from_options(options)
        except PredictorError as exc:
            raise CommandError(str(exc)) from None
        key = clip_key(clip.name, clip.pretrained)
        total = predict.generations_to_embed(key).count()
        if options["limit"] is not None:
            total = min(total, options["limit"])
        precision = options["precision"] if clip.dtype != torch.float32 else "fp32"
        self.stdout.write(
            f"Embedding generation images with {key} on {clip.device.type} ({precision}), batch "
            f"{options['batch_size']}, {options['workers']} workers: {total} copied images to embed."
        )
        with tqdm(
            total=total, unit="img", desc="Embedding", file=sys.stderr, disable=options["no_progress"] or not total, smoothing=0.1
        ) as progress:
            summary = predict.embed_generations(
                clip=clip,
                batch_size=options["batch_size"],
                workers=options["workers"],
                limit=options["limit"],
                max_batches=options["max_batches"],
                timeout=options["timeout"],
                progress=progress,
            )
        self.stdout.write(
            f"Embedded {summary.embedded} generation images, {summary.broken} unreadable, {summary.not_copied} not "
            f"copied (skipped), in {summary.seconds:.1f} s ({summary.images_per_second:.1f} images/s)."
            + (f" Compiling the image tower took {summary.compile_seconds:.1f} s more." if summary.compile_seconds else "")
        )
        for example in summary.broken_examples[:10]:
            self.stdout.write(f"  unreadable: {example}")
