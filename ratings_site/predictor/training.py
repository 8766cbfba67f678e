"""Training heads on the ratings: the work behind `manage.py train_predictor`.

The training set is every image (not hidden, not a captcha) with at least
MIN_RATINGS_FOR_TRAINING ratings from raters in good standing (active, not flagged), each
with its mean rating computed here in SQL (not from the image's counters, which still count
raters who were banned later) and its stored CLIP embedding. Captcha answers live in their
own table, so they never count.

A head is fitted one of two ways (TrainingOptions.method, PREDICTOR_TRAINING_METHOD):

- `ridge` (default): the published layout has no activations, so a head computes a linear
  function of the embedding and minimising its MSE is least squares. `fit_ridge` solves it in
  closed form with an L2 penalty chosen by exact leave-one-out error over the training split,
  and `linear_head` writes the solution into the published layout. In
  benchmarks/active_learning_benchmark.py it reaches a given Spearman with fewer ratings than
  Adam's epochs whatever order images are rated in (see benchmarks/README.md), and it takes
  seconds, not epochs.
- `adam`: MSE and Adam, the published recipe (../shared/horde-wire.md §7); the epoch with the
  lowest validation MSE is kept.

An ensemble of heads fitted the same way on bootstrap resamples gives the uncertainty the
`uncertainty` priority strategy uses. The new head and the current version's head are
measured on the same validation images, side by side, and on held-out best-of pairs from two
sources: dataset prompt groups whose images are not training images, and rated generation sets
(GenerationEmbedding, filled by `manage.py embed_generations`; a head never trains on them).
"""

from __future__ import annotations

import itertools
import math
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
from django.conf import settings
from django.db.models import Avg, Count, Q, QuerySet
from django.utils import timezone
from torch.nn import functional as F
from tqdm import tqdm

from ratings_site.predictor.embeddings import CHUNK, load_embeddings
from ratings_site.predictor.heads import (
    AestheticHead,
    HeadEnsemble,
    HeadFormatError,
    load_head,
    save_ensemble,
    save_head,
)
from ratings_site.predictor.models import GenerationEmbedding, ImageEmbedding, PredictorVersion
from ratings_site.predictor.priorities import design_gram
from ratings_site.predictor.versions import clip_key, register_version
from ratings_site.raters.standing import counting_raters
from ratings_site.ratings.counting import counted
from ratings_site.ratings.models import Rating

MIN_TRAINING_IMAGES = 20
METHODS = ("adam", "ridge")
RIDGE_PENALTIES = tuple(float(value) for value in np.logspace(-4, 3, 29))  # tried by leave-one-out
RIDGE_CHUNK = 16_384  # rows per pass when forming X'X and the leave-one-out errors
SPLIT_SEED = 20240601  # fixed, so every run (and the current head's run) holds out the same images
PAIRS_PER_RATER = 2000  # preference pairs drawn per rater at most (all pairs when fewer)
METRIC_NAMES = ("mse", "mae", "pearson", "spearman", "preference_accuracy", "best_of_accuracy", "generation_best_of_accuracy")


class NotEnoughTrainingData(Exception):
    def __init__(self, *, found: int, minimum: int, min_ratings: int, key: str, without_embedding: int):
        self.found, self.minimum = found, minimum
        missing = (
            f" ({without_embedding} more have the ratings but no {key} embedding: run predict_aesthetics)"
            if without_embedding
            else ""
        )
        super().__init__(
            f"Too few training images: found {found} with at least {min_ratings} ratings from raters in good "
            f"standing and a {key} embedding{missing}; at least {minimum} are needed."
        )


# --- The training set ---------------------------------------------------------------------


@dataclass
class TrainingSet:
    key: str
    image_ids: np.ndarray  # int64, ascending
    embeddings: np.ndarray  # float32 (N, d)
    targets: np.ndarray  # float32 (N,): the mean rating from raters in good standing
    rating_counts: np.ndarray  # int64 (N,)
    without_embedding: int = 0  # images with enough ratings but no embedding for this key

    def __len__(self) -> int:
        return len(self.image_ids)

    @property
    def embedding_dim(self) -> int:
        return int(self.embeddings.shape[1]) if self.embeddings.ndim == 2 else 0

    def subset(self, mask: np.ndarray) -> TrainingSet:
        return TrainingSet(
            self.key, self.image_ids[mask], self.embeddings[mask], self.targets[mask], self.rating_counts[mask]
        )


