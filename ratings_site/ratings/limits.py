"""May this rater rate now: the account, the pauses and the flood limit, once, for every kind of rating.

Rating a dataset image, rating a generation set and picking the best of a prompt group all ask the same
questions in the same order, inside their own transaction:

1. `lock_rater(rater)`: the rater's decisions run one at a time;
2. `check_may_rate(rater)`: refused (RaterNotAllowed, RatingPaused) without a Horde account or while paused;
3. store what the rater entered;
4. `pause_if_flooding(rater)`: pause them once they reach RATINGS_PER_MINUTE_MAX ratings a minute, counting
   every kind (`ratings_in_the_last_minute`).

The refusals are `RatingRefused`s: a message for people and the HTTP status for views (403: not allowed,
429: wait).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import QuerySet
from django.db.transaction import TransactionManagementError
from django.utils import timezone
from django.utils.formats import date_format

from ratings_site.compiled_queries import OneRowQuery, StandInStatement, compile_proven
from ratings_site.raters.models import Rater
from ratings_site.raters.standing import STANDING_FIELDS, banned_message, is_banned
from ratings_site.ratings.models import CaptchaAnswer, Rating
from ratings_site.refusals import Refusal


class RatingRefused(Refusal):
    """A rating (of an image, a set or a best-of group) refused."""

    code = "rating_refused"


class RaterNotAllowed(RatingRefused):
    code = "rater_not_allowed"
    status = 403


class RatingPaused(RatingRefused):
    code = "rating_paused"
    status = 429

    def __init__(self, message: str, until: datetime):
        super().__init__(message, until=until)


class TooSoon(RatingRefused):
    """A rating sent sooner after its image was served than a person takes to look at it (RATING_MIN_SECONDS)."""

    code = "too_soon"
    status = 429

    def __init__(self, message: str, until: datetime):
        super().__init__(message, until=until)


class NotServed(RatingRefused):
    """A rating through the API of an image that rating/new did not hand to this rater."""

    code = "not_served"
    status = 403


# What a too-soon refusal says, by what was sent: (what came, what was looked at, what to do again).
_TOO_SOON_WORDS = {
    "rating": ("That rating", "the image appeared", "to look at each image", "rate it again"),
    "pick": ("That pick", "the images appeared", "to look at them", "pick again"),
}


def check_looked_long_enough(served_at: datetime | None, *, sent: str = "rating") -> None:
    """Raise TooSoon when a rating (or a best-of pick: `sent="pick"`) arrives less than RATING_MIN_SECONDS after its
    card was served (`served_at`: the page's signed card, or the API's rating/new), and NotServed when nobody
    served it (API). Every kind of image is held to it alike, check images too, so the floor tells nothing apart.
    RATING_MIN_SECONDS = 0 turns the floor off."""
    floor = settings.RATING_MIN_SECONDS
    if floor <= 0:
        return
    if served_at is None:
        raise NotServed("Ask for an image with rating/new first: only images served to you can be rated.")
    waited = (timezone.now() - served_at).total_seconds()
    if waited < floor:
        what, appeared, look, again = _TOO_SOON_WORDS[sent]
        raise TooSoon(
            f"{what} came {max(waited, 0):.1f} s after {appeared}; please take at least {floor:g} s {look}. "
            f"Nothing was saved: {again}.",
            served_at + timedelta(seconds=floor),
        )


def clock_time(moment: datetime) -> str:
    """A moment as raters read it in messages: "14:03:12 UTC"."""
    return date_format(timezone.localtime(moment), "H:i:s") + " UTC"


def paused_message(reason: str, until: datetime) -> str:
    """What a pause says, everywhere one is met: its reason, then "You can rate again at 14:03:12 UTC."."""
    return f"{reason} You can rate again at {clock_time(until)}."


def check_may_rate(rater: Rater) -> None:
    """Raise when this rater may not rate now (no Horde account, a ban (raters.standing), or a pause)."""
    if rater.horde_id is None:
        raise RaterNotAllowed("Log in with your Horde API key to rate.")
    if is_banned(rater):
        raise RaterNotAllowed(banned_message(rater), code="banned")
    pause = rater.active_pause()
    if pause:
        until, reason = pause
        raise RatingPaused(paused_message(reason, until), until)


# The rater's counters the header shows (Rater.ratings_total, ...), kept by ratings.services under this lock.
COUNTER_FIELDS = ("ratings_total", "ratings_today", "ratings_day")


def lock_rater(rater: Rater) -> None:
    """Lock the rater's row until the transaction ends, and read their pause and standing from it into `rater`.

    Every rating decision (rate, answer a captcha, skip, report, rate a generation set, pick the best) takes
    this lock first, so one rater's decisions run one after another even when they arrive in parallel (many
    tabs, a script): each sees the ratings, captcha answers and pause the previous one stored, and the flood
    limit and the captcha pause hold on PostgreSQL, where 34 parallel ratings otherwise all counted 29 before
    them. Other raters never wait for it. FOR NO KEY UPDATE: rows that merely point at the rater (a ledger line
    being paid) are not blocked. A no-op on SQLite, which runs one writer at a time anyway. The header's counters
    (`COUNTER_FIELDS`) are read with it, so that the rating rule keeps them from what the lock holds.

    Its query is compiled once (ratings_site.compiled_queries): the ORM built and compiled this same SELECT anew on
    every decision, about 0.3 ms of Python (issue 24, benchmarks/request_path_profile.py).
    """
    if connection.features.has_select_for_update and connection.get_autocommit():  # as the ORM's select_for_update
        raise TransactionManagementError("lock_rater locks until the transaction ends: call it inside one.")
    locked = _locked_rater.get(pk=rater.pk)
    if locked is None:
        raise Rater.DoesNotExist("The rater to lock does not exist.")
    for field in _LOCKED_FIELDS:
        setattr(rater, field, getattr(locked, field))


_LOCKED_FIELDS = ("paused_until", "pause_reason", *STANDING_FIELDS, *COUNTER_FIELDS)
_locked_rater = OneRowQuery(
    lambda pk: Rater.objects.select_for_update(no_key=True).only(*_LOCKED_FIELDS).filter(pk=pk)[:1],
    pk=Rater._meta.pk,
)


def pause(rater: Rater, *, seconds: float, reason: str) -> datetime:
    """Pause the rater for `seconds`, saying why; returns when the pause ends."""
    until = timezone.now() + timedelta(seconds=seconds)
    Rater.objects.filter(pk=rater.pk).update(paused_until=until, pause_reason=reason)
    rater.paused_until, rater.pause_reason = until, reason
    return until


# The other apps' kinds of rating (generation sets, best-of picks and checks), each a function of (rater, since)
# giving that rater's ratings of the kind stored since then. Each app adds its own in its AppConfig.ready
# (`count_in_the_flood_limit`): this app never imports the apps above it.
_OTHER_KINDS: list[Callable[[Rater, datetime], QuerySet]] = []


def count_in_the_flood_limit(kind: Callable[[Rater, datetime], QuerySet]) -> None:
    """Count another app's kind of rating in `ratings_in_the_last_minute` (called once, from its AppConfig.ready).

    `kind(rater, since)` filters by the rater (its pk) and the moment only: its SQL is compiled once, for every rater
    and moment (`_flood_count_statement`)."""
    if kind not in _OTHER_KINDS:
        _OTHER_KINDS.append(kind)


def _recent_of_every_kind(rater: Rater, since: datetime) -> list[QuerySet]:
    """The rater's ratings of every kind since `since`, one queryset of primary keys per kind."""
    kinds = [
        Rating.objects.filter(rater=rater, created_at__gte=since),
        # Check images answered: to the rater they are ratings like any other (a passed one is paid as one).
        CaptchaAnswer.objects.filter(rater=rater, created_at__gte=since),
        *(kind(rater, since) for kind in _OTHER_KINDS),
    ]
    return [queryset.order_by().values("pk") for queryset in kinds]


