"""Rating a dataset image: the rules, in one place, for the pages, the API and commands.

`rate_image` validates, refuses duplicates, stores, bumps the image's counters,
judges captchas, applies pauses and writes the kudos ledger, in one transaction.
Errors are `RatingRefused` subclasses carrying a message for people and an HTTP
status for views (clients treat 403 as "skip to the next image", 429 as "wait").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.formats import date_format

from ratings_site.datasets.models import Image, QueueEntry
from ratings_site.datasets.services import queue_condition, refresh_queue
from ratings_site.kudos.services import record_reward
from ratings_site.raters.models import Rater
from ratings_site.ratings.models import CaptchaAnswer, Rating, Skip

RATING_LABELS = {
    1: "Terrible",
    2: "Very bad",
    3: "Bad",
    4: "Poor",
    5: "Mediocre",
    6: "Decent",
    7: "Good",
    8: "Great",
    9: "Excellent",
    10: "Masterpiece",
}
ARTIFACTS_LABELS = {
    0: "Flawless",
    1: "Small, hardly noticeable flaws",
    2: "Easily spotted flaws that do not harm the aesthetic",
    3: "Obviously wrong, mildly harmful",
    4: "Obviously wrong, significantly harmful",
    5: "Garbage",
}
ARTIFACTS_SHORT = {0: "Flawless", 1: "Tiny flaws", 2: "Minor flaws", 3: "Mildly harmful", 4: "Harmful", 5: "Garbage"}


class RatingRefused(Exception):
    status = 400

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class InvalidRating(RatingRefused):
    status = 400


class ImageUnavailable(RatingRefused):
    status = 404


class ImageFull(RatingRefused):
    status = 403


class RaterNotAllowed(RatingRefused):
    status = 403


class RatingPaused(RatingRefused):
    status = 429

    def __init__(self, message: str, until: datetime):
        super().__init__(message)
        self.until = until


@dataclass(frozen=True)
class RatingOutcome:
    image: Image
    reward: int = 0
    duplicate: bool = False
    captcha: bool = False
    captcha_passed: bool | None = None
    paused_until: datetime | None = None
    message: str = ""


def parse_score(value: object, *, name: str, low: int, high: int, required: bool) -> int | None:
    """An integer score within [low, high] from form or JSON input, or InvalidRating."""
    if value is None or (isinstance(value, str) and value.strip() == ""):
        if required:
            raise InvalidRating(f"Choose a {name} from {low} to {high}.")
        return None
    if isinstance(value, bool):
        raise InvalidRating(f"The {name} must be a whole number from {low} to {high}.")
    try:
        number = int(value) if not isinstance(value, float) or value.is_integer() else None
    except (TypeError, ValueError):
        number = None
    if number is None:
        raise InvalidRating(f"The {name} must be a whole number from {low} to {high}, not {str(value)[:20]!r}.")
    if not low <= number <= high:
        raise InvalidRating(f"The {name} must be from {low} to {high}, not {number}.")
    return number


def _time(moment: datetime) -> str:
    return date_format(timezone.localtime(moment), "H:i:s") + " UTC"


def check_may_rate(rater: Rater) -> None:
    """Raise when this rater may not rate now (a pause, or a shared account)."""
    if rater.horde_id is None:
        raise RaterNotAllowed("Log in with your Horde API key to rate.")
    pause = rater.active_pause()
    if pause:
        until, reason = pause
        raise RatingPaused(f"{reason} You can rate again at {_time(until)}.", until)


def _pause(rater: Rater, *, seconds: float, reason: str) -> datetime:
    until = timezone.now() + timedelta(seconds=seconds)
    Rater.objects.filter(pk=rater.pk).update(paused_until=until, pause_reason=reason)
    rater.paused_until, rater.pause_reason = until, reason
    return until


def _check_flood(rater: Rater) -> None:
    since = timezone.now() - timedelta(minutes=1)
    recent = Rating.objects.filter(rater=rater, created_at__gte=since).count()
    if recent >= settings.RATINGS_PER_MINUTE_MAX:
        reason = (
            f"You rated {recent} images in the last minute; the limit is {settings.RATINGS_PER_MINUTE_MAX}. "
            "Take a short break and look at each image properly."
        )
        until = _pause(rater, seconds=settings.FLOOD_PAUSE_SECONDS, reason=reason)
        raise RatingPaused(f"{reason} You can rate again at {_time(until)}.", until)


def rate_image(
    *,
    rater: Rater,
    image: Image,
    rating: object,
    artifacts: object = None,
    client_agent: str = "",
) -> RatingOutcome:
    """Store one rater's rating of one image, or raise RatingRefused.

    Idempotent: the same rating sent twice (a double click, a retry) stores one
    rating and one ledger line, and answers as the first did.
    """
    score = parse_score(rating, name="rating", low=1, high=10, required=True)
    artifacts_score = parse_score(artifacts, name="artifacts rating", low=0, high=5, required=False)
    if image.hidden or image.broken or not (image.is_captcha or image.dataset.public):
        raise ImageUnavailable("This image is no longer being rated.")

    existing = _existing_outcome(rater, image)
    if existing is not None:
        return existing
    check_may_rate(rater)
    if image.is_captcha:
        return _answer_captcha(rater, image, score)
    _check_flood(rater)

    wanted = settings.RATINGS_PER_IMAGE
    try:
        with transaction.atomic():
            # A conditional UPDATE claims a slot atomically: two raters racing for
            # the last slot can't both pass, on SQLite or PostgreSQL.
            claimed = Image.objects.filter(queue_condition(wanted), pk=image.pk).update(
                ratings_count=F("ratings_count") + 1,
                rating_sum=F("rating_sum") + score,
                artifacts_count=F("artifacts_count") + (0 if artifacts_score is None else 1),
                artifacts_sum=F("artifacts_sum") + (artifacts_score or 0),
            )
            if not claimed:
                raise ImageFull("This image already has all the ratings it needs. Here is another one.")
            # The last wanted rating takes the image out of the queue (the row lock the claim
            # holds orders this after any other claim of the same image).
            QueueEntry.objects.filter(image_id=image.pk, image__ratings_count__gte=wanted).delete()
            stored = Rating.objects.create(
                rater=rater, image=image, rating=score, artifacts=artifacts_score, client_agent=client_agent[:200]
            )
            reward = record_reward(stored)
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
    return RatingOutcome(image=image, reward=reward.amount if reward else 0)


def _existing_outcome(rater: Rater, image: Image) -> RatingOutcome | None:
    if image.is_captcha:
        answer = CaptchaAnswer.objects.filter(rater=rater, image=image).first()
        if answer is None:
            return None
        return RatingOutcome(image=image, duplicate=True, captcha=True, captcha_passed=answer.passed)
    stored = Rating.objects.filter(rater=rater, image=image).select_related("reward").first()
    if stored is None:
        return None
    reward = getattr(stored, "reward", None)
    return RatingOutcome(image=image, reward=reward.amount if reward else 0, duplicate=True)


def _answer_captcha(rater: Rater, image: Image, answer: int) -> RatingOutcome:
    passed = answer == image.captcha_answer
    try:
        with transaction.atomic():
            CaptchaAnswer.objects.create(rater=rater, image=image, answer=answer, passed=passed)
    except IntegrityError:
        return _existing_outcome(rater, image) or RatingOutcome(image=image, captcha=True)
    if passed:
        return RatingOutcome(image=image, captcha=True, captcha_passed=True)
    since = timezone.now() - timedelta(hours=24)
    fails = CaptchaAnswer.objects.filter(rater=rater, passed=False, created_at__gte=since).count()
    message = (
        f"That image was a check: it asked you to rate it a {image.captcha_answer}. "
        "Please look at every image before rating it."
    )
    if fails >= settings.CAPTCHA_FAILS_TIMEOUT:
        reason = f"You missed {fails} check images in the last 24 hours, so rating is paused for a while."
        until = _pause(rater, seconds=settings.CAPTCHA_PAUSE_MINUTES * 60, reason=reason)
        return RatingOutcome(
            image=image,
            captcha=True,
            captcha_passed=False,
            paused_until=until,
            message=f"{message} {reason} You can rate again at {_time(until)}.",
        )
    return RatingOutcome(image=image, captcha=True, captcha_passed=False, message=message)


def skip_image(*, rater: Rater, image: Image, reason: str = Skip.Reason.SKIPPED, note: str = "") -> Skip:
    """Take an image out of this rater's queue; a report (any reason but skipped) also feeds moderation."""
    if reason not in Skip.Reason.values:
        raise InvalidRating("Choose a reason for the report: broken, NSFW, watermark or other.")
    with transaction.atomic():
        skip, created = Skip.objects.get_or_create(
            rater=rater, image=image, defaults={"reason": reason, "note": note[:500]}
        )
        if created and skip.is_report:
            Image.objects.filter(pk=image.pk).update(reports_count=F("reports_count") + 1)
    return skip