def good_standing_ratings() -> QuerySet[Rating]:
    """Ratings that count (ratings.counting: not invalidated, their rater in good standing)."""
    return counted()


def rated_images(min_ratings: int) -> QuerySet:
    """(image_id, ratings, mean_rating) of trainable images, one GROUP BY in the database."""
    return (
        good_standing_ratings()
        .filter(image__hidden=False, image__is_captcha=False)
        .values("image_id")
        .annotate(ratings=Count("id"), mean_rating=Avg("rating"))
        .filter(ratings__gte=min_ratings)
        .order_by("image_id")
    )


def load_training_set(key: str, *, min_ratings: int | None = None, chunk_size: int = CHUNK) -> TrainingSet:
    """Every trainable image with its mean rating and its `key` embedding, streamed in chunks."""
    min_ratings = settings.MIN_RATINGS_FOR_TRAINING if min_ratings is None else min_ratings
    ids, counts, means = [], [], []
    for image_id, ratings, mean_rating in (
        rated_images(min_ratings).values_list("image_id", "ratings", "mean_rating").iterator(chunk_size=chunk_size)
    ):
        ids.append(image_id)
        counts.append(ratings)
        means.append(mean_rating)
    rated_ids = np.asarray(ids, dtype=np.int64)
    found_ids, embeddings = load_embeddings(key, rated_ids, chunk_size=chunk_size)
    positions = np.searchsorted(rated_ids, found_ids)
    return TrainingSet(
        key=key,
        image_ids=found_ids,
        embeddings=embeddings,
        targets=np.asarray(means, dtype=np.float32)[positions] if len(found_ids) else np.empty(0, np.float32),
        rating_counts=np.asarray(counts, dtype=np.int64)[positions] if len(found_ids) else np.empty(0, np.int64),
        without_embedding=len(rated_ids) - len(found_ids),
    )


def validation_mask(image_ids: np.ndarray, fraction: float, *, seed: int = SPLIT_SEED) -> np.ndarray:
    """The held-out images: the first `fraction` of a seeded shuffle (at least 2).

    The shuffle orders images by a seeded hash of their id rather than by a permutation of
    the row list, so an image's side hardly moves as images are added: a head trained on an
    earlier run's training split is measured on images it mostly did not see.
    """
    count = min(len(image_ids), max(2, round(fraction * len(image_ids))))
    with np.errstate(over="ignore"):  # splitmix64, wrapping on purpose
        x = image_ids.astype(np.uint64) + np.uint64(seed) * np.uint64(0x9E3779B97F4A7C15)
        x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        x = x ^ (x >> np.uint64(31))
    mask = np.zeros(len(image_ids), dtype=bool)
    mask[np.argsort(x, kind="stable")[:count]] = True
    return mask


# --- Metrics ------------------------------------------------------------------------------


def ranks(values: np.ndarray) -> np.ndarray:
    """1-based ranks, ties given their average rank (as scipy.stats.rankdata does)."""
    values = np.asarray(values)
    order = np.argsort(values, kind="mergesort")
    ordered = values[order]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1], True])
    average = (starts[:-1] + starts[1:] - 1) / 2.0 + 1.0
    result = np.empty(len(values), dtype=np.float64)
    result[order] = np.repeat(average, np.diff(starts))
    return result


def pearson(a: np.ndarray, b: np.ndarray) -> float | None:
    a = np.asarray(a, dtype=np.float64) - np.mean(a)
    b = np.asarray(b, dtype=np.float64) - np.mean(b)
    denominator = math.sqrt(float(a @ a) * float(b @ b))
    return float(a @ b) / denominator if denominator > 0 else None


def spearman(a: np.ndarray, b: np.ndarray) -> float | None:
    return pearson(ranks(a), ranks(b))


