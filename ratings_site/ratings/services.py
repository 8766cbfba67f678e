"""Rating a dataset image: the rules, in one place, for the pages, the API and commands.

`rate_image` validates, refuses duplicates, stores, bumps the image's counters,
judges captchas, applies pauses and writes the kudos ledger, in one transaction.
Errors are `RatingRefused` subclasses carrying a message for people and an HTTP
status for views (clients treat 403 as "skip to the next image", 429 as "wait").
"May this rater rate now" (the account, the pauses, the flood limit) is `ratings.limits`, shared with every
kind of rating; its refusals (RatingRefused, RaterNotAllowed, RatingPaused) are re-exported here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Case, Count, F, PositiveIntegerField, Q, Value, When
from django.utils import timezone
from django.utils.timesince import timesince

from ratings_site.compiled_queries import quote
from ratings_site.datasets.models import Image, QueueEntry
from ratings_site.datasets.services import hiding_flags, queue_condition, refresh_queue
from ratings_site.kudos.services import (
    UndoneReward,
    cancel_passed_check_reward,
    cancel_reward,
    record_passed_check_reward,
    record_reward,
    reward_for_image,
)
from ratings_site.raters.models import Rater
from ratings_site.raters.standing import rater_counts
from ratings_site.ratings.limits import (  # noqa: F401
    NotServed,
    RaterNotAllowed,
    RatingPaused,
    RatingRefused,
    TooSoon,
    check_looked_long_enough,
    check_may_rate,
    clock_time,
    lock_rater,
    pause,
    pause_if_flooding,
    paused_message,
)
from ratings_site.ratings.models import CaptchaAnswer, Rating, ServedImage, Skip
from ratings_site.ratings.scales import InvalidScore, parse_artifacts, parse_rating


class InvalidRating(RatingRefused):
    code = "invalid_rating"
    status = 400


class ImageUnavailable(RatingRefused):
    """The image is not being rated here; its `code` says why (see ratings.rateable)."""

    code = "image_unavailable"
    status = 404


class ImageFull(RatingRefused):
    code = "image_full"
    status = 403


@dataclass(frozen=True)
class RatingOutcome:
    """What a rating did: shown to the rater as it is saved ("Saved: 7 · Good · Tiny flaws · +5 kudos")."""

    image: Image
    rating: int | None = None
    artifacts: int | None = None
    reward: int = 0
    duplicate: bool = False
    captcha: bool = False
    captcha_passed: bool | None = None
    paused_until: datetime | None = None
    message: str = ""


def parse_scores(rating: object, artifacts: object) -> tuple[int, int | None]:
    """The rating and the optional artifacts, read by the scales' rules; refusals as InvalidRating (400)."""
    try:
        return parse_rating(rating), parse_artifacts(artifacts)
    except InvalidScore as exc:
        raise InvalidRating(exc.message) from None


# Is this image rateable: the one answer, with a refusal that says why not. For a dataset image it is the queue rule
# (datasets.services.queue_condition) read back part by part; rate_image's claim applies that rule itself.
FULL_MESSAGE = "This image already has all the ratings it needs. Here is another one."
_WHY_OUT_OF_THE_QUEUE = {  # the flags of datasets.services.SHOWN_FLAGS, in the order a refusal names them
    "hidden": ("This image is not available for rating any more: a moderator took it out.", "image_hidden"),
    "broken": ("This image is not available for rating any more: it could not be loaded.", "image_broken"),
    "nsfw": ("This image is not available for rating: it is marked NSFW.", "image_nsfw"),
}


def rateable_refusal(image: Image, *, claim_failed: bool = False) -> RatingRefused | None:
    """Why this image may not be rated, skipped or reported now (None when it may), each case with its own code:
    hidden, broken or NSFW (404); a best-of check image, which is picked on best-of pages and never rated one by
    one (404); of a dataset that is not public (404). A rating check image lives in a non-public pool, in no queue,
    and is rated by every rater it is served to.

    "It has all its ratings" (ImageFull, 403) is read only once rate_image's claim failed (`claim_failed`): before
    it, a retry of the rating that filled the image must still be answered as the first was."""
    failed = hiding_flags(image)
    if claim_failed and image.ratings_count >= settings.RATINGS_PER_IMAGE:
        failed.add("ratings_count")
    for field, (message, code) in _WHY_OUT_OF_THE_QUEUE.items():
        if field in failed:
            return ImageUnavailable(message, code=code)
    if image.is_captcha:
        if image.captcha_answer is None:  # shown on best-of pages only (bestof.checks)
            return ImageUnavailable("This image is not available for rating here.", code="not_rated_here")
        return None
    if not image.dataset.public:
        return ImageUnavailable(
            "This image is no longer being rated. Its dataset is not open for rating.", code="dataset_not_public"
        )
    if "ratings_count" in failed:
        return ImageFull(FULL_MESSAGE)
    if failed or claim_failed:
        return ImageUnavailable("This image is no longer being rated.")
    return None