def ratings_in_the_last_minute(rater: Rater) -> int:
    """How many ratings of every kind the rater stored in the last minute: dataset images, check images answered,
    images of their generation sets, and best-of picks. One query.

    Measured against the alternatives (issue 24, benchmarks/request_path_profile.py): about 0.5 ms on PostgreSQL
    (five index range scans, each bounded by the minute, not by the rater's history) and 0.03 ms on SQLite, of a
    rating request's 15 to 30 ms. A narrow activity table or a counter window on the rater's row would save that
    query but add a write to every rating of every kind, and would count only what the apps remembered to record
    there, where this counts what each app stored. Building and compiling the five querysets cost more than the
    query itself (about 1 ms of Python), so their SQL is compiled once (`_flood_count_statement`)."""
    since = timezone.now() - timedelta(minutes=1)
    db = connections[DEFAULT_DB_ALIAS]
    compiled = _flood_count_statement(db)
    if compiled is None:  # a kind whose SQL depends on more than the rater and the moment: the ORM every time
        return _union_of_every_kind(rater, since).count()
    sql, statement = compiled
    with db.cursor() as cursor:
        cursor.execute(sql, statement.params_for({"rater": rater.pk, "since": since}, db))
        return cursor.fetchone()[0]


def _union_of_every_kind(rater: Rater, since: datetime) -> QuerySet:
    first, *others = _recent_of_every_kind(rater, since)
    return first.union(*others, all=True)


