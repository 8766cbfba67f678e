"""The training set: which ratings train a head, with what weight, and which images are held out.

An image trains when it is not hidden, not a captcha, has at least `min_ratings` counted ratings
(ratings.counting.counted(): not invalidated, their rater in good standing; captcha answers live in their own table
and never count) and an embedding under the run's CLIP key. Its target is the mean of those ratings, computed here
from the ratings themselves (in SQL), not from the image's counters.

With reliability weights (`train_predictor --reliability-weights`), each rating counts by its rater's weight
(reliability.weights; a rater without one weighs UNKNOWN_WEIGHT): the target is the weighted mean, a rating of
weight 0 is as if it had not been made (it does not count toward `min_ratings` either), and an image whose ratings
all weigh 0 does not train. Every image still counts once in the loss: the weights decide what an image's rating
is, not how much the image matters. No torch here.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from django.conf import settings
from django.db.models import Avg, Count, QuerySet

from ratings_site.predictor.embeddings import CHUNK, load_embeddings
from ratings_site.ratings.counting import counted
from ratings_site.ratings.models import Rating
from ratings_site.reliability.weights import UNKNOWN_WEIGHT, weights_by_rater

MIN_TRAINING_IMAGES = 20
SPLIT_SEED = 20240601  # fixed, so every run (and the current head's run) holds out the same images


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


@dataclass
class TrainingSet:
    key: str
    image_ids: np.ndarray  # int64, ascending
    embeddings: np.ndarray  # float32 (N, d)
    targets: np.ndarray  # float32 (N,): the (weighted) mean of the image's counted ratings
    rating_counts: np.ndarray  # int64 (N,): its counted ratings (with weights: those of a weight above 0)
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


def trainable_ratings() -> QuerySet[Rating]:
    """Counted ratings of images that may train: not hidden, not captchas."""
    return good_standing_ratings().filter(image__hidden=False, image__is_captcha=False)


def rater_weights() -> dict[int, float]:
    """rater id → reliability weight, as the weights job last stored them (reliability.weights); a rater missing
    from it weighs UNKNOWN_WEIGHT."""
    return weights_by_rater()


def rated_images(min_ratings: int) -> QuerySet:
    """(image_id, ratings, mean_rating) of trainable images, one GROUP BY in the database."""
    return (
        trainable_ratings()
        .values("image_id")
        .annotate(ratings=Count("id"), mean_rating=Avg("rating"))
        .filter(ratings__gte=min_ratings)
        .order_by("image_id")
    )


def _plain_means(min_ratings: int, chunk_size: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    ids, counts, means = [], [], []
    rows = rated_images(min_ratings).values_list("image_id", "ratings", "mean_rating")
    for image_id, ratings, mean_rating in rows.iterator(chunk_size=chunk_size):
        ids.append(image_id)
        counts.append(ratings)
        means.append(mean_rating)
    return np.asarray(ids, np.int64), np.asarray(counts, np.int64), np.asarray(means, np.float64)


def weighted_means(
    min_ratings: int, weights: dict[int, float], *, chunk_size: int = CHUNK
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(image ids ascending, ratings of weight > 0, weighted mean) of the images with at least `min_ratings`
    counted ratings of a weight above 0.

    The ratings are read once, three integers a rating, in chunks; the sums are numpy's. A negative weight is
    taken as 0.
    """
    parts: list[np.ndarray] = []
    batch: list[tuple[int, int, int]] = []
    rows = trainable_ratings().order_by().values_list("image_id", "rater_id", "rating")
    for row in rows.iterator(chunk_size=chunk_size):
        batch.append(row)
        if len(batch) >= chunk_size:
            parts.append(np.asarray(batch, dtype=np.int64))
            batch = []
    if batch:
        parts.append(np.asarray(batch, dtype=np.int64))
    if not parts:
        return np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0, np.float64)
    table = np.concatenate(parts)
    images, raters, ratings = table[:, 0], table[:, 1], table[:, 2].astype(np.float64)
    rater_ids, rater_index = np.unique(raters, return_inverse=True)
    rater_weight = np.array([max(0.0, float(weights.get(int(r), UNKNOWN_WEIGHT))) for r in rater_ids])
    weight = rater_weight[rater_index]
    image_ids, image_index = np.unique(images, return_inverse=True)
    counts = np.bincount(image_index, weights=(weight > 0).astype(np.float64), minlength=len(image_ids))
    total = np.bincount(image_index, weights=weight, minlength=len(image_ids))
    weighted_sum = np.bincount(image_index, weights=weight * ratings, minlength=len(image_ids))
    keep = (counts >= min_ratings) & (total > 0)
    return image_ids[keep], counts[keep].astype(np.int64), weighted_sum[keep] / total[keep]


def load_training_set(
    key: str,
    *,
    min_ratings: int | None = None,
    weights: dict[int, float] | None = None,
    chunk_size: int = CHUNK,
) -> TrainingSet:
    """Every trainable image with its (weighted, given `weights`: rater id → weight) mean rating and its `key`
    embedding, streamed in chunks."""
    min_ratings = settings.MIN_RATINGS_FOR_TRAINING if min_ratings is None else min_ratings
    if weights is None:
        rated_ids, counts, means = _plain_means(min_ratings, chunk_size)
    else:
        rated_ids, counts, means = weighted_means(min_ratings, weights, chunk_size=chunk_size)
    found_ids, embeddings = load_embeddings(key, rated_ids, chunk_size=chunk_size)
    positions = np.searchsorted(rated_ids, found_ids)
    return TrainingSet(
        key=key,
        image_ids=found_ids,
        embeddings=embeddings,
        targets=means.astype(np.float32)[positions] if len(found_ids) else np.empty(0, np.float32),
        rating_counts=counts[positions] if len(found_ids) else np.empty(0, np.int64),
        without_embedding=len(rated_ids) - len(found_ids),
    )


def seeded_order_key(ids: np.ndarray, seed: int = SPLIT_SEED) -> np.ndarray:
    """A seeded hash of each id (splitmix64): ordering by it shuffles ids so that an id's place hardly moves as
    ids are added."""
    with np.errstate(over="ignore"):  # splitmix64, wrapping on purpose
        x = np.asarray(ids).astype(np.uint64) + np.uint64(seed) * np.uint64(0x9E3779B97F4A7C15)
        x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return x ^ (x >> np.uint64(31))


def validation_mask(image_ids: np.ndarray, fraction: float, *, seed: int = SPLIT_SEED) -> np.ndarray:
    """The held-out images: the first `fraction` of a seeded shuffle (at least 2).

    The shuffle orders images by a seeded hash of their id rather than by a permutation of
    the row list, so an image's side hardly moves as images are added: a head trained on an
    earlier run's training split is measured on images it mostly did not see.
    """
    count = min(len(image_ids), max(2, round(fraction * len(image_ids))))
    mask = np.zeros(len(image_ids), dtype=bool)
    mask[np.argsort(seeded_order_key(image_ids, seed), kind="stable")[:count]] = True
    return mask