@dataclass
class PreferencePairs:
    """Pairs of validation images (indices) that one rater rated differently."""

    first: np.ndarray
    second: np.ndarray
    first_preferred: np.ndarray  # bool: the rater rated `first` higher

    def __len__(self) -> int:
        return len(self.first)


def same_rater_pairs(
    image_ids: np.ndarray, *, seed: int = SPLIT_SEED, per_rater: int = PAIRS_PER_RATER
) -> PreferencePairs:
    """Pairs of these images (ascending ids) rated by the same rater in good standing, with different ratings.

    Stands in for best-of pairs until generation sets exist. A rater with many images gives
    `per_rater` random pairs rather than all of them.
    """
    raters, images, values = [], [], []
    for start in range(0, len(image_ids), CHUNK):
        chunk = image_ids[start : start + CHUNK].tolist()
        for rater_id, image_id, rating in (
            good_standing_ratings().filter(image_id__in=chunk).values_list("rater_id", "image_id", "rating")
        ):
            raters.append(rater_id)
            images.append(image_id)
            values.append(rating)
    empty = PreferencePairs(np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0, bool))
    if not raters:
        return empty
    raters_array = np.asarray(raters, dtype=np.int64)
    positions = np.searchsorted(image_ids, np.asarray(images, dtype=np.int64))
    ratings_array = np.asarray(values, dtype=np.int64)
    order = np.lexsort((positions, raters_array))
    raters_array, positions, ratings_array = raters_array[order], positions[order], ratings_array[order]
    bounds = np.flatnonzero(np.r_[True, raters_array[1:] != raters_array[:-1], True])
    rng = np.random.default_rng(seed)
    firsts, seconds = [], []
    for start, end in itertools.pairwise(bounds):
        n = int(end - start)
        if n < 2:
            continue
        if n * (n - 1) // 2 <= per_rater:
            i, j = np.triu_indices(n, k=1)
        else:
            i = rng.integers(0, n, per_rater)
            j = (i + rng.integers(1, n, per_rater)) % n  # never i itself
        firsts.append(start + i)
        seconds.append(start + j)
    if not firsts:
        return empty
    a, b = np.concatenate(firsts), np.concatenate(seconds)
    differ = ratings_array[a] != ratings_array[b]
    a, b = a[differ], b[differ]
    return PreferencePairs(positions[a], positions[b], ratings_array[a] > ratings_array[b])


def preference_accuracy(predicted: np.ndarray, pairs: PreferencePairs) -> float | None:
    """The share of pairs the predictions order as the rater did (a predicted tie counts half)."""
    if not len(pairs):
        return None
    difference = predicted[pairs.first] - predicted[pairs.second]
    right = np.where(pairs.first_preferred, difference > 0, difference < 0)
    return float((right.sum() + 0.5 * (difference == 0).sum()) / len(pairs))


@dataclass
class BestOfPairs:
    """Held-out best-of picks (of dataset prompt groups, or of rated generation sets): (winner, loser) as rows
    of `embeddings`."""

    embeddings: np.ndarray  # (m, d) float32, the pairs' images
    pairs: PreferencePairs  # first = winner, second = loser; first_preferred is all true
    without_embedding: int  # held-out pairs left out because an image has no embedding under the key

    def __len__(self) -> int:
        return len(self.pairs)


def held_out_best_of_pairs(key: str, train_image_ids: np.ndarray, *, chunk_size: int = CHUNK) -> BestOfPairs:
    """The raters' best-of pairs of dataset images, held out from training: neither image is a training image.

    A pick is made between images of one prompt, side by side, which is what a preference scorer is for;
    the head never saw these images' ratings. Pairs of flagged or banned raters do not count.
    """
    from ratings_site.bestof.models import ImagePreference

    training = set(train_image_ids.tolist())
    winners, losers = [], []
    rows = (
        ImagePreference.objects.filter(counting_raters("rater__"))
        .order_by("pk")
        .values_list("winner_id", "loser_id")
    )
    for winner, loser in rows.iterator(chunk_size=chunk_size):
        if winner not in training and loser not in training:
            winners.append(winner)
            losers.append(loser)
    return _pairs_with_embeddings(key, winners, losers, chunk_size=chunk_size, table=ImageEmbedding)


