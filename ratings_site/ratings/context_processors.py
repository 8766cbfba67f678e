"""The signed-in rater's counters, for the header of every page (templates/ratings/_counters.html)."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from ratings_site.ratings.selectors import rater_counts


def rater_counters(request: HttpRequest) -> dict:
    """`rater_counters.ratings_today` and `.ratings_total`: counted once per response, and only when a template
    shows them (after the view's work, so a page answering a new rating counts it)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"rater_counters": SimpleLazyObject(lambda: rater_counts(user))}
