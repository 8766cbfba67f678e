from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.apps import AppConfig
from django.db.models import QuerySet

if TYPE_CHECKING:
    from ratings_site.raters.models import Rater


class BestOfConfig(AppConfig):
    name = "ratings_site.bestof"
    label = "bestof"
    verbose_name = "Best of a prompt group"

    def ready(self) -> None:
        from ratings_site.ratings.limits import count_in_the_flood_limit

        count_in_the_flood_limit(_picks_since)
        count_in_the_flood_limit(_passed_checks_since)


def _picks_since(rater: Rater, since: datetime) -> QuerySet:
    """The rater's best-of picks since `since` (they count in the flood limit)."""
    from ratings_site.bestof.models import BestPick

    return BestPick.objects.filter(rater=rater, created_at__gte=since)


def _passed_checks_since(rater: Rater, since: datetime) -> QuerySet:
    """The rater's best-of checks passed since `since`: paid as picks, counted as picks (a missed one is a
    CaptchaAnswer, which the ratings app counts itself)."""
    from ratings_site.bestof.models import CheckGroup

    return CheckGroup.objects.filter(rater=rater, passed=True, answered_at__gte=since)