def check_rateable(image: Image) -> None:
    """Raise `rateable_refusal(image)`, if any. Rating, skipping and reporting ask this, on the page and the API."""
    refusal = rateable_refusal(image)
    if refusal is not None:
        raise refusal


def rate_image(
    *,
    rater: Rater,
    image: Image,
    rating: object,
    artifacts: object = None,
    client_agent: str = "",
    served_at: datetime | None = None,
) -> RatingOutcome:
    """Store one rater's rating of one image, or raise RatingRefused.

    `served_at` is when the image was served to the rater (the page's signed card, the API's rating/new): a rating
    sooner than RATING_MIN_SECONDS after it is refused (TooSoon, 429), and one of an image never served is refused
    (NotServed, 403) while the floor is on. Idempotent: the same rating sent twice (a double click, a retry) stores
    one rating and one ledger line, and answers as the first did. One transaction, under the rater's lock
    (`lock_rater`): the rater's parallel ratings are decided one at a time.
    """
    score, artifacts_score = parse_scores(rating, artifacts)
    check_rateable(image)

    wanted = settings.RATINGS_PER_IMAGE
    try:
        with transaction.atomic():
            lock_rater(rater)
            existing = _existing_outcome(rater, image)  # a retry, or the same rating sent in parallel first
            if existing is not None:
                return existing
            check_looked_long_enough(served_at)  # before anything a check image does differently
            check_may_rate(rater)
            if image.is_captcha:
                return _answer_captcha(rater, image, score, artifacts=artifacts_score)
            # A conditional UPDATE claims a slot atomically: two raters racing for
            # the last slot can't both pass, on SQLite or PostgreSQL. A rating that does not count (its rater
            # is flagged by the Horde: raters.standing) takes no slot and adds nothing to the counters.
            counts = rater_counts(rater)
            if counts:
                ratings_count = _claim(image, score, artifacts_score, wanted)
                claimed = ratings_count is not None
            else:
                claimed = Image.objects.filter(queue_condition(wanted), pk=image.pk).exists()
            if not claimed:  # full, or taken out of the queue since it was read: say which
                image.refresh_from_db()
                raise rateable_refusal(image, claim_failed=True)
            # The last wanted rating takes the image out of the queue: the count is the claim's own, read under the
            # row lock the claim holds (which orders this after any other claim of the same image). A rating that
            # does not count took no slot, so it cannot be the last.
            if counts and ratings_count >= wanted:
                QueueEntry.objects.filter(image_id=image.pk).delete()
            stored = Rating.objects.create(
                rater=rater,
                image=image,
                rating=score,
                artifacts=artifacts_score,
                client_agent=client_agent[:200],
                rater_kudos=rater.horde_kudos,  # what find_user said at login or key lookup: no Horde call here
                counts=counts,
            )
            reward = record_reward(stored)
            count_on_rater(rater, stored.created_at, +1)
            forget_served(rater, image)
            paused_until = pause_if_flooding(rater)
    except ImageFull:
        # Its queue entry may be stale (a refresh_queue that read the image before its last rating
        # committed can put it back): take it out now, so that nobody else is served it.
        refresh_queue(Image.objects.filter(pk=image.pk))
        raise
    except IntegrityError:
        # The same rater's concurrent duplicate won; answer as it did.
        existing = _existing_outcome(rater, image)
        if existing is None:
            raise
        return existing
    return _saved_outcome(rater, image, score, artifacts_score, reward=reward, paused_until=paused_until)


