"""Each prioritisation strategy's properties, on plain arrays (no database, no torch)."""

import numpy as np
import pytest

from ratings_site.predictor.priorities import STRATEGIES, compute_priorities, strategy_used


def _rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


def _mostly_mediocre(count: int = 2_000, seed: int = 1) -> np.ndarray:
    """90 % of the scores between 5 and 6, the rest spread over 1 to 10."""
    rng = np.random.default_rng(seed)
    mediocre = rng.uniform(5.0, 6.0, size=count * 9 // 10)
    spread = rng.uniform(1.0, 10.0, size=count - mediocre.size)
    scores = np.concatenate([mediocre, spread])
    rng.shuffle(scores)
    return scores


def _bands_of(scores: np.ndarray, bands: int) -> np.ndarray:
    low, high = scores.min(), scores.max()
    return np.minimum(((scores - low) / (high - low) * bands).astype(int), bands - 1)


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_every_strategy_gives_one_priority_per_image_between_0_and_1(strategy):
    scores = _mostly_mediocre()
    uncertainty = _rng(2).gamma(2.0, 0.1, size=scores.size)

    priorities = compute_priorities(strategy, scores, uncertainty, rng=_rng())

    assert priorities.shape == scores.shape
    assert priorities.min() >= 0.0 and priorities.max() <= 1.0
    assert np.isfinite(priorities).all()


def test_score_puts_the_highest_predicted_score_first():
    scores = _rng(3).normal(5.5, 1.5, size=500)

    priorities = compute_priorities("score", scores, None, rng=_rng())

    assert np.array_equal(np.argsort(-priorities), np.argsort(-scores))
    assert priorities[np.argmax(scores)] == 1.0
    assert priorities[np.argmin(scores)] == 0.0


def test_score_gives_equal_scores_equal_priorities():
    scores = np.array([3.0, 7.0, 7.0, 1.0])

    priorities = compute_priorities("score", scores, None, rng=_rng())

    assert priorities[1] == priorities[2]
    assert priorities[1] > priorities[0] > priorities[3]


def test_stratified_puts_every_score_band_near_the_top_even_when_most_images_are_mediocre():
    scores = _mostly_mediocre()
    bands = 10
    band = _bands_of(scores, bands)
    assert np.sort(np.bincount(band, minlength=bands))[-2:].sum() >= 0.9 * scores.size  # two bands hold 90 %

    priorities = compute_priorities("stratified", scores, None, rng=_rng(), bands=bands)

    top = np.argsort(-priorities, kind="stable")[:bands]
    assert set(band[top]) == set(band)  # one of each non-empty band
    by_score = compute_priorities("score", scores, None, rng=_rng())
    assert len(set(band[np.argsort(-by_score)[:bands]])) <= 2  # what ranking by score alone would show


def test_stratified_gives_the_kth_image_of_every_band_the_same_priority():
    scores = _mostly_mediocre()
    band = _bands_of(scores, 10)

    priorities = compute_priorities("stratified", scores, None, rng=_rng(), bands=10)

    levels, per_level = np.unique(priorities, return_counts=True)
    assert per_level.max() <= len(set(band))
    assert (priorities == 1.0).sum() == len(set(band))
    # Inside a band the levels are distinct: each band walks down one level per image.
    for b in set(band):
        assert len(np.unique(priorities[band == b])) == (band == b).sum()


def test_stratified_orders_images_randomly_inside_a_band():
    scores = _mostly_mediocre()

    first = compute_priorities("stratified", scores, None, rng=_rng(10))
    second = compute_priorities("stratified", scores, None, rng=_rng(11))

    assert not np.array_equal(first, second)
    assert np.array_equal(np.sort(first), np.sort(second))  # same levels, other images on them


def test_stratified_with_all_scores_equal_still_spreads_priorities():
    priorities = compute_priorities("stratified", np.full(11, 5.0), None, rng=_rng())

    assert np.allclose(np.sort(priorities), np.linspace(0.0, 1.0, 11))


def test_uncertainty_puts_the_largest_disagreement_first():
    rng = _rng(4)
    scores = rng.normal(5.5, 1.5, size=500)
    uncertainty = rng.gamma(2.0, 0.1, size=500)

    priorities = compute_priorities("uncertainty", scores, uncertainty, rng=_rng())

    assert np.array_equal(np.argsort(-priorities), np.argsort(-uncertainty))
    assert priorities[np.argmax(uncertainty)] == 1.0


@pytest.mark.parametrize(
    "uncertainty",
    [None, np.full(2_000, np.nan), np.zeros(2_000)],
    ids=["none", "all-nan", "all-zero"],
)
def test_uncertainty_falls_back_to_stratified_before_an_ensemble_exists(uncertainty):
    scores = _mostly_mediocre()

    priorities = compute_priorities("uncertainty", scores, uncertainty, rng=_rng(5))

    assert strategy_used("uncertainty", uncertainty) == "stratified"
    assert np.array_equal(priorities, compute_priorities("stratified", scores, None, rng=_rng(5)))


def test_random_is_reproducible_with_a_seed_and_differs_between_seeds():
    scores = _mostly_mediocre()

    first = compute_priorities("random", scores, None, rng=_rng(7))
    again = compute_priorities("random", scores, None, rng=_rng(7))
    other = compute_priorities("random", scores, None, rng=_rng(8))

    assert np.array_equal(first, again)
    assert not np.array_equal(first, other)
    assert abs(np.corrcoef(first, scores)[0, 1]) < 0.1


def test_an_image_without_a_finite_score_gets_priority_0():
    scores = np.array([2.0, np.nan, 9.0, 5.0])

    for strategy in ("stratified", "score"):
        priorities = compute_priorities(strategy, scores, None, rng=_rng())
        assert priorities[1] == 0.0
        assert priorities[2] == 1.0


def test_an_unknown_strategy_is_refused():
    with pytest.raises(ValueError, match="Unknown priority strategy"):
        compute_priorities("best", np.ones(3), None, rng=_rng())
