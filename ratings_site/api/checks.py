"""Deployment checks of the API (`manage.py check --deploy`): is the Horde's forward of rated sets let in?

The Horde sends no credential with its forward to /api/v1/rating/set, so production lists the Horde's addresses
in HORDE_RATINGS_SET_ALLOWED_IPS (api.authentication.FromTheHorde). Without that list the intake answers 401 to
the real Horde, whose raters then get "Rating Server returned error" and no kudos for rating their sets.
"""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Tags, Warning, register

LIST_THE_HORDE = (
    "Set HORDE_RATINGS_SET_ALLOWED_IPS to the AI Horde's addresses or networks (comma-separated, e.g. "
    "203.0.113.10,198.51.100.0/28); behind a proxy also set FORWARDED_PROXIES to the number of proxies in front "
    "of the site."
)


@register(Tags.security, deploy=True)
def check_rated_set_intake(app_configs=None, **kwargs) -> list[Warning]:
    """Warn when the Horde's forward cannot get in: neither the list nor a token, or a token without the list."""
    if settings.HORDE_RATINGS_SET_ALLOWED_IPS:
        return []
    if not settings.HORDE_RATINGS_SET_TOKEN:
        return [
            Warning(
                "The intake of rated sets (/api/v1/rating/set) is not configured: neither "
                "HORDE_RATINGS_SET_ALLOWED_IPS nor HORDE_RATINGS_SET_TOKEN is set, so every forward from the "
                "AI Horde is refused (401) and its raters get no kudos for rating their sets.",
                hint=LIST_THE_HORDE,
                id="horde_ratings.W001",
            )
        ]
    return [
        Warning(
            "HORDE_RATINGS_SET_TOKEN is set but HORDE_RATINGS_SET_ALLOWED_IPS is not: the AI Horde sends no token, "
            "so its own forwards of rated sets are refused (401); only a proxy of yours that adds "
            "X-Ratings-Set-Token gets in.",
            hint=LIST_THE_HORDE + " Keep the token only if your own proxy forwards the Horde's call with it.",
            id="horde_ratings.W002",
        )
    ]