def _claim(image: Image, score: int, artifacts: int | None, wanted: int) -> int | None:
    """Claim a rating slot of `image` and add the rating to its counters, in one conditional UPDATE that holds the
    image's row lock until the transaction ends: two raters racing for the last slot can't both pass, on SQLite or
    PostgreSQL. Returns the image's ratings_count after the claim, or None when it was not claimed (the image no
    longer satisfies the queue rule, `queue_condition`).

    Raw SQL, compiled once per engine and RATINGS_PER_IMAGE (`_claim_statement`): the ORM's UPDATE cannot return
    the count, which then cost a DELETE with a join on every rating, and building it cost about 0.5 ms of Python
    (issue 24). The condition is the queue rule's own, compiled by the ORM."""
    sql, condition_params = _claim_statement(connection, wanted)
    with connection.cursor() as cursor:
        cursor.execute(sql, [1, score, 0 if artifacts is None else 1, artifacts or 0, image.pk, *condition_params])
        row = cursor.fetchone()
    return None if row is None else row[0]


_claim_statements: dict[tuple[str, int], tuple[str, list]] = {}


def _claim_statement(connection, wanted: int) -> tuple[str, list]:
    """_claim's UPDATE … RETURNING for this engine and RATINGS_PER_IMAGE, and the queue rule's parameters (as in
    raters.limits_store, RETURNING runs on PostgreSQL and on SQLite 3.35 and later)."""
    key = (connection.vendor, wanted)
    if key not in _claim_statements:
        query = Image.objects.filter(queue_condition(wanted)).query
        condition, condition_params = query.get_compiler(connection=connection).compile(query.where)
        column = {name: quote(Image._meta.get_field(name).column) for name in _IMAGE_COUNTERS}
        added = ", ".join(f"{column[name]} = {column[name]} + %s" for name in _IMAGE_COUNTERS)
        sql = (
            f"UPDATE {quote(Image._meta.db_table)} SET {added} "
            f"WHERE {quote(Image._meta.pk.column)} = %s AND {condition} RETURNING {column['ratings_count']}"
        )
        _claim_statements[key] = (sql, list(condition_params))
    return _claim_statements[key]


# The image's counters a rating adds to, in _claim's order: one, the rating, one if it has artifacts, the artifacts.
_IMAGE_COUNTERS = ("ratings_count", "rating_sum", "artifacts_count", "artifacts_sum")


def _saved_outcome(
    rater: Rater, image: Image, rating: int, artifacts: int | None, *, reward, paused_until, **check: bool
) -> RatingOutcome:
    """What a new rating answers, and a passed check too (`check`: its flags), which must read the same."""
    return RatingOutcome(
        image=image,
        rating=rating,
        artifacts=artifacts,
        reward=reward.amount if reward else 0,
        paused_until=paused_until,
        message=paused_message(rater.pause_reason, paused_until) if paused_until else "",
        **check,
    )


def _existing_outcome(rater: Rater, image: Image) -> RatingOutcome | None:
    if image.is_captcha:
        answer = CaptchaAnswer.objects.filter(rater=rater, image=image).first()
        if answer is None:
            return None
        # A passed check answers again as a rating would, with its artifacts and its reward.
        reward = reward_for_image(rater=rater, image_id=image.pk) if answer.passed else None
        return RatingOutcome(
            image=image,
            rating=answer.answer,
            artifacts=answer.artifacts,
            reward=reward.amount if reward else 0,
            duplicate=True,
            captcha=True,
            captcha_passed=answer.passed,
        )
    # Raw SQL, written once: the ORM's select_related query cost about 0.5 ms of Python on every rating (issue 24).
    with connection.cursor() as cursor:
        cursor.execute(_existing_rating_statement(connection.vendor), [rater.pk, image.pk])
        stored = cursor.fetchone()
    if stored is None:
        return None
    rating, artifacts, reward = stored
    return RatingOutcome(image=image, rating=rating, artifacts=artifacts, reward=reward or 0, duplicate=True)


@cache
def _existing_rating_statement(vendor: str) -> str:
    """The rater's rating of an image, and the amount of its ledger line (null when it has none)."""
    rating, reward = Rating._meta, Rating._meta.get_field("reward").related_model._meta
    column = {name: quote(rating.get_field(name).column) for name in ("rating", "artifacts", "rater", "image")}
    return (
        f"SELECT r.{column['rating']}, r.{column['artifacts']}, k.{quote(reward.get_field('amount').column)} "
        f"FROM {quote(rating.db_table)} r LEFT JOIN {quote(reward.db_table)} k "
        f"ON k.{quote(reward.get_field('rating').column)} = r.{quote(rating.pk.column)} "
        f"WHERE r.{column['rater']} = %s AND r.{column['image']} = %s"
    )


