"""The best-of rule: what a rating of a generation set means, once, for the page, the client API and the intake.

A pure function over plain values (no database): `validate_set_rating` reads the ratings with the shared
scales (`ratings.scales`) and applies the Horde's rules for `generate/rate` (shared/horde-wire.md §1):

- ratings for all or some of the set's non-faulted images; the best is optional;
- no best picked, ratings given, exactly one image holds the top rating: that image is the best;
- several images tie on the top rating: a picked best must be one of them;
- only one image of a larger set rated, with 7 or more: it counts as the best (with 6 or less, no best);
- refused: a best alone on a one-image set, a repeated image id, a rating outside 1-10, artifacts outside
  0-5, an id not in the set or faulted, neither ratings nor best.

`best` may also be "none": the rater says no image is clearly better, so there is no best (not even an
inferred one) and no preferences. "none" alone says nothing about the set and is refused like no answer.
Refusals are `SetRatingRefused` (HTTP 400), with a message for people.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from ratings_site.ratings.scales import InvalidScore, parse_artifacts, parse_rating
from ratings_site.refusals import Refusal

NO_CLEAR_BEST = "none"
# A single rating of a larger set counts as a best-of pick from this rating up (the Horde's rule).
SINGLE_RATING_BEST_FROM = 7


class SetRatingRefused(Refusal):
    """A rating of a set that the rules refuse; `status` is the HTTP status views answer with."""

    code = "set_rating_refused"


@dataclass(frozen=True)
class ImageRating:
    """One image's rating within a set: its generation id, the rating 1-10 and the artifacts 0-5 or None."""

    id: str
    rating: int
    artifacts: int | None = None


@dataclass(frozen=True)
class ValidSetRating:
    """A rating of a set that passed the rules: what to store and what to send to the Horde.

    `image_ids` are the set's non-faulted images in the Horde's order; `best` the winning image (picked, or
    inferred when `best_picked` is false), or None; `best_none` the rater's "no image is clearly better".
    """

    image_ids: tuple[str, ...]
    ratings: tuple[ImageRating, ...]
    best: str | None
    best_picked: bool = False
    best_none: bool = False

    def preference_pairs(self) -> list[tuple[str, str]]:
        """(winner, loser) for each other image of the set the best beats; none without a best."""
        if self.best is None:
            return []
        return [(self.best, other) for other in self.image_ids if other != self.best]

    def horde_body(self) -> dict:
        """The body of `POST /v2/generate/rate/<request id>` (shared/horde-wire.md §1)."""
        body: dict = {}
        if self.best is not None:
            body["best"] = self.best
        if self.ratings:
            body["ratings"] = [
                {"id": r.id, "rating": r.rating} | ({} if r.artifacts is None else {"artifacts": r.artifacts})
                for r in self.ratings
            ]
        return body


def validate_set_rating(
    *,
    image_ids: Sequence[str],
    ratings: list[dict] | None,
    best: str | None,
    faulted_ids: Collection[str] = (),
) -> ValidSetRating:
    """Apply the best-of rule to one submission, or raise SetRatingRefused.

    `image_ids`: the set's non-faulted generation ids, in order; `faulted_ids` (optional) only makes the
    refusal of a faulted id say why. `ratings`: `[{"id", "rating", "artifacts"?}]` as the page, a client
    or the Horde sent them (numbers or text). `best`: a generation id, "none", or None.
    """
    known = tuple(image_ids)

    def check_id(image_id: object, what: str) -> str:
        if not isinstance(image_id, str) or not image_id:
            raise SetRatingRefused(f"Each {what} must name an image of the set by its id.")
        if image_id in faulted_ids:
            raise SetRatingRefused(f"Image {image_id} failed to generate and cannot be rated.")
        if image_id not in known:
            raise SetRatingRefused(f"Image {image_id} is not part of this set.")
        return image_id

    if ratings is not None and not isinstance(ratings, list):
        raise SetRatingRefused("The ratings must be a list of {id, rating, artifacts}.")
    if best is not None and not isinstance(best, str):
        raise SetRatingRefused("The best must be the id of an image of the set, or \"none\".")
    best = best.strip() if best is not None else None
    best_none = best == NO_CLEAR_BEST
    picked = None if best_none or not best else check_id(best, "best")

    parsed: list[ImageRating] = []
    seen: set[str] = set()
    for entry in ratings or []:
        if not isinstance(entry, dict):
            raise SetRatingRefused("Each rating must be an object with an id and a rating.")
        image_id = check_id(entry.get("id"), "rating")
        if image_id in seen:
            raise SetRatingRefused(f"Image {image_id} is rated twice; rate each image once.")
        seen.add(image_id)
        try:
            score, artifacts = parse_rating(entry.get("rating")), parse_artifacts(entry.get("artifacts"))
        except InvalidScore as exc:
            raise SetRatingRefused(f"Image {image_id}: {exc.message}") from None
        parsed.append(ImageRating(id=image_id, rating=score, artifacts=artifacts))

    if not parsed and picked is None:
        if best_none:
            raise SetRatingRefused("Rate at least one image: \"no image is clearly better\" alone says nothing.")
        raise SetRatingRefused("Rate at least one image or pick the best.")
    if picked is not None and not parsed and len(known) == 1:
        raise SetRatingRefused("This set has only one image, so there is no best to pick: rate it instead.")

    result_best, best_picked = picked, picked is not None
    if parsed and not best_none and len(known) > 1:
        top = max(r.rating for r in parsed)
        tied = [r.id for r in parsed if r.rating == top]
        if picked is not None:
            if len(tied) > 1 and picked not in tied:
                raise SetRatingRefused(
                    f"Images {', '.join(tied)} share the top rating ({top}); the best must be one of them."
                )
        elif len(parsed) == 1:
            if top >= SINGLE_RATING_BEST_FROM:
                result_best = parsed[0].id
        elif len(tied) == 1:
            result_best = tied[0]
    return ValidSetRating(
        image_ids=known, ratings=tuple(parsed), best=result_best, best_picked=best_picked, best_none=best_none
    )
