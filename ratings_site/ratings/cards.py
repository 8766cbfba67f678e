"""What a rating card carries back to the server, signed so that no client can make it up.

- The card token (`card`, in the rating form): which image the card showed, to which rater, and when the server
  served it. The look-time floor (RATING_MIN_SECONDS, ratings.limits.check_looked_long_enough) counts from that
  moment, without a database write per card. It also carries the "images left" figure the card showed, so that
  the next card need not count it again while it is well over the cap (ratings.selectors.images_left_for).
- The upcoming token (`upcoming` in the card's forms, `next` in the no-JavaScript redirect): the image this rater
  was served as the one to preload. Only such an image is honoured as the next card, whatever it is (a check
  image too); any other id sent there is ignored, so that `?next=` cannot be used to ask the queue about an
  image (it used to tell check images apart: they were never honoured).

Both are Django signatures (SECRET_KEY, a salt of their own), bound to the rater's primary key.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from django.core import signing

from ratings_site.datasets.models import Dataset, Image
from ratings_site.raters.models import Rater

_CARD_SALT = "ratings.cards.card"
_UPCOMING_SALT = "ratings.cards.upcoming"
# An upcoming token older than this is ignored (the rater left the page for hours: a fresh draw is as good).
UPCOMING_MAX_AGE = 6 * 3600


# Signed for one rater: the mechanism of every card token, here and in bestof.cards. -------------------------------


def sign_for(rater: Rater, salt: str, payload: dict, *, served_at: datetime | None = None) -> str:
    """`payload` signed for this rater (and, when given, with the serve time in milliseconds)."""
    if served_at is not None:
        payload = {**payload, "t": round(served_at.timestamp() * 1000)}
    return signing.dumps({**payload, "r": rater.pk}, salt=salt)


def signed_for(token: str | None, rater: Rater, salt: str, *, max_age: int | None = None) -> dict | None:
    """The payload of a token signed for this rater; None when it is missing, forged, expired or another's."""
    try:
        payload = signing.loads(token or "", salt=salt, max_age=max_age)
    except signing.BadSignature:
        return None
    return payload if isinstance(payload, dict) and payload.get("r") == rater.pk else None


def served_time(payload: dict) -> datetime:
    """The serve time `sign_for` put in a payload (KeyError, TypeError, ValueError or OverflowError when none)."""
    return datetime.fromtimestamp(int(payload["t"]) / 1000, tz=UTC)


# The rate page's tokens ----------------------------------------------------------------------------------------


def card_token(
    rater: Rater, image: Image, served_at: datetime, *, images_left: int | None = None, dataset: Dataset | None = None
) -> str:
    """The signed card: this rater was served this image at `served_at`, with `images_left` images of the queue of
    `dataset` (all public ones when None) left for them then (ratings.selectors.images_left_for)."""
    payload: dict = {"i": image.public_id.hex}
    if images_left is not None:
        payload |= {"n": images_left, "q": _queue_of(rater, dataset)}
    return sign_for(rater, _CARD_SALT, payload, served_at=served_at)


def images_left_from(token: str | None, rater: Rater, dataset: Dataset | None) -> int | None:
    """The images left that the card's token says the rater was shown, when the card was of this queue (the same
    dataset and NSFW preference); None otherwise."""
    payload = signed_for(token, rater, _CARD_SALT)
    if payload is None or payload.get("q") != _queue_of(rater, dataset) or not isinstance(payload.get("n"), int):
        return None
    return payload["n"]


def _queue_of(rater: Rater, dataset: Dataset | None) -> str:
    return f"{dataset.pk if dataset is not None else ''}:{int(rater.hide_nsfw)}"


def served_at_from(token: str | None, rater: Rater, image: Image) -> datetime | None:
    """When this rater was served this image, from the card's token; None when the token is missing, forged,
    or names another rater or image."""
    payload = signed_for(token, rater, _CARD_SALT)
    if payload is None or payload.get("i") != image.public_id.hex:
        return None
    try:
        return served_time(payload)
    except (KeyError, TypeError, ValueError, OverflowError):
        return None


def upcoming_token(rater: Rater, image: Image | None) -> str:
    """The signed upcoming image for this rater ("" when there is none)."""
    return sign_for(rater, _UPCOMING_SALT, {"u": image.public_id.hex}) if image is not None else ""


def upcoming_from(token: str | None, rater: Rater) -> uuid.UUID | None:
    """The image this rater was served as upcoming, from its token; None for anything else (a bare id, another
    rater's token, a forged or expired one)."""
    payload = signed_for(token, rater, _UPCOMING_SALT, max_age=UPCOMING_MAX_AGE) if token else None
    try:
        return uuid.UUID(hex=payload["u"]) if payload else None
    except (KeyError, TypeError, ValueError):
        return None