def _answer_captcha(rater: Rater, image: Image, answer: int | None, *, artifacts: int | None = None) -> RatingOutcome:
    """Judge a rater's answer to a captcha; None is a skip or a report, which counts as a miss.

    A passed check looks like any rating to the rater: it earns by the same kudos rule, on the same ledger (a
    "rating" line for its image, `kudos.services.record_passed_check_reward`), and answers as `rate_image` does
    for a rating, so a client cannot learn afterwards which images were checks. It can be undone like a rating
    (`undo_rating`). A failed check says it was a check, and CAPTCHA_FAILS_TIMEOUT misses in 24 hours pause the
    rater. Call under the rater's lock.
    """
    passed = answer is not None and answer == image.captcha_answer
    try:
        with transaction.atomic():
            CaptchaAnswer.objects.create(rater=rater, image=image, answer=answer, artifacts=artifacts, passed=passed)
    except IntegrityError:
        return _existing_outcome(rater, image) or RatingOutcome(image=image, captcha=True)
    forget_served(rater, image)
    if passed:
        count_on_rater(rater, timezone.now(), +1)
        reward = record_passed_check_reward(rater=rater, image_id=image.pk)
        paused_until = pause_if_flooding(rater)
        return _saved_outcome(
            rater, image, answer, artifacts, reward=reward, paused_until=paused_until, captcha=True, captcha_passed=True
        )
    if answer is None:
        message = (
            f"That image was a check: it asked you to rate it a {image.captcha_answer}. "
            "Skipping or reporting a check counts as missing it."
        )
    else:
        message = (
            f"That image was a check: it asked you to rate it a {image.captcha_answer}. "
            "Please look at every image before rating it."
        )
    until = pause_for_missed_checks(rater)
    if until is not None:
        return RatingOutcome(
            image=image,
            rating=answer,
            captcha=True,
            captcha_passed=False,
            paused_until=until,
            message=f"{message} {paused_message(rater.pause_reason, until)}",
        )
    return RatingOutcome(image=image, rating=answer, captcha=True, captcha_passed=False, message=message)


# A check served and not answered within this time was left: it counts as missed from then on. (Before, it is the
# card the rater is looking at; a reload or another page shows it again, so it cannot be got past meanwhile.)
UNANSWERED_CHECK_GRACE = timedelta(minutes=5)


def left_checks(**rater: object):
    """Check images served to the rater (`rater=` or `rater__horde_id=`, ...) and left unanswered: missed."""
    return ServedImage.objects.filter(is_check=True, served_at__lt=timezone.now() - UNANSWERED_CHECK_GRACE, **rater)


def missed_checks(rater: Rater) -> int:
    """The rater's missed check images in the last 24 hours: answered wrong, skipped or reported, and those served
    and left unanswered (`left_checks`). Two queries, each on an index of the rater's."""
    since = timezone.now() - timedelta(hours=24)
    answered_wrong = CaptchaAnswer.objects.filter(rater=rater, passed=False, created_at__gte=since).count()
    return answered_wrong + left_checks(rater=rater, served_at__gte=since).count()


# Serving -------------------------------------------------------------------------------------------------------
# What was served to whom, where a rule needs it (ratings.models.ServedImage): check images on every surface,
# every image the API hands out (its look-time floor), and, while holds are on (RATING_HOLD_SECONDS), the dataset
# images the pages show and preload (holds only: the pages sign a dataset image's serve time into the card).


def record_served(rater: Rater, image: Image, *, every_image: bool = False, upcoming: Image | None = None) -> None:
    """Note that `image` was just shown to `rater` (and `upcoming` preloaded after it, on a page).

    - A check image: a serve the check rules count (a pending check, then a miss). Shown again, it keeps its first
      serve time, so that a reload never restarts its clock. A preloaded check is not noted: it is not shown yet.
    - `every_image` (the API's rating/new): any image, the start of its look time; served again, the time starts
      anew (and a page's hold of it becomes the API's serve).
    - A page's dataset image, shown or preloaded, while holds are on: a hold (`hold_only`), renewed when shown
      again; an API serve of it stands as it is, so that the API's look time never moves for a page.
    Every dataset image's row holds one of its rating slots for RATING_HOLD_SECONDS (ratings.selectors).

    One statement (an insert of one or two rows on the (rater, image) constraint, ignoring or updating)."""
    holds = settings.RATING_HOLD_SECONDS > 0
    images = [image] if image.is_captcha or every_image or holds else []
    if upcoming is not None and holds and not upcoming.is_captcha and not every_image and upcoming.pk != image.pk:
        images.append(upcoming)
    if not images:
        return
    # Raw SQL, written once: the ORM's bulk_create wraps its one INSERT in a transaction of its own (BEGIN and COMMIT:
    # three round trips for one statement on every rating/new) and cost about 0.35 ms of Python (issue 24).
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    params: list[object] = []
    for served in images:
        params += [rater.pk, served.pk, served.is_captcha, not (served.is_captcha or every_image), now]
    with connection.cursor() as cursor:
        cursor.execute(_record_served_statement(connection.vendor, len(images), every_image), params)


