"""The figures a head is judged by, from its predictions (numpy only, no torch).

On the validation images: MSE, MAE, Pearson and Spearman against their (weighted) mean ratings, and the share of
same-rater pairs of them ordered as the rater did (`preference_accuracy`). On best-of pairs: the share of picks
ordered as the rater picked (`pair_accuracy`). `--save-if-better` compares the held-out Spearman and the held-out
pair accuracy of the new and the current head (training.run).
"""

from __future__ import annotations

import math

import numpy as np

from ratings_site.predictor.training.pairs import BestOfPairs, PreferencePairs

METRIC_NAMES = (
    "mse",
    "mae",
    "pearson",
    "spearman",
    "preference_accuracy",
    "best_of_accuracy",
    "generation_best_of_accuracy",
    "train_pair_accuracy",
)


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
    """None when either side is constant (the correlation is not defined)."""
    a = np.asarray(a, dtype=np.float64) - np.mean(a)
    b = np.asarray(b, dtype=np.float64) - np.mean(b)
    denominator = math.sqrt(float(a @ a) * float(b @ b))
    return float(a @ b) / denominator if denominator > 0 else None


def spearman(a: np.ndarray, b: np.ndarray) -> float | None:
    return pearson(ranks(a), ranks(b))


def preference_accuracy(predicted: np.ndarray, pairs: PreferencePairs) -> float | None:
    """The share of pairs the predictions order as the rater did (a predicted tie counts half); None without
    pairs."""
    if not len(pairs):
        return None
    difference = predicted[pairs.first] - predicted[pairs.second]
    right = np.where(pairs.first_preferred, difference > 0, difference < 0)
    return float((right.sum() + 0.5 * (difference == 0).sum()) / len(pairs))


def pair_accuracy(predicted: np.ndarray, best_of: BestOfPairs) -> float | None:
    """The share of best-of picks ordered as the rater picked, from the predictions of `best_of.embeddings`;
    None without pairs."""
    if not len(best_of):
        return None
    return preference_accuracy(np.asarray(predicted, dtype=np.float64), best_of.pairs)


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
