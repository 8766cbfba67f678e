"""python manage.py predict_aesthetics: score every image that has no score for the current predictor."""

from __future__ import annotations

import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


def add_clip_arguments(parser) -> None:
    """The options that load the CLIP model and feed it images (predict_aesthetics, embed_generations)."""
    parser.add_argument("--model", default=settings.PREDICTOR_CLIP_MODEL, help="open_clip model name (default %(default)s)")
    parser.add_argument(
        "--pretrained",
        default=settings.PREDICTOR_PRETRAINED,
        help="a local checkpoint path, an open_clip tag (downloads), or 'none' for random weights",
    )
    parser.add_argument("--model-config", help="a JSON open_clip model config to register first (custom models)")
    parser.add_argument(
        "--device",
        default=settings.PREDICTOR_DEVICE,
        help="auto (default %(default)s), cpu, cuda, or cuda:N for one GPU of several (one process per GPU)",
    )
    parser.add_argument("--precision", default=settings.PREDICTOR_PRECISION, choices=["fp32", "fp16", "bf16"])
    parser.add_argument("--batch-size", type=int, default=settings.PREDICTOR_BATCH_SIZE)
    parser.add_argument("--workers", type=int, default=settings.PREDICTOR_WORKERS, help="DataLoader worker processes")
    parser.add_argument(
        "--compile",
        action="store_true",
        help="torch.compile the image tower (minutes before the first batch; pays off on long GPU runs)",
    )
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds to fetch an image URL")


def check_run_options(options: dict) -> None:
    """Refuse batch, worker, limit and max-batches values that make no sense (both embedding commands)."""
    if options["batch_size"] < 1 or options["workers"] < 0:
        raise CommandError("--batch-size must be at least 1 and --workers at least 0")
    if (options["max_batches"] is not None and options["max_batches"] < 1) or (
        options["limit"] is not None and options["limit"] < 1
    ):
        raise CommandError("--max-batches and --limit must be at least 1")


def load_clip_from_options(options: dict):
    """The CLIP model add_clip_arguments' options name, on the device they chose (PredictorError when not)."""
    from ratings_site.predictor.clip import load_clip, resolve_device, resolve_precision

    device = resolve_device(options["device"])
    dtype = resolve_precision(options["precision"], device)
    return load_clip(
        options["model"],
        options["pretrained"],
        device=device,
        dtype=dtype,
        model_config=options["model_config"],
        compile_model=options["compile"],
    )


class Command(BaseCommand):
    help = (
        "Embed images with an open_clip model, score them with an aesthetic head, store both, and "
        "re-prioritise the queue. Resumable (a killed run continues where it stopped) and shardable."
    )

    def add_arguments(self, parser):
        add_clip_arguments(parser)
        parser.add_argument("--head", help="a .pth/.safetensors head (keys layers.0 … layers.7), or 'none' for random")
        parser.add_argument("--dataset", help="only this dataset (slug)")
        parser.add_argument("--limit", type=int, help="score at most this many images")
        parser.add_argument("--max-batches", type=int, help="stop after this many batches (a time-boxed run)")
        parser.add_argument("--shard", help="I/N: this process takes the images whose id %% N == I")
        parser.add_argument(
            "--strategy",
            default=settings.PRIORITY_STRATEGY,
            choices=["uncertainty", "stratified", "score", "random"],
            help="how to prioritise the queue afterwards",
        )
        parser.add_argument("--no-prioritise", action="store_true", help="only score; leave priorities as they are")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, **options):
        import torch
        from tqdm import tqdm

        from ratings_site.predictor import predict
        from ratings_site.predictor.clip import PredictorError
        from ratings_site.predictor.heads import HeadFormatError, file_sha256, load_ensemble, load_head
        from ratings_site.predictor.models import PredictorVersion
        from ratings_site.predictor.versions import register_version

        check_run_options(options)
        try:
            shard = predict.Shard.parse(options["shard"])
            clip = load_clip_from_options(options)
            device, dtype = clip.device, clip.dtype
            head_path = predict.resolve_head_path(options["head"], clip.name, clip.pretrained)
            if head_path is None:
                raise PredictorError(
                    "No head to score with: pass --head FILE (LAION's published head for your CLIP model, or one "
                    "made by train_predictor), set PREDICTOR_HEAD, or pass --head none for random weights."
                )
            if head_path == "none":
                head_path = str(predict.random_head_path(clip.embedding_dim))
            head = load_head(head_path)
        except (PredictorError, HeadFormatError) as exc:
            raise CommandError(str(exc)) from None
        if head.embedding_dim != clip.embedding_dim:
            raise CommandError(
                f"The head expects {head.embedding_dim}-dimensional embeddings but {clip.name} makes "
                f"{clip.embedding_dim}: use the head made for this CLIP model."
            )
        current = PredictorVersion.current()
        sha = file_sha256(head_path)
        ensemble = None
        ensemble_file = None
        if current and current.head_sha256 == sha and current.ensemble_file:
            ensemble_file = current.ensemble_file
            ensemble = load_ensemble(ensemble_file)
        version = register_version(
            clip_model=clip.name,
            clip_pretrained=clip.pretrained,
            embedding_dim=clip.embedding_dim,
            head_file=head_path,
            head_sha256=sha,
            ensemble_file=ensemble_file,
            ensemble_size=len(ensemble.heads) if ensemble is not None else 0,
        )
        images = predict.images_to_score(version, dataset=options["dataset"], shard=shard)
        total = images.count()
        if options["limit"] is not None:
            total = min(total, options["limit"])
        self.stdout.write(
            f"Predictor {version.name} on {device.type} ({options['precision'] if dtype != torch.float32 else 'fp32'}), "
            f"batch {options['batch_size']}, {options['workers']} workers, shard {shard.index}/{shard.count}: "
            f"{total} images to score."
        )
        with tqdm(
            total=total, unit="img", desc="Scoring", file=sys.stderr, disable=options["no_progress"] or not total, smoothing=0.1
        ) as progress:
            summary = predict.run(
                clip=clip,
                head=head,
                ensemble=ensemble,
                version=version,
                batch_size=options["batch_size"],
                workers=options["workers"],
                dataset=options["dataset"],
                shard=shard,
                limit=options["limit"],
                max_batches=options["max_batches"],
                timeout=options["timeout"],
                progress=progress,
            )
        self.stdout.write(
            f"Scored {summary.scored} images ({summary.from_stored_embeddings} from stored embeddings), "
            f"{summary.broken} broken, in {summary.seconds:.1f} s ({summary.images_per_second:.1f} images/s)."
            + (f" Compiling the image tower took {summary.compile_seconds:.1f} s more." if summary.compile_seconds else "")
        )
        for example in summary.broken_examples[:10]:
            self.stdout.write(f"  broken: {example}")
        if not options["no_prioritise"]:
            from ratings_site.predictor.priorities import apply_priorities, describe

            self.stdout.write("Priorities: " + describe(apply_priorities(options["strategy"], version=version)))
