"""Recording a set's rating: the writes, in one transaction, for the page, the client API and the intake.

Callers first apply the best-of rule (`rules.validate_set_rating`, with the set's non-faulted ids), then
call `record_set_rating`. Idempotent per request id: a set is rated once; recording it again (a double
submit, the Horde's forward of a set our page is submitting) stores nothing more and answers as the first
record did, with `duplicate` set, so that the intake can tell "already rated" (its 403) apart.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from ratings_site.generations.models import GenerationRating, GenerationSet, Preference, Source
from ratings_site.generations.rules import ImageRating, SetRatingRefused, ValidSetRating
from ratings_site.raters.models import Rater


class NotYourSet(SetRatingRefused):
    status = 403


@dataclass(frozen=True)
class SetRatingOutcome:
    """What a set's rating stored (or, with `duplicate`, what the first record stored)."""

    generation_set: GenerationSet
    ratings: tuple[ImageRating, ...]
    best: str | None
    best_none: bool
    preferences: int
    duplicate: bool = False


def record_set_rating(
    *,
    generation_set: GenerationSet,
    rater: Rater | None,
    valid: ValidSetRating,
    source: str,
    client_agent: str = "",
) -> SetRatingOutcome:
    """Store a validated rating of a set: its image ratings, its best and the preferences the best implies.

    One transaction, under the set's row lock, so parallel records of one set are decided one at a time.
    A set owned by another rater is refused (NotYourSet, 403); a set without an owner becomes `rater`'s.
    """
    if source not in Source.values:
        raise ValueError(f"Unknown source {source!r}")
    try:
        with transaction.atomic():
            locked = GenerationSet.objects.select_for_update().get(pk=generation_set.pk)
            if locked.is_rated:
                return _existing_outcome(locked)
            if rater is not None and locked.rater_id is not None and locked.rater_id != rater.pk:
                raise NotYourSet("This generation set belongs to another rater.")
            images = {image.generation_id: image for image in locked.images.all()}
            for image_id in {r.id for r in valid.ratings} | {valid.best} - {None}:
                image = images.get(image_id)
                if image is None or image.faulted:
                    raise SetRatingRefused(f"Image {image_id} is not part of this set.")
            GenerationRating.objects.bulk_create(
                GenerationRating(image=images[r.id], rating=r.rating, artifacts=r.artifacts) for r in valid.ratings
            )
            pairs = [(w, lo) for w, lo in valid.preference_pairs() if lo in images and not images[lo].faulted]
            Preference.objects.bulk_create(
                Preference(
                    generation_set=locked,
                    winner=images[winner],
                    loser=images[loser],
                    rater=rater or locked.rater,
                    source=source,
                )
                for winner, loser in pairs
            )
            locked.best = images[valid.best] if valid.best else None
            locked.best_none = valid.best_none
            locked.rated_at = timezone.now()
            locked.rated_via = source
            if locked.rater_id is None and rater is not None:
                locked.rater = rater
            if not locked.client_agent:
                locked.client_agent = client_agent[:200]
            locked.save(
                update_fields=["best", "best_none", "rated_at", "rated_via", "rater", "client_agent", "updated_at"]
            )
    except IntegrityError:
        # A concurrent record of the same set won (a database without row locks); answer as it did.
        refreshed = GenerationSet.objects.get(pk=generation_set.pk)
        if not refreshed.is_rated:
            raise
        return _existing_outcome(refreshed)
    return SetRatingOutcome(
        generation_set=locked,
        ratings=valid.ratings,
        best=valid.best,
        best_none=valid.best_none,
        preferences=len(pairs),
    )


def _existing_outcome(generation_set: GenerationSet) -> SetRatingOutcome:
    stored = GenerationRating.objects.filter(image__generation_set=generation_set).select_related("image")
    ratings = tuple(
        ImageRating(id=r.image.generation_id, rating=r.rating, artifacts=r.artifacts)
        for r in stored.order_by("image__position", "image_id")
    )
    best = generation_set.best.generation_id if generation_set.best_id else None
    return SetRatingOutcome(
        generation_set=generation_set,
        ratings=ratings,
        best=best,
        best_none=generation_set.best_none,
        preferences=generation_set.preferences.count(),
        duplicate=True,
    )
