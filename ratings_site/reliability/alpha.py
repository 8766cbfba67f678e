"""Krippendorff's alpha from a coincidence matrix: plain arithmetic, no database.

Krippendorff, "Computing Krippendorff's Alpha-Reliability" (2011). The values of a scale are the matrix's indexes
(index 0 is the scale's lowest value: a rating of 1, artifacts of 0). A unit is one image; its values are its
counted ratings, given here as a histogram (`histogram[c]` raters gave value c).

- A unit with m >= 2 values adds to the coincidence matrix o: o[c][k] += n_c * n_k / (m - 1) for c != k, and
  o[c][c] += n_c * (n_c - 1) / (m - 1) (`add_unit`). A unit with fewer than 2 values is not pairable: it adds
  nothing. Each pairable unit adds m to the matrix's total n, whatever its values.
- With n_c the matrix's row sums (the pairable values' marginals) and n their sum:
  D_o = sum_c sum_k o[c][k] * delta2(c, k) / n          (observed disagreement)
  D_e = sum_c sum_k n_c * n_k * delta2(c, k) / (n (n-1)) (expected disagreement)
  alpha = 1 - D_o / D_e.
- `INTERVAL`: delta2(c, k) = (c - k)^2, for the 1..10 ratings.
  `ORDINAL`: delta2(c, k) = (sum_{g=c..k} n_g - (n_c + n_k) / 2)^2, from the marginals, for the 0..5 artifacts.

Alpha is None when it is undefined: fewer than two pairable values, or no expected disagreement (every pairable
value the same).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

Metric = Literal["interval", "ordinal"]
INTERVAL: Metric = "interval"
ORDINAL: Metric = "ordinal"

Matrix = list[list[float]]


def empty_matrix(size: int) -> Matrix:
    return [[0.0] * size for _ in range(size)]


def add_unit(matrix: Matrix, histogram: Sequence[int], sign: int = 1) -> None:
    """Add one unit's share to the coincidence matrix, in place (`sign=-1` takes it out again)."""
    m = sum(histogram)
    if m < 2:
        return
    present = [(c, count) for c, count in enumerate(histogram) if count]
    for c, n_c in present:
        row = matrix[c]
        for k, n_k in present:
            pairs = n_c * (n_c - 1) if c == k else n_c * n_k
            if pairs:
                row[k] += sign * pairs / (m - 1)


def coincidences(units: Sequence[Sequence[int]], size: int) -> Matrix:
    """The coincidence matrix of these units' histograms."""
    matrix = empty_matrix(size)
    for histogram in units:
        add_unit(matrix, histogram)
    return matrix


def marginals(matrix: Matrix) -> list[float]:
    return [sum(row) for row in matrix]


def delta2(metric: Metric, c: int, k: int, margins: Sequence[float]) -> float:
    """The squared difference between values c and k under the metric (`margins`: the matrix's row sums)."""
    if metric == INTERVAL:
        return float((c - k) ** 2)
    if metric == ORDINAL:
        low, high = min(c, k), max(c, k)
        return (sum(margins[low : high + 1]) - (margins[c] + margins[k]) / 2) ** 2
    raise ValueError(f"unknown metric {metric!r}")


def disagreements(matrix: Matrix, metric: Metric) -> tuple[float, float] | None:
    """(D_o, D_e) of the matrix, or None with fewer than two pairable values."""
    margins = marginals(matrix)
    n = sum(margins)
    if n < 2 - 1e-9:
        return None
    size = len(matrix)
    observed = expected = 0.0
    for c in range(size):
        for k in range(size):
            if c == k:
                continue
            d = delta2(metric, c, k, margins)
            observed += matrix[c][k] * d
            expected += margins[c] * margins[k] * d
    return observed / n, expected / (n * (n - 1))


def alpha(matrix: Matrix, metric: Metric) -> float | None:
    """Krippendorff's alpha of the coincidence matrix under the metric, or None when undefined."""
    found = disagreements(matrix, metric)
    if found is None:
        return None
    observed, expected = found
    if expected <= 1e-12:
        return None
    return 1.0 - observed / expected
