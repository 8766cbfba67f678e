"""What a best-of card carries back to the server, signed so that no client can make it up (as ratings.cards does
for the rate page).

- The card token (`card`, in the pick and skip forms): which group the card showed, its images in their order, to
  which rater, and when the server served it. The images are what the pick is judged against: a check group
  (bestof.checks) is one whose images include a best-of check, so a client can neither claim that a group was a
  check nor that a check group was a plain one. The look-time floor (RATING_MIN_SECONDS) counts from the serve
  time, without a database write per card.
- The upcoming token (`upcoming` in the card's forms): the group this rater was served as the one to preload, with
  its images. Only such a group is honoured as the next card; any other value is ignored, so that `upcoming`
  cannot be used to ask the queue about a group.

Both are Django signatures (SECRET_KEY, a salt of their own), bound to the rater's primary key. A signature is
signed, not encrypted: its payload holds only what the page shows anyway (the group's number, which is in the
form's address, and the images' ids, which are the radio buttons' values), and the same fields for every card,
so that reading it tells a check group from a plain one no better than the page does.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from ratings_site.bestof.selectors import GroupToPick
from ratings_site.raters.models import Rater
from ratings_site.ratings.cards import UPCOMING_MAX_AGE, served_time, sign_for, signed_for

_CARD_SALT = "bestof.cards.card"
_UPCOMING_SALT = "bestof.cards.upcoming"


@dataclass(frozen=True)
class SignedCard:
    """A card as its token names it: the group, the images shown in their order, and (card tokens) when."""

    group_id: int
    image_ids: list[uuid.UUID]
    served_at: datetime | None = None


def _payload(shown: GroupToPick) -> dict:
    return {"g": shown.group.pk, "i": [image.public_id.hex for image in shown.images]}


def _parse(payload: dict | None) -> SignedCard | None:
    if payload is None:
        return None
    try:
        images = [uuid.UUID(hex=value) for value in payload["i"]]
        served_at = served_time(payload) if "t" in payload else None
        return SignedCard(group_id=int(payload["g"]), image_ids=images, served_at=served_at)
    except (KeyError, TypeError, ValueError, OverflowError):
        return None


def card_token(rater: Rater, shown: GroupToPick, served_at: datetime) -> str:
    """The signed card: this rater was served these images of this group, in this order, at `served_at`."""
    return sign_for(rater, _CARD_SALT, _payload(shown), served_at=served_at)


def card_from(token: str | None, rater: Rater, group_id: int) -> SignedCard | None:
    """The card this rater was served for this group, from its token; None when the token is missing, forged, or
    names another rater or group."""
    card = _parse(signed_for(token, rater, _CARD_SALT))
    return card if card is not None and card.group_id == group_id and card.served_at is not None else None


def upcoming_token(rater: Rater, shown: GroupToPick | None) -> str:
    """The signed upcoming group for this rater ("" when there is none)."""
    return sign_for(rater, _UPCOMING_SALT, _payload(shown)) if shown is not None else ""


def upcoming_from(token: str | None, rater: Rater) -> SignedCard | None:
    """The group (and images) this rater was served as upcoming, from its token; None for anything else (a bare
    group number, another rater's token, a forged or expired one)."""
    return _parse(signed_for(token, rater, _UPCOMING_SALT, max_age=UPCOMING_MAX_AGE)) if token else None
