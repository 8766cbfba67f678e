"""One training run: load the data, fit a head (and an ensemble), measure it beside the current version's head,
and say whether it is better (imports torch).

Both heads are measured on the same validation images (their weighted mean ratings when the run uses reliability
weights) and on the same held-out best-of pairs, from two sources: dataset prompt groups and rated generation sets
(training.pairs says which pairs are held out). `--save-if-better` saves the new head only when neither its
held-out Spearman nor its held-out pair accuracy (of each source) is below the current head's (`beats_current`).
A figure that cannot be measured for both heads is not compared: without held-out pairs of a source, that source's
accuracy decides nothing, and the run says so; a new head whose Spearman cannot be measured (it predicts one value
for every image) while the current head's can is not better. MSE is reported, not compared: with reliability
weights the targets change from run to run, and a ranking is what the queue and the pairs use.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from django.conf import settings
from django.utils import timezone

from ratings_site.predictor.embeddings import load_embeddings
from ratings_site.predictor.heads import AestheticHead, HeadEnsemble, HeadFormatError, load_head
from ratings_site.predictor.models import PredictorVersion
from ratings_site.predictor.training.data import (
    SPLIT_SEED,
    NotEnoughTrainingData,
    TrainingSet,
    load_training_set,
    rater_weights,
    validation_mask,
)
from ratings_site.predictor.training.evaluation import pair_accuracy, validation_metrics
from ratings_site.predictor.training.fitting import TrainedHead, TrainingOptions, fit_head, predict, train_ensemble
from ratings_site.predictor.training.pairs import (
    BestOfPairs,
    PairSplit,
    PreferencePairs,
    best_of_pairs,
    same_rater_pairs,
)
from ratings_site.predictor.versions import clip_key

# (metric, name for people, what is compared): the figures --save-if-better guards.
PAIR_SOURCES = (
    ("best_of_accuracy", "best-of accuracy"),
    ("generation_best_of_accuracy", "generation best-of accuracy"),
)


def best_of_accuracy(head: AestheticHead, best_of: BestOfPairs) -> float | None:
    """The share of these best-of pairs the head orders as the rater picked (None without pairs, or when the
    pairs' embeddings are not the head's size)."""
    if not len(best_of) or best_of.embeddings.shape[1] != head.embedding_dim:
        return None
    return pair_accuracy(predict(head, best_of.embeddings), best_of)


@dataclass
class TrainingReport:
    key: str
    options: TrainingOptions
    images: int
    train_images: int
    validation_images: int
    without_embedding: int
    preference_pairs: int
    pairs: PairSplit
    trained: TrainedHead
    ensemble: HeadEnsemble | None
    new: dict[str, float | None]
    current_version: PredictorVersion | None = None
    current: dict[str, float | None] | None = None
    current_note: str = ""  # why the current head was not measured
    weighted_raters: int = 0  # with reliability weights: raters with a stored weight
    pair_val_fraction: float | None = None  # the share of groups held out (None: every pick held out)

    @property
    def best_of(self) -> BestOfPairs:
        return self.pairs.held_out_dataset

    @property
    def generation_best_of(self) -> BestOfPairs:
        return self.pairs.held_out_generation

    @property
    def embedding_dim(self) -> int:
        return self.trained.head.embedding_dim

    def _held_out(self, metric: str) -> BestOfPairs:
        return self.best_of if metric == "best_of_accuracy" else self.generation_best_of

    def _losses(self) -> list[str]:
        """What the new head measures worse than the current head, for people (empty: none)."""
        losses = []
        new_rank, current_rank = self.new.get("spearman"), self.current.get("spearman")
        if current_rank is not None and new_rank is None:
            losses.append(
                f"its held-out Spearman cannot be measured (it predicts one value for every validation image), "
                f"the current head's is {current_rank:.4f}"
            )
        elif new_rank is not None and current_rank is not None and new_rank < current_rank:
            losses.append(f"held-out Spearman {new_rank:.4f} is below the current head's {current_rank:.4f}")
        for metric, name in PAIR_SOURCES:
            new_pairs, current_pairs = self.new.get(metric), self.current.get(metric)
            if new_pairs is not None and current_pairs is not None and new_pairs < current_pairs:
                count = len(self._held_out(metric))
                losses.append(
                    f"{name} {new_pairs:.1%} is below the current head's {current_pairs:.1%} on {count} held-out pairs"
                )
        return losses

    def not_compared(self) -> list[str]:
        """The guarded figures that could not be compared with the current head's, and why, for people."""
        if self.current is None:
            return []
        missing = []
        if self.new.get("spearman") is None and self.current.get("spearman") is None:
            missing.append("held-out Spearman (neither head's is measurable)")
        for metric, name in PAIR_SOURCES:
            if self.new.get(metric) is None or self.current.get(metric) is None:
                held_out = len(self._held_out(metric))
                reason = "no held-out pairs" if not held_out else "the current head was not measured on them"
                missing.append(f"{name} ({reason})")
        return missing

    @property
    def beats_current(self) -> bool:
        """Whether --save-if-better saves the new head: true when there is no current head to compare with, else
        when neither its held-out Spearman nor its held-out pair accuracy on any source both heads were measured on
        is below the current head's. A head that predicts ratings better but orders the raters' picks worse is not
        saved, nor one that orders the picks better but the validation images worse."""
        return self.current is None or not self._losses()

    @property
    def why_not_better(self) -> str:
        """Why `beats_current` is false, for people."""
        if self.current is None:
            return ""
        return "; ".join(self._losses())

    def _method_settings(self) -> dict:
        """The settings the method used: ridge its penalty, Adam its epochs, batch and learning rate."""
        if self.options.method == "ridge":
            return {"penalty": self.trained.penalty, "newton_steps": self.trained.newton_steps}
        return {
            "penalty": None,
            "best_epoch": self.trained.best_epoch,
            "epochs": self.options.epochs,
            "batch_size": self.options.batch_size,
            "lr": self.options.lr,
        }

    def metrics(self) -> dict:
        """What a saved version keeps: the new head's figures, the run's settings, the comparison."""
        return {
            **self.new,
            "clip_key": self.key,
            "images": self.images,
            "train_images": self.train_images,
            "validation_images": self.validation_images,
            "preference_pairs": self.preference_pairs,
            "preference_pairs_source": "same-rater pairs of validation images",
            "best_of_pairs": len(self.best_of),
            "best_of_pairs_source": "held-out dataset best-of picks whose images are not training images",
            "generation_pairs": len(self.generation_best_of),
            "generation_pairs_source": "held-out best-of pairs of rated generation sets",
            "generation_pairs_without_embedding": self.generation_best_of.without_embedding,
            "reliability_weights": self.options.reliability_weights,
            "weighted_raters": self.weighted_raters,
            "train_pairs": len(self.pairs.train),
            "train_pairs_dataset": self.pairs.train_dataset,
            "train_pairs_generation": self.pairs.train_generation,
            "pair_weight": self.options.pair_weight if self.options.pairs else None,
            "pair_val_fraction": self.pair_val_fraction if self.options.pairs else None,
            "method": self.options.method,
            **self._method_settings(),
            "seed": self.options.seed,
            "val_fraction": self.options.val_fraction,
            "split_seed": SPLIT_SEED,
            "min_ratings": self.options.min_ratings,
            "ensemble_size": len(self.ensemble.heads) if self.ensemble is not None else 0,
            "compared_with": (
                {"version": self.current_version.name, **self.current} if self.current is not None else None
            ),
            "trained_at": timezone.now().isoformat(),
        }


