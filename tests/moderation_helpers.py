"""Raters, ratings and reports made through the real rating rules, for the moderation tests."""

from __future__ import annotations

import itertools

from ratings_site.datasets.models import Image
from ratings_site.kudos.models import KudosReward
from ratings_site.raters.models import Rater
from ratings_site.ratings.services import rate_image, skip_image

_ids = itertools.count(50_000)


def horde_rater(name: str = "Rater", **fields) -> Rater:
    """A rater with a Horde account, as the login makes one."""
    horde_id = next(_ids)
    return Rater.objects.create(username=f"{name}#{horde_id}", horde_id=horde_id, **fields)


def rate(rater: Rater, image: Image, rating: int, artifacts: int | None = None):
    return rate_image(rater=rater, image=image, rating=rating, artifacts=artifacts)


def report(rater: Rater, image: Image, reason: str = "nsfw", note: str = ""):
    return skip_image(rater=rater, image=image, reason=reason, note=note)


def counters(image: Image) -> tuple[int, int, int, int]:
    """The image row's (ratings_count, rating_sum, artifacts_count, artifacts_sum), read again."""
    return Image.objects.values_list("ratings_count", "rating_sum", "artifacts_count", "artifacts_sum").get(pk=image.pk)


def line_statuses(rater: Rater) -> list[str]:
    return sorted(KudosReward.objects.filter(rater=rater).values_list("status", flat=True))
