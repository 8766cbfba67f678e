"""Pairs of images one rater ordered: what a head is measured on beside the mean ratings, and may train on.

Three sources:
- same-rater pairs of validation images: two images one rater rated differently (`same_rater_pairs`), for the
  `preference_accuracy` figure;
- the raters' best-of picks of dataset prompt groups (bestof.ImagePreference: winner and loser are dataset images,
  embedded in ImageEmbedding by predict_aesthetics);
- the best-of picks of rated generation sets (generations.Preference: winner and loser are GenerationImages,
  embedded in GenerationEmbedding by `manage.py embed_generations`; a pair whose images have no embedding under
  the run's key is left out and counted).

Only pairs whose rater counts (raters.standing.counting_raters: not banned, not flagged). A generation pair without
a rater counts too: the Horde's intake records a rating it forwards before we know its user (the Horde vouched for
it), and a deleted rater leaves their pairs without one.

`best_of_pairs` splits the picks. When neither this run nor the current version's trains on pairs, every pick is
held out, except a dataset pick with an image the head trains on (it saw that image's ratings). When either does
(`--pairs`), the prompt groups and generation sets are split by a seeded hash of their id (a group's pairs share
images, so they stay on one side; the current version's held-out groups are this run's when the share is the same,
and the smaller of the two shares is held out, so that neither head is measured on pairs it trained on): picks of
held-out groups are measured on (a dataset pick only when neither image is a training image), the others may be
trained on (a dataset pick only when neither image is a validation image, so that the held-out Spearman stays
honest). With reliability weights, a training pair weighs its rater's weight. No torch here.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np
from django.db.models import Q

from ratings_site.predictor.embeddings import CHUNK, load_embeddings
from ratings_site.predictor.models import GenerationEmbedding, ImageEmbedding
from ratings_site.predictor.training.data import SPLIT_SEED, good_standing_ratings, validation_mask
from ratings_site.raters.standing import counting_raters
from ratings_site.reliability.weights import UNKNOWN_WEIGHT

PAIRS_PER_RATER = 2000  # same-rater pairs drawn per rater at most (all pairs when fewer)
PAIR_VAL_FRACTION = 0.2  # with --pairs: the share of prompt groups (and of generation sets) held out
NO_RATER = -1


@dataclass
class PreferencePairs:
    """Pairs of images (indices into some rows) that one rater ordered."""

    first: np.ndarray
    second: np.ndarray
    first_preferred: np.ndarray  # bool: the rater preferred `first`

    def __len__(self) -> int:
        return len(self.first)

    @staticmethod
    def empty() -> PreferencePairs:
        return PreferencePairs(np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0, bool))


def same_rater_pairs(
    image_ids: np.ndarray, *, seed: int = SPLIT_SEED, per_rater: int = PAIRS_PER_RATER
) -> PreferencePairs:
    """Pairs of these images (ascending ids) rated by the same rater in good standing, with different ratings.

    A rater with many images gives `per_rater` random pairs rather than all of them.
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
    if not raters:
        return PreferencePairs.empty()
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
        return PreferencePairs.empty()
    a, b = np.concatenate(firsts), np.concatenate(seconds)
    differ = ratings_array[a] != ratings_array[b]
    a, b = a[differ], b[differ]
    return PreferencePairs(positions[a], positions[b], ratings_array[a] > ratings_array[b])


@dataclass
class BestOfPairs:
    """Best-of picks as (winner, loser) rows of `embeddings`, with a weight per pair."""

    embeddings: np.ndarray  # (m, d) float32, the pairs' images
    pairs: PreferencePairs  # first = winner, second = loser; first_preferred is all true
    without_embedding: int  # pairs left out because an image has no embedding under the key
    weights: np.ndarray = field(default_factory=lambda: np.empty(0))  # (pairs,) float64

    def __len__(self) -> int:
        return len(self.pairs)

    @staticmethod
    def empty(without_embedding: int = 0) -> BestOfPairs:
        return BestOfPairs(np.empty((0, 0), np.float32), PreferencePairs.empty(), without_embedding, np.empty(0))

    @staticmethod
    def concatenate(parts: list[BestOfPairs]) -> BestOfPairs:
        """The pairs of several sources as one set (their images' rows stacked)."""
        filled = [part for part in parts if len(part)]
        without = sum(part.without_embedding for part in parts)
        if not filled:
            return BestOfPairs.empty(without)
        offsets = np.cumsum([0] + [len(part.embeddings) for part in filled[:-1]])
        return BestOfPairs(
            np.concatenate([part.embeddings for part in filled]),
            PreferencePairs(
                np.concatenate([part.pairs.first + offset for part, offset in zip(filled, offsets)]),
                np.concatenate([part.pairs.second + offset for part, offset in zip(filled, offsets)]),
                np.concatenate([part.pairs.first_preferred for part in filled]),
            ),
            without,
            np.concatenate([part.weights for part in filled]),
        )


@dataclass
class PickRows:
    """The counted best-of pairs of one source, as read: ids of winner, loser, group (prompt group or generation
    set) and rater (NO_RATER for none)."""

    winners: np.ndarray
    losers: np.ndarray
    groups: np.ndarray
    raters: np.ndarray

    def __len__(self) -> int:
        return len(self.winners)

    def where(self, mask: np.ndarray) -> PickRows:
        return PickRows(self.winners[mask], self.losers[mask], self.groups[mask], self.raters[mask])


def _pick_rows(rows, chunk_size: int) -> PickRows:
    values = [
        (winner, loser, group, NO_RATER if rater is None else rater)
        for winner, loser, group, rater in rows.iterator(chunk_size=chunk_size)
    ]
    table = np.asarray(values, dtype=np.int64).reshape(-1, 4)
    return PickRows(table[:, 0], table[:, 1], table[:, 2], table[:, 3])