def _measure_current(
    current: PredictorVersion | None,
    training_set: TrainingSet,
    val: TrainingSet,
    pairs: PreferencePairs,
    split: PairSplit,
) -> tuple[dict | None, str]:
    if current is None:
        return None, "no current predictor version"
    current_key = clip_key(current.clip_model, current.clip_pretrained)
    if current_key == training_set.key:
        embeddings = val.embeddings
    else:
        found, embeddings = load_embeddings(current_key, val.image_ids)
        if len(found) < len(val):
            return None, f"{len(val) - len(found)} of {len(val)} validation images have no {current_key} embedding"
    if embeddings.shape[1] != current.embedding_dim:
        return None, f"its embedding size is {current.embedding_dim}, the embeddings' {embeddings.shape[1]}"
    try:
        head = load_head(current.head_file)
    except (HeadFormatError, OSError) as exc:
        return None, f"its head does not load: {exc}"
    if head.embedding_dim != embeddings.shape[1]:
        return None, f"its head takes {head.embedding_dim}-d embeddings, not {embeddings.shape[1]}-d"
    measured = validation_metrics(predict(head, embeddings), val.targets, pairs)
    # Best-of pairs are read under the training key; a head on other embeddings is not measured on them.
    same_key = current_key == training_set.key
    measured["best_of_accuracy"] = best_of_accuracy(head, split.held_out_dataset) if same_key else None
    measured["generation_best_of_accuracy"] = best_of_accuracy(head, split.held_out_generation) if same_key else None
    return measured, ""


