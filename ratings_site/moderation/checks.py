"""What moderators read about raters and images: the queries behind the API's /v1/image/* and /v1/user/* calls
(shared/horde-wire.md §2 and §4). Reads only; each rule of the checks lives here once.

Rules
- A Horde account is its Horde id (`Rater.horde_id`). The anonymous id 0 stands for every anonymous rater
  together (each anonymous login is a rater of its own, but on the Horde they are one user, `Anonymous#0`).
- An image's average is its counters' `rating_sum / ratings_count` (`Image.average_rating`, here as SQL);
  `times_rated` is `ratings_count`. The answers give 0.0 for an image without counted ratings (`average_of`):
  clients (horde-sdk) read `average` as a float, never null; `times_rated` 0 says there is none. A divergence
  from no average is none (NULL in SQL: such a rating is never suspect).
- A rating's divergence is |rating − its image's average|; a suspect divergence is one of at least D.
- Ratings per minute are the ratings of a span divided by its minutes.
- A failed captcha is a captcha answer that did not pass (a skipped or reported captcha counts as a miss).
- Listings are newest first (by id: ids grow with time, and the primary key's index serves the order without
  sorting every rating) and cost a constant number of queries: one count, one page (the image and the rater
  joined in).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from django.db.models import Count, F, FloatField, Q, QuerySet
from django.db.models.functions import Abs, Cast, NullIf
from django.utils import timezone

from ratings_site.datasets.models import Image
from ratings_site.raters.models import Rater
from ratings_site.ratings.models import CaptchaAnswer, Rating
from ratings_site.ratings.services import left_checks

Comparison = Literal["ge", "le", "eq"]
COMPARISONS: tuple[Comparison, ...] = ("ge", "le", "eq")

DEFAULT_MINUTES = 60
DEFAULT_DIVERGENCE = 3
THREE_HOURS = timedelta(hours=3)
MAX_HORDE_ID = 2**63 - 1  # Rater.horde_id is a BigIntegerField

# The fields a listing row reads: the rating, its image's address and counters, the rater's name.
_LISTED_FIELDS = (
    "rating",
    "artifacts",
    "created_at",
    "image__url",
    "image__file",
    "image__ratings_count",
    "image__rating_sum",
    "rater__username",
)


def image_average() -> Cast:
    """`Image.average_rating` in SQL, for a query over ratings: NULL for an image without counted ratings."""
    return Cast(F("image__rating_sum"), FloatField()) / NullIf(Cast(F("image__ratings_count"), FloatField()), 0.0)


def average_of(image: Image) -> float:
    """The image's average rating as the moderators' answers give it: 0.0 while it has no counted ratings."""
    average = image.average_rating
    return 0.0 if average is None else float(average)


def with_divergence(ratings: QuerySet[Rating]) -> QuerySet[Rating]:
    """Each rating annotated with `divergence`: |rating − its image's average|."""
    return ratings.annotate(divergence=Abs(Cast(F("rating"), FloatField()) - image_average()))


def image_by_public_id(image_id: str) -> Image | None:
    """The image whose public id is `image_id`; None when it is unknown or not a UUID."""
    try:
        public_id = uuid.UUID(image_id)
    except (ValueError, TypeError, AttributeError):
        return None
    return Image.objects.filter(public_id=public_id).first()


def ratings_of_image(image: Image) -> list[Rating]:
    """The image's ratings, oldest first, each with its rater's name (one query)."""
    return list(
        Rating.objects.filter(image=image)
        .select_related("rater")
        .only("rating", "artifacts", "created_at", "image_id", "rater__username")
        .order_by("created_at", "pk")
    )


def horde_id_from(user_id: str) -> int | None:
    """The Horde id written in a URL, or None when it is not a whole number a Horde id can be."""
    text = str(user_id).strip()
    if not text.isascii() or not text.isdigit():
        return None
    value = int(text)
    return value if value <= MAX_HORDE_ID else None


def horde_account_known(horde_id: int) -> bool:
    """Whether any rater here is that Horde account."""
    return Rater.objects.filter(horde_id=horde_id).exists()