def held_out_generation_pairs(key: str, *, chunk_size: int = CHUNK) -> BestOfPairs:
    """The best-of pairs of rated generation sets (generations.Preference) whose images both have a
    GenerationEmbedding under `key`.

    Every one is held out: a head trains on dataset images only. A pair counts when its rater is in good
    standing, or when it has none: the Horde's intake records a rating it forwards before we know its user (the
    Horde vouched for that rating), and a rater who is deleted leaves their pairs without one. A pair of a
    flagged or banned rater does not count.
    """
    from ratings_site.generations.models import Preference

    rows = (
        Preference.objects.filter(Q(rater__isnull=True) | counting_raters("rater__"))
        .order_by("pk")
        .values_list("winner_id", "loser_id")
    )
    winners, losers = [], []
    for winner, loser in rows.iterator(chunk_size=chunk_size):
        winners.append(winner)
        losers.append(loser)
    return _pairs_with_embeddings(key, winners, losers, chunk_size=chunk_size, table=GenerationEmbedding)


def _pairs_with_embeddings(key: str, winners: list[int], losers: list[int], *, chunk_size: int, table) -> BestOfPairs:
    """The (winner, loser) pairs whose images both have an embedding under `key` in `table`."""
    empty = PreferencePairs(np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0, bool))
    if not winners:
        return BestOfPairs(np.empty((0, 0), np.float32), empty, 0)
    winner_ids, loser_ids = np.asarray(winners, np.int64), np.asarray(losers, np.int64)
    found, embeddings = load_embeddings(
        key, np.unique(np.concatenate([winner_ids, loser_ids])), chunk_size=chunk_size, table=table
    )
    if not len(found):
        return BestOfPairs(np.empty((0, 0), np.float32), empty, len(winners))
    first, second = np.searchsorted(found, winner_ids), np.searchsorted(found, loser_ids)
    first, second = np.minimum(first, len(found) - 1), np.minimum(second, len(found) - 1)
    known = (found[first] == winner_ids) & (found[second] == loser_ids)
    pairs = PreferencePairs(first[known], second[known], np.ones(int(known.sum()), bool))
    return BestOfPairs(embeddings, pairs, int((~known).sum()))


def best_of_accuracy(head: AestheticHead, best_of: BestOfPairs) -> float | None:
    """The share of held-out best-of pairs the head orders as the rater picked (None without pairs)."""
    if not len(best_of) or best_of.embeddings.shape[1] != head.embedding_dim:
        return None
    return preference_accuracy(predict(head, best_of.embeddings), best_of.pairs)


def validation_metrics(predicted: np.ndarray, actual: np.ndarray, pairs: PreferencePairs) -> dict[str, float | None]:
    predicted = np.asarray(predicted, dtype=np.float64)
    actual = np.asarray(actual, dtype=np.float64)
    error = predicted - actual
    return {
        "mse": float(np.mean(error**2)),
        "mae": float(np.mean(np.abs(error))),
        "pearson": pearson(predicted, actual),
        "spearman": spearman(predicted, actual),
        "preference_accuracy": preference_accuracy(predicted, pairs),
    }


# --- Training -----------------------------------------------------------------------------


@dataclass
class TrainingOptions:
    method: str = field(default_factory=lambda: settings.PREDICTOR_TRAINING_METHOD)  # one of METHODS
    epochs: int = 100
    batch_size: int = 2048
    lr: float = 1e-3
    seed: int = 0
    ensemble: int = 5
    val_fraction: float = 0.1
    min_ratings: int | None = None  # default: settings.MIN_RATINGS_FOR_TRAINING
    min_images: int = MIN_TRAINING_IMAGES
    threads: int | None = None  # torch's CPU threads while training (default: torch's own choice)


@dataclass
class TrainedHead:
    head: AestheticHead
    best_epoch: int  # adam: the epoch kept; ridge: 0
    best_val_mse: float
    penalty: float | None = None  # ridge: the L2 penalty leave-one-out chose


