"""Synthetic training data for train_predictor's tests: embeddings, a hidden linear aesthetic, noisy raters.

Imported by the train_predictor test modules (never by conftest.py).
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from django.utils import timezone

from ratings_site.datasets.models import Image
from ratings_site.predictor.models import ImageEmbedding
from ratings_site.raters.models import Rater
from ratings_site.ratings.models import Rating

KEY_MODEL, KEY_PRETRAINED = "tiny", "none"
KEY = "tiny/none"
_horde_ids = itertools.count(880_000)


@dataclass
class Planted:
    images: list[Image]
    embeddings: np.ndarray  # (N, d) float32, unit length
    direction: np.ndarray  # (d,) the hidden aesthetic is a linear function of it
    raters: list[Rater]

    def truth(self, embeddings: np.ndarray) -> np.ndarray:
        """The planted aesthetic on the 1..10 scale (standard deviation about 2 around 5.5)."""
        dim = embeddings.shape[1]
        return np.clip(5.5 + 2.0 * np.sqrt(dim) * (embeddings @ self.direction), 1.0, 10.0)


def unit_vectors(rng: np.random.Generator, count: int, dim: int) -> np.ndarray:
    x = rng.normal(size=(count, dim))
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


def make_rater(name: str, **fields) -> Rater:
    horde_id = next(_horde_ids)
    return Rater.objects.create(username=f"{name}#{horde_id}", horde_id=horde_id, **fields)


def store_embeddings(images: list[Image], embeddings: np.ndarray, key: str = KEY) -> None:
    ImageEmbedding.objects.bulk_create(
        ImageEmbedding(image=image, clip_model=key, vector=vector.astype(np.float16).tobytes())
        for image, vector in zip(images, embeddings)
    )


def plant_ratings(
    make_images,
    *,
    count: int = 400,
    dim: int = 32,
    raters: int = 5,
    noise: float = 0.8,
    seed: int = 0,
    unrated: int = 0,
) -> Planted:
    """`count` rated images (each rated by every rater) and `unrated` more with embeddings only."""
    rng = np.random.default_rng(seed)
    images = make_images(count + unrated, dataset=f"planted-{seed}")
    embeddings = unit_vectors(rng, count + unrated, dim)
    direction = unit_vectors(rng, 1, dim)[0]
    planted = Planted(images, embeddings, direction, [make_rater(f"planted-{seed}-{i}") for i in range(raters)])
    store_embeddings(images, embeddings)
    truth = planted.truth(embeddings[:count])
    ratings = []
    for rater in planted.raters:
        given = np.clip(np.rint(truth + rng.normal(scale=noise, size=count)), 1, 10).astype(int)
        ratings += [Rating(rater=rater, image=image, rating=int(r)) for image, r in zip(images[:count], given)]
    Rating.objects.bulk_create(ratings)
    return planted


def plant_generation_pairs(
    planted: Planted,
    *,
    sets: int,
    agree: bool = True,
    rater: Rater | None = None,
    seed: int = 1,
    key: str = KEY,
    truth: Callable[[np.ndarray], np.ndarray] | None = None,
) -> int:
    """`sets` rated generation sets of two images each, with planted GenerationEmbedding rows (no files) and
    one best-of pair each: the winner is the planted truth's better image (agree) or its worse one. Pairs
    whose images the truth hardly tells apart are left out; returns how many pairs were stored. `truth`: what the
    picks follow instead of the planted truth (a function of the embeddings)."""
    from ratings_site.generations.models import GenerationImage, GenerationSet, Preference, Source
    from ratings_site.predictor.models import GenerationEmbedding

    rng = np.random.default_rng(seed)
    embeddings = unit_vectors(rng, 2 * sets, planted.embeddings.shape[1])
    truth = (truth or planted.truth)(embeddings)
    stored = 0
    for n in range(sets):
        a, b = 2 * n, 2 * n + 1
        if abs(truth[a] - truth[b]) < 0.3:
            continue
        generation_set = GenerationSet.objects.create(
            request_id=f"planted-{seed}-{n}", rater=rater, source=Source.HORDE, rated_at=timezone.now()
        )
        images = [
            GenerationImage.objects.create(
                generation_set=generation_set,
                generation_id=f"g{i}",
                position=i,
                copy_state=GenerationImage.CopyState.COPIED,
            )
            for i in (a, b)
        ]
        GenerationEmbedding.objects.bulk_create(
            GenerationEmbedding(image=image, clip_model=key, vector=embeddings[i].astype(np.float16).tobytes())
            for image, i in zip(images, (a, b))
        )
        better, worse = (images[0], images[1]) if truth[a] > truth[b] else (images[1], images[0])
        winner, loser = (better, worse) if agree else (worse, better)
        Preference.objects.create(
            generation_set=generation_set, winner=winner, loser=loser, rater=rater, source=Source.HORDE
        )
        stored += 1
    return stored


def plant_group_picks(
    images: list[Image], embeddings: np.ndarray, truth: np.ndarray, *, rater: Rater, agree: bool = True
) -> int:
    """Best-of picks of dataset prompt groups of two consecutive images each: the winner is the better image by
    `truth` (one value per image; agree) or the worse one. Pairs the truth hardly tells apart are left out;
    returns how many pairs were stored."""
    from ratings_site.bestof.models import BestPick, ImagePreference, PromptGroup, PromptGroupImage

    stored = 0
    for i in range(0, len(images) - 1, 2):
        a, b = images[i], images[i + 1]
        if abs(truth[i] - truth[i + 1]) < 0.3:
            continue
        better, worse = (a, b) if truth[i] > truth[i + 1] else (b, a)
        winner, loser = (better, worse) if agree else (worse, better)
        group = PromptGroup.objects.create(
            dataset=a.dataset, prompt_key=hashlib.sha256(f"{a.pk}-{b.pk}".encode()).hexdigest(), prompt=f"p{i}", size=2
        )
        PromptGroupImage.objects.bulk_create(
            [PromptGroupImage(group=group, image=a, position=1), PromptGroupImage(group=group, image=b, position=2)]
        )
        pick = BestPick.objects.create(rater=rater, group=group, winner=winner)
        ImagePreference.objects.create(winner=winner, loser=loser, group=group, pick=pick, rater=rater)
        stored += 1
    return stored