def ratings_of_account(horde_id: int) -> QuerySet[Rating]:
    return Rating.objects.filter(rater__horde_id=horde_id)


def all_ratings() -> QuerySet[Rating]:
    return Rating.objects.all()


@dataclass(frozen=True)
class RaterCheck:
    """`GET /v1/user/check/{user_id}`: how fast and how far from the others a Horde account rates."""

    ratings_in_timeframe: int
    ratings_per_minute_in_timeframe: float
    ratings_past_three_hours: int
    ratings_per_minute_for_past_three_hours: float
    suspect_divergences: int
    captchas_failed: int


def check_account(
    horde_id: int,
    *,
    minutes: int = DEFAULT_MINUTES,
    divergence: float = DEFAULT_DIVERGENCE,
    now: datetime | None = None,
) -> RaterCheck:
    """The account's ratings in the last `minutes` and in the last three hours, its suspect divergences among
    the ratings of the last `minutes`, and its failed captchas (all time). Two aggregate queries."""
    now = now or timezone.now()
    since = now - timedelta(minutes=minutes)
    three_hours_ago = now - THREE_HOURS
    recent = with_divergence(ratings_of_account(horde_id).filter(created_at__gte=min(since, three_hours_ago)))
    counts = recent.aggregate(
        in_timeframe=Count("pk", filter=Q(created_at__gte=since)),
        past_three_hours=Count("pk", filter=Q(created_at__gte=three_hours_ago)),
        suspect=Count("pk", filter=Q(created_at__gte=since, divergence__gte=divergence)),
    )
    # Missed checks: answered wrong, skipped or reported, and served but left unanswered.
    captchas_failed = (
        CaptchaAnswer.objects.filter(rater__horde_id=horde_id, passed=False).count()
        + left_checks(rater__horde_id=horde_id).count()
    )
    three_hours_in_minutes = THREE_HOURS.total_seconds() / 60
    return RaterCheck(
        ratings_in_timeframe=counts["in_timeframe"],
        ratings_per_minute_in_timeframe=round(counts["in_timeframe"] / minutes, 3),
        ratings_past_three_hours=counts["past_three_hours"],
        ratings_per_minute_for_past_three_hours=round(counts["past_three_hours"] / three_hours_in_minutes, 3),
        suspect_divergences=counts["suspect"],
        captchas_failed=captchas_failed,
    )


def _compared(field: str, value: int | None, comparison: Comparison) -> Q:
    if value is None:
        return Q()
    lookup = {"ge": "gte", "le": "lte", "eq": "exact"}[comparison]
    return Q(**{f"{field}__{lookup}": value})


def filtered_ratings(
    ratings: QuerySet[Rating],
    *,
    rating: int | None = None,
    rating_comparison: Comparison = "eq",
    artifacts: int | None = None,
    artifacts_comparison: Comparison = "eq",
    min_ratings: int | None = None,
    diverge: float | None = None,
) -> QuerySet[Rating]:
    """Ratings whose score compares with `rating` as asked (ge, le or eq), the same for artifacts (a rating
    without artifacts never matches an artifacts filter), of images rated at least `min_ratings` times, and
    at least `diverge` away from their image's average."""
    ratings = ratings.filter(
        _compared("rating", rating, rating_comparison),
        _compared("artifacts", artifacts, artifacts_comparison),
    )
    if min_ratings:
        ratings = ratings.filter(image__ratings_count__gte=min_ratings)
    if diverge is not None:
        ratings = with_divergence(ratings).filter(divergence__gte=diverge)
    return ratings


@dataclass(frozen=True)
class Page:
    total: int  # every rating that matched, not only this page's
    ratings: list[Rating]


def page_of(ratings: QuerySet[Rating], *, limit: int, offset: int = 0) -> Page:
    """One page of ratings, newest first, with the count of all that matched: two queries whatever the page."""
    total = ratings.count()
    rows: list[Rating] = []
    if limit and offset < total:
        rows = list(
            ratings.select_related("image", "rater").only(*_LISTED_FIELDS).order_by("-pk")[offset : offset + limit]
        )
    return Page(total=total, ratings=rows)
