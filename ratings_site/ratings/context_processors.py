"""The signed-in rater's counters, for the header of every page (templates/ratings/_counters.html)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from ratings_site.ratings.selectors import rater_counts


def rater_counters(request: HttpRequest) -> dict:
    """`rater_counters.ratings_today` and `.ratings_total`: read from the rater's row that the authentication loaded
    (Rater.ratings_total, kept by the rating rule), no query; when a template shows them, after the view's work, so
    a page answering a new rating counts it (ratings.services updates the same rater object)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"rater_counters": SimpleLazyObject(lambda: rater_counts(user))}


def rating_timing(request: HttpRequest) -> dict:
    """The look-time floors every rating page's script reads from <body> (data-min-look-ms, data-min-served-ms):
    Enter is ignored until an image has been on screen RATING_MIN_LOOK_MS, and a save is held until its card is
    RATING_MIN_SECONDS old, the server's floor (ratings.cards)."""
    return {
        "rating_min_look_ms": settings.RATING_MIN_LOOK_MS,
        "rating_min_served_ms": round(settings.RATING_MIN_SECONDS * 1000),
    }