@torch.inference_mode()
def predict(head: AestheticHead, embeddings: torch.Tensor | np.ndarray, *, batch_size: int = 65536) -> np.ndarray:
    head.eval()
    x = torch.as_tensor(embeddings, dtype=torch.float32)
    return torch.cat([head(x[i : i + batch_size]) for i in range(0, len(x), batch_size)]).numpy().astype(np.float64)


def train_head(
    x_train: np.ndarray,
    y_train: np.ndarray,
    x_val: np.ndarray,
    y_val: np.ndarray,
    *,
    epochs: int,
    batch_size: int,
    lr: float,
    seed: int,
    description: str = "head",
    show_progress: bool = False,
) -> TrainedHead:
    """MSE + Adam; returns the head at the epoch with the lowest validation MSE."""
    torch.manual_seed(seed)
    shuffler = torch.Generator().manual_seed(seed)
    x = torch.from_numpy(np.ascontiguousarray(x_train, dtype=np.float32))
    y = torch.from_numpy(np.ascontiguousarray(y_train, dtype=np.float32))
    x_check = torch.from_numpy(np.ascontiguousarray(x_val, dtype=np.float32))
    y_check = np.asarray(y_val, dtype=np.float64)
    head = AestheticHead(x.shape[1])
    with torch.no_grad():
        head.layers[7].bias.fill_(float(y.mean()))  # start from the mean rating, not from 0
    optimizer = torch.optim.Adam(head.parameters(), lr=lr)
    best = TrainedHead(head, 0, math.inf)
    best_state: dict[str, torch.Tensor] | None = None
    epochs_bar = tqdm(range(1, epochs + 1), desc=description, unit="epoch", disable=not show_progress, file=sys.stderr)
    for epoch in epochs_bar:
        head.train()
        order = torch.randperm(len(x), generator=shuffler)
        for start in range(0, len(x), batch_size):
            batch = order[start : start + batch_size]
            loss = F.mse_loss(head(x[batch]), y[batch])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
        val_mse = float(np.mean((predict(head, x_check) - y_check) ** 2))
        if val_mse < best.best_val_mse:
            best.best_epoch, best.best_val_mse = epoch, val_mse
            best_state = {key: value.detach().clone() for key, value in head.state_dict().items()}
        epochs_bar.set_postfix(val_mse=f"{val_mse:.4f}", best=f"{best.best_val_mse:.4f}@{best.best_epoch}")
    epochs_bar.close()
    if best_state is not None:
        head.load_state_dict(best_state)
    return best


@dataclass
class RidgeFit:
    weights: np.ndarray  # float64 (d,)
    bias: float
    penalty: float
    loo_mse: float | None  # the leave-one-out MSE at that penalty (None when the penalty was given)