@cache
def _record_served_statement(vendor: str, rows: int, by_api: bool) -> str:
    """INSERT of `rows` served rows on the (rater, image) constraint (ON CONFLICT's upsert, on PostgreSQL and on SQLite
    3.24 and later). A check's row stands as it is (its first serve time). A dataset image's: the API's serve renews
    the time and makes a page's hold its own serve; a page's serve renews its own hold and leaves the API's serve."""
    column = {
        name: quote(ServedImage._meta.get_field(name).column)
        for name in ("rater", "image", "is_check", "hold_only", "served_at")
    }
    table = quote(ServedImage._meta.db_table)
    renew = f"{column['served_at']} = excluded.{column['served_at']}"
    if by_api:
        on_conflict = f"DO UPDATE SET {renew}, {column['hold_only']} = FALSE WHERE NOT {table}.{column['is_check']}"
    else:
        on_conflict = f"DO UPDATE SET {renew} WHERE {table}.{column['hold_only']}"
    values = ", ".join(["(%s, %s, %s, %s, %s)"] * rows)
    return (
        f"INSERT INTO {table} "
        f"({column['rater']}, {column['image']}, {column['is_check']}, {column['hold_only']}, {column['served_at']}) "
        f"VALUES {values} ON CONFLICT ({column['rater']}, {column['image']}) {on_conflict}"
    )


def served_at(rater: Rater, image: Image) -> datetime | None:
    """When `image` was served to `rater` through the API (rating/new), or None when it never was (a page's hold is
    not a serve of the API's: `hold_only`)."""
    return (
        ServedImage.objects.filter(rater=rater, image=image, hold_only=False)
        .values_list("served_at", flat=True)
        .first()
    )


def forget_served(rater: Rater, image: Image) -> None:
    """The image was answered (rated, skipped, reported, or its check judged): no longer pending.

    Raw SQL, written once: the ORM's delete (a collector, then this same statement) cost about 0.3 ms of Python on
    every rating (issue 24). A served row has no dependants and no delete signals."""
    with connection.cursor() as cursor:
        cursor.execute(_forget_served_statement(connection.vendor), [rater.pk, image.pk])


@cache
def _forget_served_statement(vendor: str) -> str:
    served = ServedImage._meta
    rater, image = (quote(served.get_field(name).column) for name in ("rater", "image"))
    return f"DELETE FROM {quote(served.db_table)} WHERE {rater} = %s AND {image} = %s"


def forget_old_servings(older_than: timedelta = timedelta(days=1)) -> int:
    """Forget dataset images the API served or a page held and nobody answered, after a day (the hourly site-figures
    task). Check images stay: unanswered, they are misses and are shown again."""
    deleted, _ = ServedImage.objects.filter(is_check=False, served_at__lt=timezone.now() - older_than).delete()
    return deleted


@dataclass(frozen=True)
class SkipOutcome:
    """What a skip or report did. `check` holds the captcha's judgement when the image was one."""

    image: Image
    reason: str
    is_report: bool
    check: RatingOutcome | None = None


