"""What the rater page (moderation.admin_raters) shows a moderator about one rater: reads only, each figure from one
bounded query over the rater's latest rows (the `(rater, created_at)` indexes), never a scan of every rating, so
the page costs the same for a rater with ten ratings or a million.

Rules
- Pace: the rater's latest PACE_WINDOW ratings' times; how many fall in the last minute and the last hour (at most
  the window: "500+"), and the fastest run, the shortest time in which they made RUN_LENGTH ratings in a row.
- Divergence from the others: a rating's distance from the mean of the OTHER raters of its image, read from the
  image's counters (`ratings_count`, `rating_sum` hold counted ratings only): `(rating_sum - rating) /
  (ratings_count - 1)` when the rating counts, `rating_sum / ratings_count` when it does not; none when no one
  else's rating counts. A suspect divergence is one of at least `checks.DEFAULT_DIVERGENCE`, as in the API's check.
- Missed check images: answered wrong, skipped or reported (`CaptchaAnswer.passed` False), and those served and
  left unanswered (`ratings.services.left_checks`), as the API's check counts them.
- Reliability weight: the rater's stored row (reliability.weights explains the model), as the background job last
  computed it; none before the job first weighed them. Showing it asks for the job when the weights are old.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.utils import timezone

from ratings_site.datasets.models import QueueEntry
from ratings_site.moderation.actions import can_undo
from ratings_site.moderation.checks import DEFAULT_DIVERGENCE
from ratings_site.moderation.models import ModerationAction
from ratings_site.raters.models import Rater
from ratings_site.ratings.models import CaptchaAnswer, Rating
from ratings_site.ratings.services import left_checks
from ratings_site.reliability.models import RaterWeight
from ratings_site.reliability.tasks import request_refresh

PACE_WINDOW = 500
RUN_LENGTH = 30
LATEST_WINDOW = 200  # ratings read for the divergences and the recent list
RECENT_SHOWN = 30
SUSPECTS_SHOWN = 10
MISSED_SHOWN = 5
HISTORY_SHOWN = 25

# A rating's fields the page shows, with its image's address and counters.
_RATING_FIELDS = (
    "rating",
    "artifacts",
    "counts",
    "invalidated",
    "created_at",
    "rater_id",
    "image__public_id",
    "image__url",
    "image__file",
    "image__ratings_count",
    "image__rating_sum",
)


@dataclass(frozen=True)
class Pace:
    last_minute: int
    last_hour: int
    read: int  # the ratings read: PACE_WINDOW at most
    run_length: int  # ratings in the fastest run (fewer than RUN_LENGTH when the rater made fewer)
    run_seconds: float | None  # None with fewer than two ratings

    @property
    def window_full(self) -> bool:
        """The last hour held at least the whole window: the count is a floor ("500+")."""
        return self.last_hour >= PACE_WINDOW

    @property
    def run_per_minute(self) -> float | None:
        if self.run_seconds is None:
            return None
        return round((self.run_length - 1) * 60 / max(self.run_seconds, 0.001), 1)


def pace_of(rater: Rater, *, now: datetime | None = None) -> Pace:
    """How fast the rater rates lately: one query over their latest PACE_WINDOW ratings' times."""
    now = now or timezone.now()
    times = list(
        Rating.objects.filter(rater=rater).order_by("-created_at").values_list("created_at", flat=True)[:PACE_WINDOW]
    )
    run = min(RUN_LENGTH, len(times))
    run_seconds = None
    if run >= 2:
        run_seconds = min((times[i] - times[i + run - 1]).total_seconds() for i in range(len(times) - run + 1))
    return Pace(
        last_minute=sum(1 for at in times if at >= now - timedelta(minutes=1)),
        last_hour=sum(1 for at in times if at >= now - timedelta(hours=1)),
        read=len(times),
        run_length=run,
        run_seconds=run_seconds,
    )


def others_mean(rating: Rating) -> float | None:
    """The mean of the other raters' counted ratings of the rating's image (see the module), or None."""
    count, total = rating.image.ratings_count, rating.image.rating_sum
    if rating.counts:
        count, total = count - 1, total - rating.rating
    return total / count if count > 0 else None


@dataclass(frozen=True)
class Divergence:
    rating: Rating
    others_mean: float
    divergence: float


@dataclass(frozen=True)
class Latest:
    """The rater's latest LATEST_WINDOW ratings (one query): the newest for the recent list, and those furthest
    from the others' mean."""

    recent: list[Rating]
    suspects: list[Divergence]  # the furthest first, at most SUSPECTS_SHOWN
    suspect_count: int  # among the ratings read, those at least DEFAULT_DIVERGENCE away
    read: int


def latest_ratings(rater: Rater) -> Latest:
    rows = list(
        Rating.objects.filter(rater=rater)
        .select_related("image")
        .only(*_RATING_FIELDS)
        .order_by("-created_at", "-pk")[:LATEST_WINDOW]
    )
    scored = []
    for rating in rows:
        mean = others_mean(rating)
        if mean is not None:
            scored.append(Divergence(rating, round(mean, 2), round(abs(rating.rating - mean), 2)))
    scored.sort(key=lambda row: row.divergence, reverse=True)
    return Latest(
        recent=rows[:RECENT_SHOWN],
        suspects=scored[:SUSPECTS_SHOWN],
        suspect_count=sum(1 for row in scored if row.divergence >= DEFAULT_DIVERGENCE),
        read=len(rows),
    )


@dataclass(frozen=True)
class MissedChecks:
    answered_wrong: int
    left_unanswered: int
    latest: list[CaptchaAnswer] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.answered_wrong + self.left_unanswered


def missed_checks_of(rater: Rater) -> MissedChecks:
    """The rater's missed check images, all time (two counts on the rater's indexes), and the latest few."""
    wrong = CaptchaAnswer.objects.filter(rater=rater, passed=False)
    return MissedChecks(
        answered_wrong=wrong.count(),
        left_unanswered=left_checks(rater=rater).count(),
        latest=list(wrong.select_related("image").order_by("-created_at")[:MISSED_SHOWN]),
    )


def history_of(rater: Rater) -> list[tuple[ModerationAction, bool]]:
    """The latest acts on the rater, newest first, each with whether it can be undone now (one query)."""
    acts = (
        ModerationAction.objects.filter(rater=rater)
        .select_related("actor", "image", "undone_by")
        .order_by("-created_at", "-id")[:HISTORY_SHOWN]
    )
    return [(act, can_undo(act)) for act in acts]


def images_in_queue(act: ModerationAction) -> int:
    """How many images of the ratings an act changed are in the queue now (wanting ratings)."""
    ratings = act.subject_ids.get("ratings", [])
    return QueueEntry.objects.filter(image_id__in=Rating.objects.filter(pk__in=ratings).values("image_id")).count()


def reliability_of(rater: Rater) -> RaterWeight | None:
    """The rater's reliability weight and its inputs (one query on the primary key), or None when not computed.
    Weights older than reliability.tasks.REFRESH_MAX_AGE ask for the background job (one more query; a few, once
    per REFRESH_MAX_AGE, when it is queued)."""
    request_refresh()
    return RaterWeight.objects.filter(rater=rater).first()