def fit_ridge(
    x: np.ndarray,
    y: np.ndarray,
    *,
    penalty: float | None = None,
    penalties: tuple[float, ...] = RIDGE_PENALTIES,
    counts: np.ndarray | None = None,
    chunk: int = RIDGE_CHUNK,
    show_progress: bool = False,
) -> RidgeFit:
    """Least squares with an L2 penalty on the weights (not the bias), in closed form.

    The published head has no activations, so it computes a linear function of the embedding,
    and minimising its MSE is a least-squares problem: this solves it exactly instead of by
    Adam's epochs. Without `penalty`, each of `penalties` is tried and the one with the lowest
    exact leave-one-out error is kept (for ridge, the error of the fit without image i is
    r_i / (1 - h_i), with r_i its residual and h_i its leverage, so every image validates
    without a held-out split or refitting). Cost: one pass to form X'X (O(n d^2)), one
    eigendecomposition (O(d^3)), one pass for the errors of every penalty (O(n d^2 + n d P)).

    `counts` (how many times each row counts, e.g. np.bincount of a bootstrap resample) fits
    the resample without copying its rows; it needs a given `penalty`.
    """
    x = np.asarray(x)
    y = np.asarray(y, dtype=np.float64)
    n, d = x.shape
    if n < 2 or len(y) != n:
        raise ValueError("fit_ridge needs at least 2 embeddings and one target per embedding")
    if counts is None:
        weight = np.ones(n)
    elif penalty is None:
        raise ValueError("fit_ridge with counts needs a penalty (leave-one-out of a resample would be optimistic)")
    else:
        weight = np.asarray(counts, dtype=np.float64)
        if weight.shape != (n,) or (weight < 0).any() or not weight.sum() > 0:
            raise ValueError("counts must be one non-negative number per embedding, not all zero")
    total = weight.sum()
    x_mean = np.zeros(d)
    for start in range(0, n, chunk):
        rows = x[start : start + chunk]
        x_mean += rows.sum(axis=0, dtype=np.float64) if counts is None else weight[start : start + chunk] @ rows.astype(np.float64)
    x_mean /= total
    y_mean = float(weight @ y / total)
    yc = y - y_mean
    gram, moment = np.zeros((d, d)), np.zeros(d)
    starts = range(0, n, chunk)
    for start in tqdm(starts, desc="ridge: X'X", unit="chunk", disable=not show_progress, file=sys.stderr):
        xc = x[start : start + chunk].astype(np.float64) - x_mean
        weighted = xc if counts is None else xc * weight[start : start + chunk, None]
        gram += weighted.T @ xc
        moment += weighted.T @ yc[start : start + chunk]
    eigenvalues, basis = np.linalg.eigh(gram)
    eigenvalues = np.clip(eigenvalues, 0.0, None)
    projected = basis.T @ moment  # X'y in the eigenbasis
    loo_mse = None
    if penalty is None:
        grid = np.asarray(penalties, dtype=np.float64)
        inverse = 1.0 / (eigenvalues[:, None] + grid[None, :])  # (d, P)
        coefficients = projected[:, None] * inverse  # the weights in the eigenbasis, one column per penalty
        errors = np.zeros(len(grid))
        for start in tqdm(starts, desc="ridge: leave-one-out", unit="chunk", disable=not show_progress, file=sys.stderr):
            rows = (x[start : start + chunk].astype(np.float64) - x_mean) @ basis
            residuals = yc[start : start + chunk, None] - rows @ coefficients
            leverage = (rows * rows) @ inverse + 1.0 / n  # the centring counts as one more parameter
            errors += ((residuals / np.maximum(1.0 - leverage, 1e-9)) ** 2).sum(axis=0)
        best = int(np.argmin(errors))
        penalty, loo_mse = float(grid[best]), float(errors[best] / n)
    if not penalty > 0:
        raise ValueError("the ridge penalty must be positive")
    weights = basis @ (projected / (eigenvalues + penalty))
    return RidgeFit(weights=weights, bias=y_mean - float(x_mean @ weights), penalty=penalty, loo_mse=loo_mse)


def describe_penalty(penalty: float) -> str:
    """How train_predictor reports the chosen penalty, with a warning when it is the end of the grid."""
    text = f"ridge penalty {penalty:g} (by leave-one-out"
    if penalty == RIDGE_PENALTIES[0]:
        return text + "; the smallest tried: a smaller one may do better)"
    if penalty == RIDGE_PENALTIES[-1]:
        return text + "; the largest tried: the embeddings predict little of these ratings)"
    return text + ")"


def linear_head(weights: np.ndarray, bias: float) -> AestheticHead:
    """A head in the published layout that computes weights . x + bias exactly.

    The first layer's first unit carries the linear function; the four layers after it pass
    that one unit through (weight 1, every other weight and bias 0), and the last adds the bias.
    """
    weights = np.asarray(weights, dtype=np.float32)
    head = AestheticHead(len(weights))
    with torch.no_grad():
        for layer in head.layers:
            if isinstance(layer, torch.nn.Linear):
                layer.weight.zero_()
                layer.bias.zero_()
        head.layers[0].weight[0] = torch.from_numpy(weights)
        for index in (2, 4, 6, 7):
            head.layers[index].weight[0, 0] = 1.0
        head.layers[7].bias.fill_(float(bias))
    return head.eval()