def skip_image(*, rater: Rater, image: Image, reason: str = Skip.Reason.SKIPPED, note: str = "") -> SkipOutcome:
    """Take an image out of this rater's queue; a report (any reason but skipped) also feeds moderation.

    Refused like a rating: while the rater is paused (RatingPaused, 429; reports feed moderation and a pause
    stops every decision) and for an image not being rated (ImageUnavailable, 404: hidden, broken, or of a
    dataset that is not public). Skipping or reporting a captcha is no way out of it: it counts as a missed
    check (`_answer_captcha` with no answer), and nothing goes to moderation, so a rater who cannot tell a
    check from a dataset image gains nothing by skipping it.
    """
    if reason not in Skip.Reason.values:
        raise InvalidRating("Choose a reason for the report: broken, NSFW, watermark or other.")
    check_rateable(image)
    with transaction.atomic():
        lock_rater(rater)
        if image.is_captcha:
            existing = _existing_outcome(rater, image)
            if existing is not None:
                return SkipOutcome(image=image, reason=reason, is_report=reason != Skip.Reason.SKIPPED, check=existing)
        check_may_rate(rater)
        if image.is_captcha:
            check = _answer_captcha(rater, image, None)
            return SkipOutcome(image=image, reason=reason, is_report=reason != Skip.Reason.SKIPPED, check=check)
        skip, created = Skip.objects.get_or_create(
            rater=rater, image=image, defaults={"reason": reason, "note": note[:500]}
        )
        forget_served(rater, image)
        if created and skip.is_report:
            Image.objects.filter(pk=image.pk).update(reports_count=F("reports_count") + 1)
    return SkipOutcome(image=image, reason=skip.reason, is_report=skip.is_report)


# Changing and undoing a rating ------------------------------------------------------------------
# For RATING_UNDO_MINUTES after it is saved, a rater may change a rating or undo it (the "U" key and
# the undo button of the rate page; the change and delete forms of /ratings/). Each runs in one
# transaction that locks, in rate_image's order, the image row, the rating and its ledger line; the
# image's counters, its place in the queue and the ledger follow exactly.


class RatingNotFound(RatingRefused):
    code = "rating_not_found"
    status = 404


class TooLateToChange(RatingRefused):
    code = "too_late_to_change"
    status = 403


@dataclass(frozen=True)
class UndoneRating:
    """A rating that was undone: its image (to show again), what it said, and what became of its kudos."""

    image: Image
    rating: int
    artifacts: int | None
    reward: UndoneReward | None = None

    @property
    def kudos_note(self) -> str:
        """What became of its kudos, e.g. "its 5 kudos were cancelled"; empty when it earned none."""
        return self.reward.note if self.reward else ""


def saved_ago(moment: datetime, now: datetime | None = None) -> str:
    """How long ago, for people: "just now", "3 minutes ago", "2 hours ago"."""
    now = now or timezone.now()
    if now - moment < timedelta(minutes=1):
        return "just now"
    return timesince(moment, now, depth=1).replace("\xa0", " ") + " ago"


def changeable_until(rating: Rating | CaptchaAnswer) -> datetime:
    """When this rating (or passed check's answer) becomes final."""
    return rating.created_at + timedelta(minutes=settings.RATING_UNDO_MINUTES)


def is_changeable(rating: Rating | CaptchaAnswer, now: datetime | None = None) -> bool:
    """Whether its rater may still change or undo this rating (as selectors.has_undoable_rating counts)."""
    return (now or timezone.now()) <= changeable_until(rating)


def _check_changeable(rating: Rating | CaptchaAnswer) -> None:
    if is_changeable(rating):
        return
    minutes = settings.RATING_UNDO_MINUTES
    saved = f"this one was saved {saved_ago(rating.created_at)}"
    if minutes == 0:
        raise TooLateToChange(f"Ratings are final once they are saved; {saved}.")
    raise TooLateToChange(
        f"Ratings can be changed or undone for {minutes} minute{'s' if minutes != 1 else ''} "
        f"after they are saved; {saved}."
    )


def _lock_rating(rater: Rater, rating_id: int | None, *, missing: str) -> tuple[Image, Rating]:
    """The rater's rating (their latest when rating_id is None) and its image, both locked, or RatingNotFound.

    Call inside a transaction. Locks the image row first, as rate_image's claim does, then the rating.
    """
    ratings = Rating.objects.filter(rater=rater)
    chosen = ratings.filter(pk=rating_id) if rating_id is not None else ratings.order_by("-created_at", "-id")
    found = chosen.values_list("pk", "image_id").first()
    if found is None:
        raise RatingNotFound(missing)
    rating_pk, image_pk = found
    image = Image.objects.select_for_update(of=("self",)).select_related("dataset").get(pk=image_pk)
    stored = ratings.select_for_update().filter(pk=rating_pk).first()
    if stored is None:  # undone meanwhile
        raise RatingNotFound(missing)
    stored.image = image
    return image, stored


