"""Fitting a head: the losses, the closed form and the loop (imports torch).

A head is fitted one of two ways (TrainingOptions.method, PREDICTOR_TRAINING_METHOD):

- `ridge` (default): the published layout has no activations, so a head computes a linear
  function of the embedding and minimising its MSE is least squares. `fit_ridge` solves it in
  closed form with an L2 penalty chosen by exact leave-one-out error over the training split,
  and `linear_head` writes the solution into the published layout. In
  benchmarks/active_learning_benchmark.py it reaches a given Spearman with fewer ratings than
  Adam's epochs whatever order images are rated in (see benchmarks/README.md), and it takes
  seconds, not epochs.
- `adam`: MSE and Adam, the published recipe (../shared/horde-wire.md §7); the epoch with the
  lowest validation MSE is kept (with pairs, the lowest validation MSE plus the pair term on the training pairs).

With best-of pairs (`--pairs`), the loss adds a Bradley–Terry term: the probability that a rater picks the
winner over the loser is modelled as sigmoid((s_winner - s_loser) / PAIR_SCALE), s the predicted ratings, and the
term is the pairs' (weighted) mean negative log-likelihood, softplus(-(s_w - s_l) / PAIR_SCALE), times
`pair_weight` (1: the mean pair loss counts as much as the mean squared error). For `adam` each step adds a batch of
pairs to its batch of images. For `ridge` the objective is still convex in the linear head's weights but no longer
quadratic: `fit_ridge_with_pairs` starts from the least-squares solution (its penalty chosen by leave-one-out on the
ratings alone) and takes damped Newton steps on the exact objective. The bias is never touched by the pair term
(it cancels in a difference), so it stays the one that fits the mean rating.

An ensemble of heads fitted the same way on bootstrap resamples of the images (the pairs are not resampled) gives
the uncertainty the `uncertainty` priority strategy uses.
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass, field

import numpy as np
import torch
from django.conf import settings
from torch.nn import functional as F
from tqdm import tqdm

from ratings_site.predictor.heads import AestheticHead, HeadEnsemble
from ratings_site.predictor.priorities import design_gram
from ratings_site.predictor.training.data import MIN_TRAINING_IMAGES
from ratings_site.predictor.training.pairs import PAIR_VAL_FRACTION, BestOfPairs

METHODS = ("adam", "ridge")
RIDGE_PENALTIES = tuple(float(value) for value in np.logspace(-4, 3, 29))  # tried by leave-one-out
RIDGE_CHUNK = 16_384  # rows per pass when forming X'X and the leave-one-out errors
PAIR_SCALE = 1.0  # rating points: a winner predicted one point above its loser is picked with p = sigmoid(1) = 73 %
NEWTON_STEPS = 50  # at most; a few suffice (the objective is smooth and strictly convex)
NEWTON_TOLERANCE = 1e-10  # stop when half the Newton decrement squared is below this share of the objective


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
    reliability_weights: bool = False  # weigh each rating (and training pair) by its rater's reliability weight
    pairs: bool = False  # train on best-of pairs too (a Bradley–Terry loss)
    pair_weight: float = 1.0  # the mean pair loss's weight beside the mean squared error
    pair_val_fraction: float = PAIR_VAL_FRACTION  # with pairs: the share of groups (and sets) held out


@dataclass
class TrainedHead:
    head: AestheticHead
    best_epoch: int  # adam: the epoch kept; ridge: 0
    best_val_mse: float
    penalty: float | None = None  # ridge: the L2 penalty leave-one-out chose
    newton_steps: int = 0  # ridge with pairs: the Newton steps taken


@torch.inference_mode()
def predict(head: AestheticHead, embeddings: torch.Tensor | np.ndarray, *, batch_size: int = 65536) -> np.ndarray:
    head.eval()
    x = torch.as_tensor(embeddings, dtype=torch.float32)
    if not len(x):
        return np.empty(0, dtype=np.float64)
    return torch.cat([head(x[i : i + batch_size]) for i in range(0, len(x), batch_size)]).numpy().astype(np.float64)


def _usable(pairs: BestOfPairs | None, pair_weight: float, dim: int) -> bool:
    return pairs is not None and len(pairs) > 0 and pair_weight > 0 and pairs.embeddings.shape[1] == dim


def pair_loss(winner_scores: torch.Tensor, loser_scores: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
    """The Bradley–Terry negative log-likelihood of the picks, weighted mean over the pairs."""
    nll = F.softplus(-(winner_scores - loser_scores) / PAIR_SCALE)
    return (nll * weights).sum() / weights.sum()


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
    pairs: BestOfPairs | None = None,
    pair_weight: float = 1.0,
) -> TrainedHead:
    """MSE (+ pair_weight × the pairs' Bradley–Terry loss) and Adam; returns the head at the epoch with the lowest
    validation MSE (with pairs: validation MSE + pair_weight × the training pairs' loss, the objective with its
    squares measured on unseen images)."""
    torch.manual_seed(seed)
    shuffler = torch.Generator().manual_seed(seed)
    x = torch.from_numpy(np.ascontiguousarray(x_train, dtype=np.float32))
    y = torch.from_numpy(np.ascontiguousarray(y_train, dtype=np.float32))
    x_check = torch.from_numpy(np.ascontiguousarray(x_val, dtype=np.float32))
    y_check = np.asarray(y_val, dtype=np.float64)
    with_pairs = _usable(pairs, pair_weight, x.shape[1])
    if with_pairs:
        pair_x = torch.from_numpy(np.ascontiguousarray(pairs.embeddings, dtype=np.float32))
        winners = torch.from_numpy(pairs.pairs.first.astype(np.int64))
        losers = torch.from_numpy(pairs.pairs.second.astype(np.int64))
        pair_weights = torch.from_numpy(np.asarray(pairs.weights, dtype=np.float32))
        pair_batch = min(batch_size, len(winners))
    head = AestheticHead(x.shape[1])
    with torch.no_grad():
        head.layers[7].bias.fill_(float(y.mean()))  # start from the mean rating, not from 0
    optimizer = torch.optim.Adam(head.parameters(), lr=lr)
    best = TrainedHead(head, 0, math.inf)
    best_criterion = math.inf
    best_state: dict[str, torch.Tensor] | None = None
    epochs_bar = tqdm(range(1, epochs + 1), desc=description, unit="epoch", disable=not show_progress, file=sys.stderr)
    for epoch in epochs_bar:
        head.train()
        order = torch.randperm(len(x), generator=shuffler)
        for start in range(0, len(x), batch_size):
            batch = order[start : start + batch_size]
            loss = F.mse_loss(head(x[batch]), y[batch])
            if with_pairs:
                chosen = torch.randint(len(winners), (pair_batch,), generator=shuffler)
                w, lo = winners[chosen], losers[chosen]
                scores = head(pair_x[torch.cat([w, lo])])
                loss = loss + pair_weight * pair_loss(scores[:pair_batch], scores[pair_batch:], pair_weights[chosen])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
        val_mse = float(np.mean((predict(head, x_check) - y_check) ** 2))
        criterion = val_mse
        if with_pairs:  # the objective's pair term, on the training pairs (the held-out ones judge the head later)
            scores = torch.from_numpy(predict(head, pair_x))
            criterion += pair_weight * float(pair_loss(scores[winners], scores[losers], pair_weights.double()))
        if criterion < best_criterion:
            best.best_epoch, best.best_val_mse, best_criterion = epoch, val_mse, criterion
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
    newton_steps: int = 0  # fit_ridge_with_pairs: the Newton steps taken


@dataclass
class _Moments:
    """The centred, weighted second moments of a least-squares problem: everything the squares need."""

    x_mean: np.ndarray
    y_mean: float
    gram: np.ndarray  # Xc' C Xc
    moment: np.ndarray  # Xc' C yc
    total: float  # sum of the row weights C


def _moments(x: np.ndarray, y: np.ndarray, counts: np.ndarray | None, chunk: int, show_progress: bool) -> _Moments:
    n, d = x.shape
    weight = np.ones(n) if counts is None else np.asarray(counts, dtype=np.float64)
    total = weight.sum()
    x_mean = np.zeros(d)
    for start in range(0, n, chunk):
        rows = x[start : start + chunk]
        x_mean += (
            rows.sum(axis=0, dtype=np.float64)
            if counts is None
            else weight[start : start + chunk] @ rows.astype(np.float64)
        )
    x_mean /= total
    y_mean = float(weight @ y / total)
    yc = y - y_mean
    gram, moment = np.zeros((d, d)), np.zeros(d)
    for start in tqdm(range(0, n, chunk), desc="ridge: X'X", unit="chunk", disable=not show_progress, file=sys.stderr):
        xc = x[start : start + chunk].astype(np.float64) - x_mean
        weighted = xc if counts is None else xc * weight[start : start + chunk, None]
        gram += weighted.T @ xc
        moment += weighted.T @ yc[start : start + chunk]
    return _Moments(x_mean, y_mean, gram, moment, float(total))


def _check_ridge_input(x: np.ndarray, y: np.ndarray, penalty: float | None, counts: np.ndarray | None) -> None:
    n = x.shape[0]
    if n < 2 or len(y) != n:
        raise ValueError("fit_ridge needs at least 2 embeddings and one target per embedding")
    if counts is not None:
        if penalty is None:
            raise ValueError("fit_ridge with counts needs a penalty (leave-one-out of a resample would be optimistic)")
        weight = np.asarray(counts, dtype=np.float64)
        if weight.shape != (n,) or (weight < 0).any() or not weight.sum() > 0:
            raise ValueError("counts must be one non-negative number per embedding, not all zero")


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
    return _fit_ridge(
        x, y, penalty=penalty, penalties=penalties, counts=counts, chunk=chunk, show_progress=show_progress
    )[0]


def _fit_ridge(
    x: np.ndarray,
    y: np.ndarray,
    *,
    penalty: float | None,
    penalties: tuple[float, ...] = RIDGE_PENALTIES,
    counts: np.ndarray | None,
    chunk: int,
    show_progress: bool,
) -> tuple[RidgeFit, _Moments]:
    x = np.asarray(x)
    y = np.asarray(y, dtype=np.float64)
    _check_ridge_input(x, y, penalty, counts)
    n = x.shape[0]
    moments = _moments(x, y, counts, chunk, show_progress)
    eigenvalues, basis = np.linalg.eigh(moments.gram)
    eigenvalues = np.clip(eigenvalues, 0.0, None)
    projected = basis.T @ moments.moment  # X'y in the eigenbasis
    loo_mse = None
    if penalty is None:
        yc = y - moments.y_mean
        grid = np.asarray(penalties, dtype=np.float64)
        inverse = 1.0 / (eigenvalues[:, None] + grid[None, :])  # (d, P)
        coefficients = projected[:, None] * inverse  # the weights in the eigenbasis, one column per penalty
        errors = np.zeros(len(grid))
        starts = range(0, n, chunk)
        for start in tqdm(
            starts, desc="ridge: leave-one-out", unit="chunk", disable=not show_progress, file=sys.stderr
        ):
            rows = (x[start : start + chunk].astype(np.float64) - moments.x_mean) @ basis
            residuals = yc[start : start + chunk, None] - rows @ coefficients
            leverage = (rows * rows) @ inverse + 1.0 / n  # the centring counts as one more parameter
            errors += ((residuals / np.maximum(1.0 - leverage, 1e-9)) ** 2).sum(axis=0)
        best = int(np.argmin(errors))
        penalty, loo_mse = float(grid[best]), float(errors[best] / n)
    if not penalty > 0:
        raise ValueError("the ridge penalty must be positive")
    weights = basis @ (projected / (eigenvalues + penalty))
    fit = RidgeFit(
        weights=weights, bias=moments.y_mean - float(moments.x_mean @ weights), penalty=penalty, loo_mse=loo_mse
    )
    return fit, moments


def fit_ridge_with_pairs(
    x: np.ndarray,
    y: np.ndarray,
    pairs: BestOfPairs,
    *,
    pair_weight: float = 1.0,
    penalty: float | None = None,
    counts: np.ndarray | None = None,
    chunk: int = RIDGE_CHUNK,
    show_progress: bool = False,
) -> RidgeFit:
    """The linear head minimising  Σ c_i (x_i·w + b − y_i)² + λ|w|² + α Σ_k v_k softplus(−(x_w,k − x_l,k)·w / s),
    with α = pair_weight · Σc / Σv (so that pair_weight weighs the mean pair loss against the mean squared error),
    v_k the pairs' weights, s = PAIR_SCALE.

    λ is `penalty`, or chosen by leave-one-out on the ratings alone (fit_ridge). The objective is strictly convex
    in w; from the least-squares solution, damped Newton steps (the Hessian 2(X'CX + λI) + α Σ v σ(1−σ) d d' / s²,
    formed in chunks of pairs) reach its minimum in a few steps. b is the weighted mean residual, as in fit_ridge.
    """
    fit, moments = _fit_ridge(x, y, penalty=penalty, counts=counts, chunk=chunk, show_progress=show_progress)
    if not _usable(pairs, pair_weight, np.asarray(x).shape[1]):
        return fit
    y = np.asarray(y, dtype=np.float64)
    yc = y - moments.y_mean
    weight = np.ones(len(y)) if counts is None else np.asarray(counts, dtype=np.float64)
    constant = float(weight @ (yc * yc))
    pair_weights = np.asarray(pairs.weights, dtype=np.float64)
    alpha = pair_weight * moments.total / pair_weights.sum()
    embeddings, first, second = pairs.embeddings, pairs.pairs.first, pairs.pairs.second
    d = len(fit.weights)
    quadratic = moments.gram + fit.penalty * np.eye(d)

    def differences(start: int) -> np.ndarray:
        stop = start + chunk
        return (embeddings[first[start:stop]].astype(np.float64) - embeddings[second[start:stop]]) / PAIR_SCALE

    def objective(w: np.ndarray) -> float:
        squares = float(w @ quadratic @ w - 2.0 * w @ moments.moment) + constant
        nll = sum(
            float(pair_weights[start : start + chunk] @ np.logaddexp(0.0, -(differences(start) @ w)))
            for start in range(0, len(first), chunk)
        )
        return squares + alpha * nll

    w = fit.weights.copy()
    value = objective(w)
    steps = 0
    for steps in range(1, NEWTON_STEPS + 1):  # noqa: B007 (the count is reported)
        gradient = 2.0 * (quadratic @ w - moments.moment)
        hessian = 2.0 * quadratic
        for start in range(0, len(first), chunk):
            rows = differences(start)
            z = rows @ w
            p = 0.5 * (1.0 - np.tanh(z / 2.0))  # sigmoid(-z), without overflow: the modelled chance the loser wins
            v = pair_weights[start : start + chunk]
            gradient -= alpha * rows.T @ (v * p)
            hessian += alpha * (rows * (v * p * (1.0 - p))[:, None]).T @ rows
        step = -np.linalg.solve(hessian, gradient)
        decrement = -float(gradient @ step)  # λ² of Newton's method
        if decrement / 2.0 <= NEWTON_TOLERANCE * max(1.0, abs(value)):
            break
        size = 1.0
        while size > 1e-8:  # backtracking (Armijo) line search
            candidate = w + size * step
            candidate_value = objective(candidate)
            if candidate_value <= value - 0.25 * size * decrement:
                break
            size /= 2.0
        else:
            break
        w, value = candidate, candidate_value
    return RidgeFit(
        weights=w,
        bias=moments.y_mean - float(moments.x_mean @ w),
        penalty=fit.penalty,
        loo_mse=fit.loo_mse,
        newton_steps=steps,
    )


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
    pairs: BestOfPairs | None = None,
    pair_weight: float = 1.0,
) -> TrainedHead:
    """fit_ridge (the penalty by leave-one-out unless given), or fit_ridge_with_pairs given pairs, as a
    published-layout head."""
    if _usable(pairs, pair_weight, np.asarray(x_train).shape[1]):
        fit = fit_ridge_with_pairs(
            x_train,
            y_train,
            pairs,
            pair_weight=pair_weight,
            penalty=penalty,
            counts=counts,
            show_progress=show_progress,
        )
    else:
        fit = fit_ridge(x_train, y_train, penalty=penalty, counts=counts, show_progress=show_progress)
    head = linear_head(fit.weights, fit.bias)
    val_mse = (
        float(np.mean((predict(head, x_val) - np.asarray(y_val, dtype=np.float64)) ** 2)) if len(x_val) else math.inf
    )
    return TrainedHead(head, 0, val_mse, penalty=fit.penalty, newton_steps=fit.newton_steps)


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
    pairs: BestOfPairs | None = None,
) -> TrainedHead:
    """One head by `options.method`: Adam's epochs (train_head) or the closed form (train_ridge_head), with the
    pairs' loss when `pairs` are given."""
    if options.method == "ridge":
        return train_ridge_head(
            x_train, y_train, x_val, y_val, show_progress=show_progress, pairs=pairs, pair_weight=options.pair_weight
        )
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
        pairs=pairs,
        pair_weight=options.pair_weight,
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
    pairs: BestOfPairs | None = None,
) -> HeadEnsemble:
    """`size` heads, each trained on a bootstrap resample (with replacement) of the training split (and on all the
    training pairs, when given).

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
            trained = train_ridge_head(
                x_train,
                y_train,
                x_val,
                y_val,
                penalty=penalty,
                counts=counts,
                pairs=pairs,
                pair_weight=options.pair_weight,
            )
            heads.append(trained.head)
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
            pairs=pairs,
        )
        heads.append(trained.head)
    return HeadEnsemble(heads, torch.from_numpy(design_gram(x_train))).eval()