def train_ridge_head(
    x_train: np.ndarray,
    y_train: np.ndarray,
    x_val: np.ndarray,
    y_val: np.ndarray,
    *,
    penalty: float | None = None,
    counts: np.ndarray | None = None,
    show_progress: bool = False,
) -> TrainedHead:
    """fit_ridge (the penalty by leave-one-out unless given) as a published-layout head."""
    fit = fit_ridge(x_train, y_train, penalty=penalty, counts=counts, show_progress=show_progress)
    head = linear_head(fit.weights, fit.bias)
    val_mse = float(np.mean((predict(head, x_val) - np.asarray(y_val, dtype=np.float64)) ** 2)) if len(x_val) else math.inf
    return TrainedHead(head, 0, val_mse, penalty=fit.penalty)


def fit_head(
    x_train: np.ndarray,
    y_train: np.ndarray,
    x_val: np.ndarray,
    y_val: np.ndarray,
    options: TrainingOptions,
    *,
    seed: int,
    description: str = "head",
    show_progress: bool = False,
) -> TrainedHead:
    """One head by `options.method`: Adam's epochs (train_head) or the closed form (train_ridge_head)."""
    if options.method == "ridge":
        return train_ridge_head(x_train, y_train, x_val, y_val, show_progress=show_progress)
    if options.method != "adam":
        raise ValueError(f"unknown training method {options.method!r}; choose from {', '.join(METHODS)}")
    return train_head(
        x_train,
        y_train,
        x_val,
        y_val,
        epochs=options.epochs,
        batch_size=options.batch_size,
        lr=options.lr,
        seed=seed,
        description=description,
        show_progress=show_progress,
    )


def train_ensemble(
    x_train: np.ndarray,
    y_train: np.ndarray,
    x_val: np.ndarray,
    y_val: np.ndarray,
    *,
    size: int,
    options: TrainingOptions,
    penalty: float | None = None,
    show_progress: bool = False,
) -> HeadEnsemble:
    """`size` heads, each trained on a bootstrap resample (with replacement) of the training split.

    With `ridge`, every resample is fitted with the penalty the whole split chose (`penalty`, or
    found here): leave-one-out on a resample, where an image may appear twice, would choose too
    small a one. Each resample is fitted from its counts per row, not a copy of its embeddings.
    """
    if options.method == "ridge" and penalty is None:
        penalty = fit_ridge(x_train, y_train).penalty
    rng = np.random.default_rng(options.seed + 1)
    heads = []
    for k in range(size):
        sample = rng.integers(0, len(x_train), len(x_train))
        if options.method == "ridge":
            counts = np.bincount(sample, minlength=len(x_train))
            heads.append(train_ridge_head(x_train, y_train, x_val, y_val, penalty=penalty, counts=counts).head)
            continue
        trained = fit_head(
            x_train[sample],
            y_train[sample],
            x_val,
            y_val,
            options,
            seed=options.seed + 1 + k,
            description=f"ensemble {k + 1}/{size}",
            show_progress=show_progress,
        )
        heads.append(trained.head)
    return HeadEnsemble(heads, torch.from_numpy(design_gram(x_train))).eval()


# --- A run: train, compare with the current version, save ---------------------------------