def undo_rating(*, rater: Rater, rating_id: int | None = None) -> UndoneRating:
    """Delete one of the rater's ratings (their latest when rating_id is None) within RATING_UNDO_MINUTES.

    In one transaction: the image's counters drop by exactly what the rating added, the image
    returns to the queue if it wants ratings again, and the ledger follows (kudos.services.cancel_reward:
    an unpaid reward is cancelled, a paid one stays and is not earned again). Deleting a rating from
    the history page is this too. Raises RatingNotFound (404) or TooLateToChange (403).

    The rater's latest (rating_id None) may be a passed check's answer, which looks like any rating and is
    undone like one (`_undo_passed_check`).
    """
    missing = "Nothing to undo: that rating is not one of yours, or it was already undone."
    if rating_id is None:
        missing = "Nothing to undo: you have no ratings to undo."
    with transaction.atomic():
        lock_rater(rater)  # first, as rate_image does: the rater's counters follow (`count_on_rater`)
        if rating_id is None:
            undone = _undo_passed_check(rater)
            if undone is not None:
                return undone
        image, stored = _lock_rating(rater, rating_id, missing=missing)
        _check_changeable(stored)
        if stored.counts:  # a rating that does not count is not in the counters
            rated = 0 if stored.artifacts is None else 1
            Image.objects.filter(pk=image.pk).update(
                ratings_count=F("ratings_count") - 1,
                rating_sum=F("rating_sum") - stored.rating,
                artifacts_count=F("artifacts_count") - rated,
                artifacts_sum=F("artifacts_sum") - (stored.artifacts or 0),
            )
            image.ratings_count -= 1
            image.rating_sum -= stored.rating
            image.artifacts_count -= rated
            image.artifacts_sum -= stored.artifacts or 0
        reward = cancel_reward(stored)
        stored.delete()
        count_on_rater(rater, stored.created_at, -1)
        refresh_queue(Image.objects.filter(pk=image.pk))
    return UndoneRating(image=image, rating=stored.rating, artifacts=stored.artifacts, reward=reward)


def _undo_passed_check(rater: Rater) -> UndoneRating | None:
    """Undo the rater's passed check answer when it is their latest "rating" (newer than their latest rating), as
    a rating is undone: within RATING_UNDO_MINUTES (else TooLateToChange), its unpaid ledger line cancelled, a
    line already sending, paid or failed kept (answering the check again earns nothing more), the answer deleted
    so the check can be answered again. None when their latest is a rating (or they have neither).

    Call inside the undo's transaction, under the rater's lock (`lock_rater`); locks the answer and its line.
    """
    answers = CaptchaAnswer.objects.filter(rater=rater, passed=True)
    latest_rating_at = (
        Rating.objects.filter(rater=rater).order_by("-created_at", "-id").values_list("created_at", flat=True).first()
    )
    if latest_rating_at is not None:
        answers = answers.filter(created_at__gt=latest_rating_at)
    answer = answers.select_for_update().order_by("-created_at", "-id").first()
    if answer is None:
        return None
    _check_changeable(answer)
    reward = cancel_passed_check_reward(rater=rater, image_id=answer.image_id)
    answer.delete()
    count_on_rater(rater, answer.created_at, -1)
    image = Image.objects.select_related("dataset").get(pk=answer.image_id)
    return UndoneRating(image=image, rating=answer.answer, artifacts=answer.artifacts, reward=reward)


# The rater's counters (Rater.ratings_total, ratings_today of ratings_day: the header of every page) --------------
# Kept here, where ratings and passed checks are stored and undone, so that no page counts a rater's history. Both
# count every rating and passed check the rater stored, whether it counts or not: an invalidation, a ban or the
# Horde's flag changes which ratings count (ratings.counting), never these figures.


def count_on_rater(rater: Rater, created_at: datetime, step: int) -> None:
    """Add (`step` +1) or take away (-1) one rating stored at `created_at` in the rater's counters, in the database
    and on `rater`. Call under the rater's lock (`lock_rater`, which read the counters into `rater`). An addition is
    always of now; a removal takes one from `ratings_today` only when the rating is of the day it counts."""
    day = timezone.localdate(created_at)
    if step > 0:
        # Raw SQL, written once: building the ORM's Case/When cost about 0.4 ms of Python on every rating (issue 24).
        day_value = connection.ops.adapt_datefield_value(day)
        with connection.cursor() as cursor:
            cursor.execute(_count_one_more_statement(connection.vendor), [day_value, day_value, rater.pk])
        rater.ratings_total += 1
        rater.ratings_today = rater.ratings_on(day) + 1
        rater.ratings_day = day
        return
    Rater.objects.filter(pk=rater.pk).update(  # never below 0, whatever was stored around this rule (a fixture)
        ratings_total=Case(
            When(ratings_total__gt=0, then=F("ratings_total") - 1),
            default=Value(0),
            output_field=PositiveIntegerField(),
        ),
        ratings_today=Case(
            When(ratings_day=day, ratings_today__gt=0, then=F("ratings_today") - 1),
            default=F("ratings_today"),
            output_field=PositiveIntegerField(),
        ),
    )
    rater.ratings_total = max(rater.ratings_total - 1, 0)
    if rater.ratings_day == day:
        rater.ratings_today = max(rater.ratings_today - 1, 0)


