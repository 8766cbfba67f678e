from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.apps import AppConfig
from django.db.models import QuerySet

if TYPE_CHECKING:
    from ratings_site.raters.models import Rater


class GenerationsConfig(AppConfig):
    name = "ratings_site.generations"
    label = "generations"
    verbose_name = "Generation sets"

    def ready(self) -> None:
        from ratings_site.ratings.limits import count_in_the_flood_limit

        count_in_the_flood_limit(_set_ratings_since)


def _set_ratings_since(rater: Rater, since: datetime) -> QuerySet:
    """The rater's ratings of their generation sets' images since `since` (they count in the flood limit).

    A set is rated by its owner only, all at once: its rated_at is at or after each of its ratings' created_at,
    so the index genset_rated_by_rater finds the few sets rated since `since`.
    """
    from ratings_site.generations.models import GenerationRating

    return GenerationRating.objects.filter(
        image__generation_set__rater=rater, image__generation_set__rated_at__gte=since, created_at__gte=since
    )
