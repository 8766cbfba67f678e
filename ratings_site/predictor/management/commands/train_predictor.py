"""python manage.py train_predictor: train a head on the ratings and the stored embeddings."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

ADAM_DEFAULTS = {"epochs": 100, "batch_size": 2048, "lr": 1e-3}  # options only --method adam uses


class Command(BaseCommand):
    help = (
        "Train an aesthetic head (and a bootstrap ensemble for uncertainty) on the stored CLIP embeddings and the "
        "mean ratings of images rated by enough raters in good standing (optionally weighted by each rater's "
        "reliability), optionally with the raters' best-of pairs as a pairwise loss; report validation figures beside "
        "the current head's; optionally save it as the current version, re-score and re-prioritise."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--clip-model", default=settings.PREDICTOR_CLIP_MODEL, help="default %(default)s")
        parser.add_argument(
            "--pretrained",
            default=settings.PREDICTOR_PRETRAINED,
            help="the weights the embeddings were made with (default %(default)s)",
        )
        parser.add_argument(
            "--method",
            choices=("ridge", "adam"),
            default=settings.PREDICTOR_TRAINING_METHOD,
            help="ridge: the head's least-squares solution in closed form, its penalty chosen by leave-one-out; "
            "adam: MSE and Adam over epochs, the published recipe (default %(default)s)",
        )
        parser.add_argument(
            "--epochs",
            type=int,
            default=ADAM_DEFAULTS["epochs"],
            help="adam: default %(default)s; the best validation epoch is kept",
        )
        parser.add_argument(
            "--batch-size", type=int, default=ADAM_DEFAULTS["batch_size"], help="adam: default %(default)s"
        )
        parser.add_argument(
            "--lr", type=float, default=ADAM_DEFAULTS["lr"], help="adam: the learning rate (default %(default)s)"
        )
        parser.add_argument("--seed", type=int, default=0, help="initialisation, batches and bootstrap (default 0)")
        parser.add_argument(
            "--ensemble",
            type=int,
            default=5,
            metavar="K",
            help="bootstrap heads for uncertainty; 0 for none (default 5)",
        )
        parser.add_argument(
            "--val-fraction", type=float, default=0.1, help="share of images held out for validation (default 0.1)"
        )
        parser.add_argument("--min-images", type=int, default=None, help="refuse to train on fewer images (default 20)")
        parser.add_argument("--threads", type=int, help="CPU threads for torch (default: torch's choice)")
        parser.add_argument(
            "--reliability-weights",
            action="store_true",
            help="weigh each rating (and each training pair) by its rater's reliability weight (reliability.weights; "
            "a rater not weighed yet counts 1): an image's target is the weighted mean of its ratings",
        )
        parser.add_argument(
            "--pairs",
            action="store_true",
            help="also train on the raters' best-of pairs (dataset prompt groups and rated generation sets) with a "
            "Bradley-Terry loss on the predicted ratings' differences; a share of the groups and sets is held out "
            "to measure pair accuracy on",
        )
        parser.add_argument(
            "--pair-weight",
            type=float,
            default=None,
            metavar="W",
            help="with --pairs: the mean pair loss's weight beside the mean squared error (default 1.0)",
        )
        parser.add_argument(
            "--pair-val-fraction",
            type=float,
            default=None,
            metavar="F",
            help="with --pairs: the share of prompt groups (and of generation sets) held out (default 0.2)",
        )
        save = parser.add_mutually_exclusive_group()
        save.add_argument("--save", action="store_true", help="save the new head as the current version")
        save.add_argument(
            "--save-if-better",
            action="store_true",
            help="save it only when there is no current head, or when neither its held-out Spearman nor its accuracy "
            "on the held-out best-of pairs (dataset groups, generation sets) is below the current head's",
        )
        parser.add_argument("--rescore", action="store_true", help="after saving, score every stored embedding")
        parser.add_argument("--reprioritise", action="store_true", help="then recompute the queue's priorities")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, **options) -> None:
        from ratings_site.predictor.training.data import MIN_TRAINING_IMAGES, NotEnoughTrainingData
        from ratings_site.predictor.training.fitting import TrainingOptions
        from ratings_site.predictor.training.pairs import PAIR_VAL_FRACTION
        from ratings_site.predictor.training.run import train_predictor
        from ratings_site.predictor.training.saving import save_version
        from ratings_site.predictor.versions import clip_key

        if options["epochs"] < 1 or options["batch_size"] < 1 or options["ensemble"] < 0:
            raise CommandError("--epochs and --batch-size must be at least 1, --ensemble at least 0")
        if options["threads"] is not None and options["threads"] < 1:
            raise CommandError("--threads must be at least 1")
        if not options["lr"] > 0:
            raise CommandError("--lr must be positive")
        if not 0 < options["val_fraction"] <= 0.5:
            raise CommandError("--val-fraction must be above 0 and at most 0.5")
        if options["rescore"] and not (options["save"] or options["save_if_better"]):
            raise CommandError("--rescore scores with the new head, so it needs --save or --save-if-better")
        if options["method"] == "ridge" and any(options[name] != default for name, default in ADAM_DEFAULTS.items()):
            self.stderr.write("Note: --epochs, --batch-size and --lr apply to --method adam; ridge ignores them.")
        if not options["pairs"] and (options["pair_weight"] is not None or options["pair_val_fraction"] is not None):
            raise CommandError("--pair-weight and --pair-val-fraction apply to --pairs")
        pair_weight = 1.0 if options["pair_weight"] is None else options["pair_weight"]
        pair_val_fraction = PAIR_VAL_FRACTION if options["pair_val_fraction"] is None else options["pair_val_fraction"]
        if not pair_weight > 0:
            raise CommandError("--pair-weight must be positive")
        if not 0 < pair_val_fraction <= 0.5:
            raise CommandError("--pair-val-fraction must be above 0 and at most 0.5")
        min_images = MIN_TRAINING_IMAGES if options["min_images"] is None else options["min_images"]
        if min_images < 4:
            raise CommandError("--min-images must be at least 4 (2 to train on, 2 to validate)")

        clip_model, pretrained = options["clip_model"], options["pretrained"]
        key = clip_key(clip_model, pretrained)
        run = TrainingOptions(
            method=options["method"],
            epochs=options["epochs"],
            batch_size=options["batch_size"],
            lr=options["lr"],
            seed=options["seed"],
            ensemble=options["ensemble"],
            val_fraction=options["val_fraction"],
            min_images=min_images,
            threads=options["threads"],
            reliability_weights=options["reliability_weights"],
            pairs=options["pairs"],
            pair_weight=pair_weight,
            pair_val_fraction=pair_val_fraction,
        )
        show_progress = options["verbosity"] > 0 and not options["no_progress"]
        try:
            report = train_predictor(key, run, show_progress=show_progress)
        except NotEnoughTrainingData as exc:
            raise CommandError(str(exc)) from None
        self._print_table(report)

        version = None
        if options["save"] or (options["save_if_better"] and report.beats_current):
            version = save_version(report, clip_model=clip_model, pretrained=pretrained)
            self.stdout.write(self.style.SUCCESS(f"Saved {version.name} as the current version ({version.head_file})."))
        elif options["save_if_better"]:
            self.stdout.write(f"Not saved: {report.why_not_better}.")
        if options["save_if_better"] and report.current is not None and report.not_compared():
            self.stdout.write(f"Not compared with the current head: {'; '.join(report.not_compared())}.")

        if options["rescore"] and version is not None:
            from tqdm import tqdm

            from ratings_site.predictor.scoring import score_stored_embeddings

            with tqdm(desc="rescoring", unit="emb", disable=not show_progress) as progress:
                scored = score_stored_embeddings(version, progress=progress)
            self.stdout.write(f"Scored {scored} stored embeddings with {version.name}.")
        elif options["rescore"]:
            self.stdout.write("Nothing re-scored: no new version was saved.")

        if options["reprioritise"]:
            from ratings_site.predictor.priorities import PrioritisationError, apply_priorities, describe

            try:
                summary = apply_priorities()
            except PrioritisationError as exc:
                raise CommandError(f"Priorities not recomputed: {exc}") from None
            self.stdout.write(
                f"Priorities recomputed with {summary['strategy_used']} from {summary['version']}. {describe(summary)}"
            )

    def _print_table(self, report) -> None:
        from ratings_site.predictor.training.fitting import describe_penalty

        current = report.current
        header = "current"
        if report.current_version is not None:
            header = f"current ({report.current_version.name})"
        rows = [
            ("MSE", "mse", "{:.4f}"),
            ("MAE", "mae", "{:.4f}"),
            ("Pearson", "pearson", "{:.4f}"),
            ("Spearman", "spearman", "{:.4f}"),
            (f"Preference accuracy ({report.preference_pairs} pairs)", "preference_accuracy", "{:.1%}"),
            (f"Best-of accuracy ({len(report.best_of)} held-out pairs)", "best_of_accuracy", "{:.1%}"),
            (
                f"Generation best-of accuracy ({len(report.generation_best_of)} pairs)",
                "generation_best_of_accuracy",
                "{:.1%}",
            ),
        ]
        if report.options.pairs:
            rows.append((f"Training-pair accuracy ({len(report.pairs.train)} pairs)", "train_pair_accuracy", "{:.1%}"))

        def cell(figures, name, fmt):
            if figures is None:
                return "-"
            value = figures.get(name)
            return "n/a" if value is None else fmt.format(value)

        label_width = max(len(label) for label, _, _ in rows)
        self.stdout.write(
            f"{report.images} images with {report.options.min_ratings}+ ratings and a {report.key} embedding: "
            f"{report.train_images} to train, {report.validation_images} to validate"
            + (f" ({report.without_embedding} more lack an embedding)" if report.without_embedding else "")
            + (
                f"; {describe_penalty(report.trained.penalty)}"
                if report.trained.penalty is not None
                else f"; best epoch {report.trained.best_epoch} of {report.options.epochs}"
            )
            + (f"; ensemble of {len(report.ensemble.heads)}" if report.ensemble is not None else "")
            + "."
        )
        if report.options.reliability_weights:
            self.stdout.write(
                f"Ratings weighted by rater reliability ({report.weighted_raters} raters weighed; the others count 1)."
            )
        if report.options.pairs:
            self.stdout.write(
                f"Trained on {len(report.pairs.train)} best-of pairs ({report.pairs.train_dataset} of dataset prompt "
                f"groups, {report.pairs.train_generation} of generation sets), pair weight {report.options.pair_weight:g}; "
                f"{len(report.best_of) + len(report.generation_best_of)} held out."
            )
        self.stdout.write(f"{'validation':<{label_width}}  {'new':>10}  {header}")
        for label, name, fmt in rows:
            self.stdout.write(
                f"{label:<{label_width}}  {cell(report.new, name, fmt):>10}  {cell(current, name, fmt):>10}"
            )
        if current is None:
            self.stdout.write(f"(current head not measured: {report.current_note})")
        if report.best_of.without_embedding:
            self.stdout.write(f"({report.best_of.without_embedding} held-out best-of pairs lack an embedding)")
        if report.generation_best_of.without_embedding:
            self.stdout.write(
                f"({report.generation_best_of.without_embedding} pairs from rated generation sets lack a "
                f"{report.key} embedding: run embed_generations)"
            )
