"""Deleting a rating from /ratings/ with a way back: "Undo" right after "Delete" puts the very same rating back.

A delete is `services.undo_rating` (the image's counters, its queue entry and the ledger follow), and what it
removed is signed into a token (`DeletedRating.token`) that the history page hands back with its Undo button; nothing
is written for it. `restore_rating` puts the rating back through `services.rate_image`, so the image's counters, its
place in the queue and the kudos ledger are what a rating leaves (a ledger line already sending, paid or failed is
moved onto it; a pending one the delete cancelled is earned again, once), then gives it back its own time, client
and kudos figure: it is the rating that was deleted, and its change window is not extended. Only its rater may put
it back, and only within that window (RATING_UNDO_MINUTES after it was first saved).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.utils import timezone

from ratings_site.datasets.models import Image
from ratings_site.raters.models import Rater
from ratings_site.ratings import services
from ratings_site.ratings.models import Rating

_SALT = "ratings.restore.deleted-rating"


class InvalidUndo(services.RatingRefused):
    code = "invalid_undo"
    status = 400


@dataclass(frozen=True)
class DeletedRating:
    """A rating just deleted: what the delete did (`undone`), and the token that puts it back."""

    undone: services.UndoneRating
    token: str


@dataclass(frozen=True)
class RestoredRating:
    """The rating back in place; `already` when it was back already (an Undo sent twice), or the rater has rated the
    image again since (then their new rating stays, untouched)."""

    rating: Rating
    already: bool


def delete_rating(*, rater: Rater, rating_id: int) -> DeletedRating:
    """Delete one of the rater's ratings as `services.undo_rating` does (RatingNotFound, TooLateToChange), and sign
    what it was into a token for `restore_rating`."""
    kept = Rating.objects.filter(rater=rater, pk=rating_id).values("created_at", "client_agent", "rater_kudos").first()
    if kept is None:
        raise services.RatingNotFound("Nothing to undo: that rating is not one of yours, or it was already undone.")
    undone = services.undo_rating(rater=rater, rating_id=rating_id)
    token = signing.dumps(
        {
            "rater": rater.pk,
            "image": undone.image.pk,
            "rating": undone.rating,
            "artifacts": undone.artifacts,
            "created_at": kept["created_at"].isoformat(),
            "client_agent": kept["client_agent"],
            "rater_kudos": kept["rater_kudos"],
        },
        salt=_SALT,
        compress=True,
    )
    return DeletedRating(undone=undone, token=token)


def restore_rating(*, rater: Rater, token: str) -> RestoredRating:
    """Put back the rating a `delete_rating` token describes, or raise RatingRefused: InvalidUndo (400) for a token
    that is not one, RatingNotFound (404) for another rater's, TooLateToChange (403) once its window has passed,
    and whatever `services.rate_image` refuses now (the image no longer rated, full since, the rater paused)."""
    try:
        deleted = signing.loads(token, salt=_SALT)
    except signing.BadSignature:
        raise InvalidUndo("That undo is not valid, so nothing was put back.") from None
    if deleted["rater"] != rater.pk:
        raise services.RatingNotFound("That deleted rating is not one of yours.")
    created_at = datetime.fromisoformat(deleted["created_at"])
    minutes = settings.RATING_UNDO_MINUTES
    if timezone.now() > created_at + timedelta(minutes=minutes):
        raise services.TooLateToChange(
            f"A deleted rating can be put back for {minutes} minute{'s' if minutes != 1 else ''} after it was first "
            f"saved; this one was saved {services.saved_ago(created_at)}."
        )
    image = Image.objects.select_related("dataset").filter(pk=deleted["image"]).first()
    if image is None:
        raise services.ImageUnavailable("That image is gone, so its rating cannot be put back.")
    with transaction.atomic():
        try:
            outcome = services.rate_image(
                rater=rater,
                image=image,
                rating=deleted["rating"],
                artifacts=deleted["artifacts"],
                client_agent=deleted["client_agent"],
                # It was looked at before it was first saved, when the look-time floor let it through.
                served_at=created_at - timedelta(seconds=settings.RATING_MIN_SECONDS),
            )
        except services.ImageFull:
            raise services.ImageFull(
                "That image got all the ratings it needs since you deleted yours, so yours cannot be put back."
            ) from None
        stored = Rating.objects.filter(rater=rater, image=image)
        if not outcome.duplicate:
            stored.update(created_at=created_at, rater_kudos=deleted["rater_kudos"])
            if timezone.localdate(created_at) != timezone.localdate():  # counted today, but of its own day
                services.recount_rater_counters(rater)
        return RestoredRating(rating=stored.select_related("image__dataset").get(), already=outcome.duplicate)