def pair_hold_out(options: TrainingOptions, current: PredictorVersion | None) -> tuple[bool, float]:
    """(hold out by group?, the share of groups held out) for this run: by group when this run or the current
    version trains on pairs, the smaller of their shares, so that neither head is measured on its training pairs."""
    metrics = current.metrics if current is not None and isinstance(current.metrics, dict) else {}
    current_fraction = metrics.get("pair_val_fraction") if metrics.get("train_pairs") else None
    if current_fraction is None:
        return options.pairs, options.pair_val_fraction
    if not options.pairs:
        return True, float(current_fraction)
    return True, min(options.pair_val_fraction, float(current_fraction))


def train_predictor(key: str, options: TrainingOptions, *, show_progress: bool = False) -> TrainingReport:
    """Load the training set for CLIP key `key`, train a head (and an ensemble), measure both heads."""
    threads = torch.get_num_threads()
    if options.threads:
        torch.set_num_threads(options.threads)
    try:
        return _train_predictor(key, options, show_progress=show_progress)
    finally:
        torch.set_num_threads(threads)


def _train_predictor(key: str, options: TrainingOptions, *, show_progress: bool) -> TrainingReport:
    if options.min_ratings is None:
        options.min_ratings = settings.MIN_RATINGS_FOR_TRAINING
    weights = rater_weights() if options.reliability_weights else None
    training_set = load_training_set(key, min_ratings=options.min_ratings, weights=weights)
    if len(training_set) < options.min_images:
        raise NotEnoughTrainingData(
            found=len(training_set),
            minimum=options.min_images,
            min_ratings=options.min_ratings,
            key=key,
            without_embedding=training_set.without_embedding,
        )
    held_out = validation_mask(training_set.image_ids, options.val_fraction)
    train, val = training_set.subset(~held_out), training_set.subset(held_out)
    pairs = same_rater_pairs(val.image_ids)
    current_version = PredictorVersion.current()
    by_group, fraction = pair_hold_out(options, current_version)
    split = best_of_pairs(
        key,
        train.image_ids,
        val.image_ids,
        train_on_pairs=options.pairs,
        hold_out_by_group=by_group,
        fraction=fraction,
        weights=weights,
    )
    train_pairs = split.train if options.pairs else None
    trained = fit_head(
        train.embeddings,
        train.targets,
        val.embeddings,
        val.targets,
        options,
        seed=options.seed,
        show_progress=show_progress,
        pairs=train_pairs,
    )
    ensemble = None
    if options.ensemble > 0:
        ensemble = train_ensemble(
            train.embeddings,
            train.targets,
            val.embeddings,
            val.targets,
            size=options.ensemble,
            options=options,
            penalty=trained.penalty,
            show_progress=show_progress,
            pairs=train_pairs,
        )
    new = validation_metrics(predict(trained.head, val.embeddings), val.targets, pairs)
    new["best_of_accuracy"] = best_of_accuracy(trained.head, split.held_out_dataset)
    new["generation_best_of_accuracy"] = best_of_accuracy(trained.head, split.held_out_generation)
    new["train_pair_accuracy"] = best_of_accuracy(trained.head, split.train)
    current, note = _measure_current(current_version, training_set, val, pairs, split)
    return TrainingReport(
        key=key,
        options=options,
        images=len(training_set),
        train_images=len(train),
        validation_images=len(val),
        without_embedding=training_set.without_embedding,
        preference_pairs=len(pairs),
        pairs=split,
        trained=trained,
        ensemble=ensemble,
        new=new,
        current_version=current_version,
        current=current,
        current_note=note,
        weighted_raters=len(weights) if weights is not None else 0,
        pair_val_fraction=fraction if by_group else None,
    )