def dataset_pick_rows(*, chunk_size: int = CHUNK) -> PickRows:
    """Every counted pair of the raters' picks of dataset prompt groups (bestof.ImagePreference)."""
    from ratings_site.bestof.models import ImagePreference

    rows = (
        ImagePreference.objects.filter(counting_raters("rater__"))
        .order_by("pk")
        .values_list("winner_id", "loser_id", "group_id", "rater_id")
    )
    return _pick_rows(rows, chunk_size)


def generation_pick_rows(*, chunk_size: int = CHUNK) -> PickRows:
    """Every counted pair of the best-of picks of rated generation sets (generations.Preference)."""
    from ratings_site.generations.models import Preference

    rows = (
        Preference.objects.filter(Q(rater__isnull=True) | counting_raters("rater__"))
        .order_by("pk")
        .values_list("winner_id", "loser_id", "generation_set_id", "rater_id")
    )
    return _pick_rows(rows, chunk_size)


def held_out_groups(groups: np.ndarray, fraction: float) -> np.ndarray:
    """Per pair: whether its group is held out (validation_mask over the distinct groups)."""
    if not len(groups):
        return np.zeros(0, dtype=bool)
    distinct, index = np.unique(groups, return_inverse=True)
    return validation_mask(distinct, fraction)[index]


def pairs_with_embeddings(
    key: str, rows: PickRows, *, table, weights: dict[int, float] | None = None, chunk_size: int = CHUNK
) -> BestOfPairs:
    """These pairs whose images both have an embedding under `key` in `table` (ImageEmbedding or
    GenerationEmbedding), each weighing its rater's weight (1 without `weights`)."""
    if not len(rows):
        return BestOfPairs.empty()
    found, embeddings = load_embeddings(
        key, np.unique(np.concatenate([rows.winners, rows.losers])), chunk_size=chunk_size, table=table
    )
    if not len(found):
        return BestOfPairs.empty(len(rows))
    first = np.minimum(np.searchsorted(found, rows.winners), len(found) - 1)
    second = np.minimum(np.searchsorted(found, rows.losers), len(found) - 1)
    known = (found[first] == rows.winners) & (found[second] == rows.losers)
    if weights is None:
        pair_weights = np.ones(int(known.sum()))
    else:
        pair_weights = np.array(
            [max(0.0, float(weights.get(int(rater), UNKNOWN_WEIGHT))) for rater in rows.raters[known]]
        )
    pairs = PreferencePairs(first[known], second[known], np.ones(int(known.sum()), bool))
    return BestOfPairs(embeddings, pairs, int((~known).sum()), pair_weights)


@dataclass
class PairSplit:
    """A run's best-of pairs: those it trains on (both sources together) and those it measures on (per source)."""

    train: BestOfPairs
    held_out_dataset: BestOfPairs
    held_out_generation: BestOfPairs
    train_dataset: int = 0  # of `train`, the pairs of dataset prompt groups
    train_generation: int = 0  # ... and of generation sets


def best_of_pairs(
    key: str,
    train_image_ids: np.ndarray,
    validation_image_ids: np.ndarray,
    *,
    train_on_pairs: bool = False,
    hold_out_by_group: bool | None = None,
    fraction: float = PAIR_VAL_FRACTION,
    weights: dict[int, float] | None = None,
    chunk_size: int = CHUNK,
) -> PairSplit:
    """The counted best-of picks split into training and held-out pairs (see the module's docstring).

    `hold_out_by_group` (default: `train_on_pairs`) holds out only the groups and sets in the hashed `fraction`;
    otherwise every pick is held out that does not show a training image. Training pairs are only made with
    `train_on_pairs`.
    """
    by_group = train_on_pairs if hold_out_by_group is None else hold_out_by_group
    dataset = dataset_pick_rows(chunk_size=chunk_size)
    generation = generation_pick_rows(chunk_size=chunk_size)
    touches_train = np.isin(dataset.winners, train_image_ids) | np.isin(dataset.losers, train_image_ids)
    if by_group:
        dataset_held = held_out_groups(dataset.groups, fraction)
        generation_held = held_out_groups(generation.groups, fraction)
    else:
        dataset_held = np.ones(len(dataset), dtype=bool)
        generation_held = np.ones(len(generation), dtype=bool)
    split = PairSplit(
        BestOfPairs.empty(),
        pairs_with_embeddings(
            key, dataset.where(dataset_held & ~touches_train), table=ImageEmbedding, chunk_size=chunk_size
        ),
        pairs_with_embeddings(key, generation.where(generation_held), table=GenerationEmbedding, chunk_size=chunk_size),
    )
    if not train_on_pairs:
        return split
    touches_validation = np.isin(dataset.winners, validation_image_ids) | np.isin(dataset.losers, validation_image_ids)
    train_dataset = pairs_with_embeddings(
        key,
        dataset.where(~dataset_held & ~touches_validation),
        table=ImageEmbedding,
        weights=weights,
        chunk_size=chunk_size,
    )
    train_generation = pairs_with_embeddings(
        key, generation.where(~generation_held), table=GenerationEmbedding, weights=weights, chunk_size=chunk_size
    )
    train = BestOfPairs.concatenate([train_dataset, train_generation])
    keep = train.weights > 0  # a pair of weight 0 teaches nothing
    split.train = BestOfPairs(
        train.embeddings,
        PreferencePairs(train.pairs.first[keep], train.pairs.second[keep], train.pairs.first_preferred[keep]),
        train.without_embedding,
        train.weights[keep],
    )
    split.train_dataset = int(keep[: len(train_dataset)].sum())
    split.train_generation = int(keep[len(train_dataset) :].sum())
    return split