@dataclass
class TrainingReport:
    key: str
    options: TrainingOptions
    images: int
    train_images: int
    validation_images: int
    without_embedding: int
    preference_pairs: int
    best_of: BestOfPairs
    generation_best_of: BestOfPairs
    trained: TrainedHead
    ensemble: HeadEnsemble | None
    new: dict[str, float | None]
    current_version: PredictorVersion | None = None
    current: dict[str, float | None] | None = None
    current_note: str = ""  # why the current head was not measured

    @property
    def embedding_dim(self) -> int:
        return self.trained.head.embedding_dim

    def _pair_sources(self) -> list[tuple[str, str, int]]:
        """(metric, name for people, pairs) of each source of held-out best-of pairs."""
        return [
            ("best_of_accuracy", "best-of accuracy", len(self.best_of)),
            ("generation_best_of_accuracy", "generation best-of accuracy", len(self.generation_best_of)),
        ]

    def _worse_on_pairs(self) -> list[str]:
        """The pair sources both heads were measured on where the new head orders the picks worse."""
        worse = []
        for metric, name, count in self._pair_sources():
            new_pairs, current_pairs = self.new.get(metric), self.current.get(metric)
            if new_pairs is not None and current_pairs is not None and new_pairs < current_pairs:
                worse.append(f"{name} {new_pairs:.1%} is below the current head's {current_pairs:.1%} on {count} held-out pairs")
        return worse

    @property
    def beats_current(self) -> bool:
        """Better than the current head (true when there is none to compare with).

        Lower validation MSE, and, on each source of held-out best-of pairs (dataset prompt groups, rated
        generation sets) that both heads were measured on, an accuracy at least as high: a head that predicts
        ratings better but orders the raters' picks worse is not saved.
        """
        if self.current is None:
            return True
        if self.new["mse"] >= self.current["mse"]:
            return False
        return not self._worse_on_pairs()

    @property
    def why_not_better(self) -> str:
        """Why `beats_current` is false, for people."""
        if self.current is None or self.beats_current:
            return ""
        if self.new["mse"] >= self.current["mse"]:
            return f"validation MSE {self.new['mse']:.4f} does not beat the current head's {self.current['mse']:.4f}"
        return "; ".join(self._worse_on_pairs())

    def _method_settings(self) -> dict:
        """The settings the method used: ridge its penalty, Adam its epochs, batch and learning rate."""
        if self.options.method == "ridge":
            return {"penalty": self.trained.penalty}
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
            "best_of_pairs_source": "dataset best-of picks whose images are not training images",
            "generation_pairs": len(self.generation_best_of),
            "generation_pairs_source": "best-of pairs of rated generation sets (no generation image is trained on)",
            "generation_pairs_without_embedding": self.generation_best_of.without_embedding,
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
    best_of: BestOfPairs,
    generation_best_of: BestOfPairs,
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
    measured["best_of_accuracy"] = best_of_accuracy(head, best_of) if same_key else None
    measured["generation_best_of_accuracy"] = best_of_accuracy(head, generation_best_of) if same_key else None
    return measured, ""


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
    training_set = load_training_set(key, min_ratings=options.min_ratings)
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
    trained = fit_head(
        train.embeddings, train.targets, val.embeddings, val.targets, options, seed=options.seed, show_progress=show_progress
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
        )
    best_of = held_out_best_of_pairs(key, train.image_ids)
    new = validation_metrics(predict(trained.head, val.embeddings), val.targets, pairs)
    new["best_of_accuracy"] = best_of_accuracy(trained.head, best_of)
    generation_best_of = held_out_generation_pairs(key)
    new["generation_best_of_accuracy"] = best_of_accuracy(trained.head, generation_best_of)
    current_version = PredictorVersion.current()
    current, note = _measure_current(current_version, training_set, val, pairs, best_of, generation_best_of)
    return TrainingReport(
        key=key,
        options=options,
        images=len(training_set),
        train_images=len(train),
        validation_images=len(val),
        without_embedding=training_set.without_embedding,
        preference_pairs=len(pairs),
        best_of=best_of,
        generation_best_of=generation_best_of,
        trained=trained,
        ensemble=ensemble,
        new=new,
        current_version=current_version,
        current=current,
        current_note=note,
    )


def save_version(
    report: TrainingReport, *, clip_model: str, pretrained: str, directory: Path | None = None
) -> PredictorVersion:
    """Write the head (and ensemble) under PREDICTOR_DIR and register them as the current version."""
    directory = Path(settings.PREDICTOR_DIR if directory is None else directory)
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S-%f")
    head_file = directory / f"head-{stamp}.safetensors"
    sha256 = save_head(report.trained.head, head_file)
    ensemble_file = None
    if report.ensemble is not None:
        ensemble_file = directory / f"ensemble-{stamp}.safetensors"
        save_ensemble(report.ensemble, ensemble_file)
    return register_version(
        clip_model=clip_model,
        clip_pretrained=pretrained,
        embedding_dim=report.embedding_dim,
        head_file=head_file,
        head_sha256=sha256,
        ensemble_file=ensemble_file,
        ensemble_size=len(report.ensemble.heads) if report.ensemble is not None else 0,
        metrics=report.metrics(),
        make_current=True,
    )