# The flood count's SQL is the ORM's, compiled once per engine and set of kinds with stand-in values (a rater id no
# rater has, a moment long past) whose places among the parameters are then filled with each call's own
# (ratings_site.compiled_queries, as OneRowQuery's). A kind must filter by the rater and the moment only
# (`count_in_the_flood_limit`); compiling with two different stand-ins and comparing proves it (`compile_proven`),
# and a kind that fails the proof is counted through the ORM on every call instead.
_FLOOD_SLOTS = {"rater": Rater._meta.pk, "since": Rating._meta.get_field("created_at")}
_flood_statements: dict[tuple, tuple[str, StandInStatement] | None] = {}


def _flood_count_statement(db: BaseDatabaseWrapper) -> tuple[str, StandInStatement] | None:
    """`SELECT COUNT(*)` over the union of every kind, and the compiled union whose parameters it takes; None when a
    kind's SQL depends on more than the rater and the moment."""
    key = (db.vendor, tuple(_OTHER_KINDS))
    if key not in _flood_statements:
        union = compile_proven(lambda rater, since: _union_of_every_kind(Rater(pk=rater), since), db, **_FLOOD_SLOTS)
        _flood_statements[key] = None if union is None else (f"SELECT COUNT(*) FROM ({union.sql}) recent", union)
    return _flood_statements[key]


def pause_if_flooding(rater: Rater) -> datetime | None:
    """After a rating is stored: pause the rater once they reach RATINGS_PER_MINUTE_MAX in a minute.

    The rating that reaches the limit is kept (it was meant), and the pause stops the next ones, so at
    most RATINGS_PER_MINUTE_MAX ratings a minute are stored and none a rater entered is thrown away.
    Every kind of rating counts (`ratings_in_the_last_minute`). Runs in the rating's transaction, under the
    rater's lock (`lock_rater`), so the count and the pause are what the rater's next rating sees.
    """
    recent = ratings_in_the_last_minute(rater)
    if recent < settings.RATINGS_PER_MINUTE_MAX:
        return None
    reason = (
        f"You rated {recent} images in the last minute; the limit is {settings.RATINGS_PER_MINUTE_MAX}. "
        "Take a short break and look at each image properly."
    )
    return pause(rater, seconds=settings.FLOOD_PAUSE_SECONDS, reason=reason)