@cache
def _count_one_more_statement(vendor: str) -> str:
    """One more rating in the rater's counters: ratings_today starts again at 1 on another day than ratings_day."""
    total, today, day, pk = (
        quote(Rater._meta.get_field(name).column) for name in ("ratings_total", "ratings_today", "ratings_day", "id")
    )
    return (
        f"UPDATE {quote(Rater._meta.db_table)} SET {total} = {total} + 1, "
        f"{today} = CASE WHEN {day} = %s THEN {today} + 1 ELSE 1 END, {day} = %s WHERE {pk} = %s"
    )


def recount_rater_counters(rater: Rater) -> None:
    """Set the rater's counters from the ratings and passed checks stored (two counts): for a rating put back at its
    own time (ratings.restore), which may be another day than the one it was counted on."""
    start_of_day = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    total = today = 0
    for kind in (Rating.objects.filter(rater=rater), CaptchaAnswer.objects.filter(rater=rater, passed=True)):
        found = kind.aggregate(today=Count("pk", filter=Q(created_at__gte=start_of_day)), total=Count("pk"))
        total += found["total"]
        today += found["today"]
    rater.ratings_total, rater.ratings_today, rater.ratings_day = total, today, timezone.localdate()
    Rater.objects.filter(pk=rater.pk).update(ratings_total=total, ratings_today=today, ratings_day=rater.ratings_day)


def change_rating(*, rater: Rater, rating_id: int, rating: object, artifacts: object = None) -> Rating:
    """Change one of the rater's ratings within RATING_UNDO_MINUTES; the image's sums follow exactly.

    Input as rate_image takes it (InvalidRating, 400, when malformed). The rating keeps its time
    (the window is not extended) and its reward (the kudos rule does not depend on the score).
    Raises RatingNotFound (404) or TooLateToChange (403).
    """
    score, artifacts_score = parse_scores(rating, artifacts)
    with transaction.atomic():
        image, stored = _lock_rating(rater, rating_id, missing="That rating is not one of yours, or it was undone.")
        _check_changeable(stored)
        rating_change = score - stored.rating
        count_change = (0 if artifacts_score is None else 1) - (0 if stored.artifacts is None else 1)
        sum_change = (artifacts_score or 0) - (stored.artifacts or 0)
        if stored.counts:  # a rating that does not count is not in the counters
            Image.objects.filter(pk=image.pk).update(
                rating_sum=F("rating_sum") + rating_change,
                artifacts_count=F("artifacts_count") + count_change,
                artifacts_sum=F("artifacts_sum") + sum_change,
            )
            image.rating_sum += rating_change
            image.artifacts_count += count_change
            image.artifacts_sum += sum_change
        stored.rating, stored.artifacts = score, artifacts_score
        stored.save(update_fields=["rating", "artifacts"])  # saved, not updated: post_save tells the apps above
    return stored


def pause_for_missed_checks(rater: Rater) -> datetime | None:
    """After a missed check on any page (a check image rated wrong, skipped or reported; a best-of check not
    picked, bestof.checks): pause the rater once their misses in 24 hours (`missed_checks`: the same counter for
    every kind of check) reach CAPTCHA_FAILS_TIMEOUT, for CAPTCHA_PAUSE_MINUTES, with the same reason. Returns when
    the pause ends (its reason is then `rater.pause_reason`), or None. Call under the rater's lock, after storing
    the miss."""
    fails = missed_checks(rater)
    if fails < settings.CAPTCHA_FAILS_TIMEOUT:
        return None
    reason = f"You missed {fails} check images in the last 24 hours, so rating is paused for a while."
    return pause(rater, seconds=settings.CAPTCHA_PAUSE_MINUTES * 60, reason=reason)
