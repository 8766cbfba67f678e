"""Recording a set's rating: the writes, in one transaction, for the page, the client API and the intake.

Callers first apply the best-of rule (`rules.validate_set_rating`, with the set's non-faulted ids), then
call `record_set_rating`. Idempotent per request id: a set is rated once; recording it again (a double
submit, the Horde's forward of a set our page is submitting) stores nothing more and answers as the first
record did, with `duplicate` set, so that the intake can tell "already rated" (its 403) apart.

Our own page (and later the client API) goes through `submit_set_rating`: may-rate, the rule, the record,
then the forward to the Horde's `generate/rate` by the task `send_pending_set` (`send_set_rating`), never
within the rater's request.
`record_set_from_status` stores a set the site learnt of from the Horde's `generate/status`, owned by nobody:
opening a page claims nothing. Whose set it is, the Horde's forward says (`intake.take_horde_set`); the ledger
shows the kudos the Horde paid only to the rater that forward named (`owner_known`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from ratings_site.background import backoff_seconds, enqueue_after_commit
from ratings_site.generations.copies import schedule_copies
from ratings_site.generations.models import GenerationImage, GenerationRating, GenerationSet, Preference, Source
from ratings_site.generations.rules import ImageRating, SetRatingRefused, ValidSetRating, validate_set_rating
from ratings_site.horde.client import (
    Generation,
    GenerationStatus,
    HordeRejected,
    HordeTimeout,
    HordeUnavailable,
    RequestNotFound,
    rate_generation,
)
from ratings_site.kudos.services import record_horde_paid
from ratings_site.raters.models import Rater
from ratings_site.ratings.limits import check_may_rate, lock_rater, pause_if_flooding

logger = logging.getLogger(__name__)


class NotYourSet(SetRatingRefused):
    code = "not_your_set"
    status = 403


@dataclass(frozen=True)
class SetRatingOutcome:
    """What a set's rating stored (or, with `duplicate`, what the first record stored)."""

    generation_set: GenerationSet
    ratings: tuple[ImageRating, ...]
    best: str | None
    best_none: bool
    preferences: int
    duplicate: bool = False


def record_set_rating(
    *,
    generation_set: GenerationSet,
    rater: Rater | None,
    valid: ValidSetRating,
    source: str,
    client_agent: str = "",
) -> SetRatingOutcome:
    """Store a validated rating of a set: its image ratings, its best and the preferences the best implies.

    One transaction, under the set's row lock, so parallel records of one set are decided one at a time.
    A set owned by another rater is refused (NotYourSet, 403); a set without an owner becomes `rater`'s.
    """
    if source not in Source.values:
        raise ValueError(f"Unknown source {source!r}")
    try:
        with transaction.atomic():
            locked = GenerationSet.objects.select_for_update().get(pk=generation_set.pk)
            if locked.is_rated:
                return _existing_outcome(locked)
            if rater is not None and locked.rater_id is not None and locked.rater_id != rater.pk:
                raise NotYourSet("This generation set belongs to another rater.")
            images = {image.generation_id: image for image in locked.images.all()}
            for image_id in {r.id for r in valid.ratings} | {valid.best} - {None}:
                image = images.get(image_id)
                if image is None or image.faulted:
                    raise SetRatingRefused(f"Image {image_id} is not part of this set.")
            GenerationRating.objects.bulk_create(
                GenerationRating(image=images[r.id], rating=r.rating, artifacts=r.artifacts) for r in valid.ratings
            )
            pairs = [(w, lo) for w, lo in valid.preference_pairs() if lo in images and not images[lo].faulted]
            Preference.objects.bulk_create(
                Preference(
                    generation_set=locked,
                    winner=images[winner],
                    loser=images[loser],
                    rater=rater or locked.rater,
                    source=source,
                )
                for winner, loser in pairs
            )
            locked.best = images[valid.best] if valid.best else None
            locked.best_none = valid.best_none
            locked.best_picked = valid.best_picked and valid.best is not None
            locked.rated_at = timezone.now()
            locked.rated_via = source
            if locked.rater_id is None and rater is not None:
                locked.rater = rater
            if not locked.client_agent:
                locked.client_agent = client_agent[:200]
            locked.save(
                update_fields=[
                    "best", "best_none", "best_picked", "rated_at", "rated_via", "rater", "client_agent", "updated_at"
                ]
            )
    except IntegrityError:
        # A concurrent record of the same set won (a database without row locks); answer as it did.
        refreshed = GenerationSet.objects.get(pk=generation_set.pk)
        if not refreshed.is_rated:
            raise
        return _existing_outcome(refreshed)
    return SetRatingOutcome(
        generation_set=locked,
        ratings=valid.ratings,
        best=valid.best,
        best_none=valid.best_none,
        preferences=len(pairs),
    )


def _existing_outcome(generation_set: GenerationSet) -> SetRatingOutcome:
    stored = GenerationRating.objects.filter(image__generation_set=generation_set).select_related("image")
    ratings = tuple(
        ImageRating(id=r.image.generation_id, rating=r.rating, artifacts=r.artifacts)
        for r in stored.order_by("image__position", "image_id")
    )
    best = generation_set.best.generation_id if generation_set.best_id else None
    return SetRatingOutcome(
        generation_set=generation_set,
        ratings=ratings,
        best=best,
        best_none=generation_set.best_none,
        preferences=generation_set.preferences.count(),
        duplicate=True,
    )


# ---- a set from the Horde's generate/status ----------------------------------------------------------------


def record_set_from_status(*, status: GenerationStatus) -> GenerationSet:
    """Store the set the Horde's status answer describes (source "page"), with its images and no owner.

    Opening a set's page claims nothing: the status answer does not say whose request it is, so the set is
    nobody's until a rater's rating of it goes through (`submit_set_rating`) or the Horde's forward names its
    owner.

    Idempotent per request id: when the set exists already (a parallel page load, a client's registration,
    the Horde's intake), that row is returned untouched. Schedules the copy of its images after commit.
    """
    existing = GenerationSet.objects.filter(request_id=status.request_id).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            generation_set = GenerationSet.objects.create(
                request_id=status.request_id, rater=None, source=Source.PAGE
            )
            GenerationImage.objects.bulk_create(
                GenerationImage(
                    generation_set=generation_set,
                    generation_id=generation.id[:64],
                    position=position,
                    url=generation.img[:2000],
                    model=generation.model[:200],
                    seed=generation.seed[:64],
                    state=_image_state(generation),
                )
                for position, generation in enumerate(status.generations)
            )
    except IntegrityError:
        return GenerationSet.objects.get(request_id=status.request_id)
    _schedule_copies(generation_set.pk)
    return generation_set


def _image_state(generation: Generation) -> str:
    if generation.state == GenerationImage.State.FAULTED:
        return GenerationImage.State.FAULTED
    if generation.censored or generation.state == GenerationImage.State.CENSORED:
        return GenerationImage.State.CENSORED
    return GenerationImage.State.OK


def _schedule_copies(generation_set_id: int) -> None:
    """Copy the set's images into MEDIA_ROOT (the Horde's links expire), once the set is committed."""
    try:
        schedule_copies(generation_set_id)
    except Exception:  # a copy is never fatal to the page
        logger.exception("Could not schedule the image copies of generation set %s", generation_set_id)


# ---- submitting a rating of a set: record, then forward to the Horde's generate/rate -----------------------

# A claim on a set's forward older than this is a worker that died mid-call: the Horde may have acted on it.
SENDING_STALE_AFTER = timedelta(minutes=5)


class SetAlreadyRated(SetRatingRefused):
    """The set was rated before (a double submit, or the Horde's intake brought it): nothing more is sent."""

    code = "set_already_rated"
    status = 409


@dataclass(frozen=True)
class SubmissionOutcome:
    """What became of a rater's submission: `state` is the set's submission state after it.

    `sent`: the Horde accepted (`reward` kudos, None when unknown); `pending`: the Horde did not answer, the
    rating is kept and the retry task sends it; `refused`: the Horde said no (`message`, its words), nothing
    is kept; `busy`: someone else is sending it right now.
    """

    generation_set: GenerationSet
    state: str
    reward: int | None = None
    message: str = ""
    retry_in: float | None = None


def validate_rating_of(generation_set: GenerationSet, *, ratings: list[dict] | None, best: str | None) -> ValidSetRating:
    """The best-of rule applied to a rating of this set: only its images that came out fine may be rated or
    picked (a censored one is refused by name, as a faulted one is). Raises SetRatingRefused."""
    images = list(generation_set.images.all())
    censored = {image.generation_id for image in images if image.state == GenerationImage.State.CENSORED}
    for image_id in [entry.get("id") for entry in ratings or [] if isinstance(entry, dict)] + [best]:
        if isinstance(image_id, str) and image_id in censored:
            raise SetRatingRefused(f"Image {image_id} was censored by the Horde and cannot be rated.")
    return validate_set_rating(
        image_ids=[image.generation_id for image in images if image.state == GenerationImage.State.OK],
        ratings=ratings,
        best=best,
        faulted_ids={image.generation_id for image in images if image.faulted},
    )


def submit_set_rating(
    *,
    rater: Rater,
    generation_set: GenerationSet,
    ratings: list[dict] | None,
    best: str | None,
    client_agent: str,
    source: str = Source.PAGE,
) -> SubmissionOutcome:
    """Rate a set for its owner and forward the rating to the Horde, which pays the kudos.

    Refused before anything is stored or sent: a rater who may not rate now (RatingRefused: 403, 429), another
    rater's set (NotYourSet, 403), a set already rated (SetAlreadyRated, 409), and every refusal of the best-of
    rule (SetRatingRefused, 400). Otherwise the rating is recorded (`source`: "page", or "client" for the API)
    with the set marked pending, in one transaction; after it commits, the task `send_pending_set` sends it to
    `generate/rate` (`send_set_rating`) and retries while the Horde does not answer. The outcome is `pending`:
    the set's page shows what the Horde answered once it has. The rater's choices are kept in `submission_body`,
    so a refusal of the Horde can offer them again.
    """
    check_may_rate(rater)
    if generation_set.rater_id is not None and generation_set.rater_id != rater.pk:
        raise NotYourSet("This generation set belongs to another rater: only its owner may rate it.")
    valid = validate_rating_of(generation_set, ratings=ratings, best=best)
    with transaction.atomic():
        lock_rater(rater)
        check_may_rate(rater)
        outcome = record_set_rating(
            generation_set=generation_set, rater=rater, valid=valid, source=source, client_agent=client_agent
        )
        if outcome.duplicate:
            raise SetAlreadyRated("This set is rated already; nothing was sent again.")
        GenerationSet.objects.filter(pk=generation_set.pk).update(
            submission=GenerationSet.Submission.PENDING,
            submission_body=valid.horde_body(),
            submission_error="",
            submission_attempts=0,
            submission_uncertain=False,
            submission_sending_since=None,
            horde_reward=None,
            submitted_at=None,
        )
        pause_if_flooding(rater)
        # The send is the worker's (`tasks.send_pending_set`, enqueued once this commits), never the request's:
        # the page answers at once instead of waiting up to RATE_GENERATION_TIMEOUT on the Horde, and a Horde that
        # is slow or down costs the rater nothing. Its rules (claimed once, never sent twice) stay in send_set_rating.
        _schedule_retry(generation_set.pk, 0)
    generation_set.refresh_from_db()
    return SubmissionOutcome(generation_set=generation_set, state=generation_set.submission)


def retry_delay(attempts: int) -> float:
    """The site's one back-off on GENERATION_SUBMIT_RETRY_BASE_SECONDS, as for kudos payments: base, 2×base,
    4×base … capped at an hour."""
    return backoff_seconds(attempts, settings.GENERATION_SUBMIT_RETRY_BASE_SECONDS)


# The retry task, named by its path: the tasks module imports this one, never the other way round.
SEND_TASK = "ratings_site.generations.tasks.send_pending_set"


def _schedule_retry(generation_set_id: int, delay_seconds: float) -> None:
    enqueue_after_commit(SEND_TASK, generation_set_id, delay_seconds=delay_seconds)


def send_set_rating(generation_set_id: int, *, retry_rate_limited: bool = True) -> SubmissionOutcome:
    """Send a pending set's rating to the Horde's `generate/rate`, once: by the task `send_pending_set`, right
    after the page recorded it and again after the Horde was down.

    A conditional update claims the send (pending, nobody sending, or a claim gone stale), so two workers
    never send one set. Never sent again once the Horde may have accepted it: after a call that got no answer
    (`submission_uncertain`), the Horde's forward to our intake (`horde_intake_at`) or its "already rated"
    answer count as accepted, with the reward unknown. `retry_rate_limited`: a 429 waits for a retry (the
    worker's default) instead of refusing, telling the rater to try again in a minute.
    """
    now = timezone.now()
    pending = GenerationSet.objects.filter(pk=generation_set_id, submission=GenerationSet.Submission.PENDING)
    claim = {"submission_sending_since": now, "submission_attempts": F("submission_attempts") + 1}
    claimed = pending.filter(submission_sending_since__isnull=True).update(**claim)
    if not claimed:
        # A claim left by a worker that died mid-call: its call may have reached the Horde.
        stale = pending.filter(submission_sending_since__lt=now - SENDING_STALE_AFTER)
        claimed = stale.update(**claim, submission_uncertain=True)
    generation_set = GenerationSet.objects.get(pk=generation_set_id)
    if not claimed:
        state = "busy" if generation_set.submission == GenerationSet.Submission.PENDING else generation_set.submission
        return SubmissionOutcome(
            generation_set=generation_set, state=state, reward=generation_set.horde_reward,
            message=generation_set.submission_error,
        )
    if generation_set.submission_uncertain and generation_set.horde_intake_at is not None:
        return _accepted(generation_set_id, reward=None)
    body = generation_set.submission_body or {}
    try:
        reward = rate_generation(generation_set.request_id, ratings=body.get("ratings"), best=body.get("best"))
    except HordeTimeout as exc:
        return _not_answered(generation_set_id, str(exc), uncertain=True)
    except HordeUnavailable as exc:
        return _not_answered(generation_set_id, str(exc), uncertain=False)
    except HordeRejected as exc:
        already = exc.rc == "AestheticsAlreadyExist" or "already rated" in exc.message.lower()
        if generation_set.submission_uncertain and already:
            return _accepted(generation_set_id, reward=None)
        if exc.status == 429 and retry_rate_limited:
            return _not_answered(generation_set_id, _refusal_words(exc), uncertain=False)
        return _refused(generation_set_id, _refusal_words(exc))
    return _accepted(generation_set_id, reward=reward)


def _refusal_words(exc: HordeRejected) -> str:
    """The Horde's refusal in plain words for the rater (its own message, and what to do where we know)."""
    if isinstance(exc, RequestNotFound) or exc.status == 404:
        return (
            "The Horde no longer has this request (it keeps requests about 10 minutes after they finish), "
            "so it cannot take this rating."
        )
    if exc.status == 429:
        return "The Horde is getting too many ratings of this set right now: try again in a minute."
    return f"The Horde refused this rating: {exc.message}"


def _accepted(generation_set_id: int, *, reward: int | None) -> SubmissionOutcome:
    with transaction.atomic():
        locked = GenerationSet.objects.select_for_update().get(pk=generation_set_id)
        if locked.submission == GenerationSet.Submission.PENDING:
            locked.submission = GenerationSet.Submission.SENT
            locked.horde_reward = reward
            locked.submitted_at = timezone.now()
            locked.submission_error = ""
            locked.submission_sending_since = None
            locked.save(
                update_fields=[
                    "submission", "horde_reward", "submitted_at", "submission_error", "submission_sending_since",
                    "updated_at",
                ]
            )
            if reward and locked.owner_known:
                # The Horde paid the request's owner (generate/rate takes no key): the line goes to the rater the
                # Horde's forward named, never to whoever sent the rating.
                record_horde_paid(rater=locked.rater, generation_set=locked, amount=reward)
    return SubmissionOutcome(generation_set=locked, state=locked.submission, reward=locked.horde_reward)


def hand_to_the_hordes_owner(generation_set: GenerationSet, *, owner: Rater | None, message: str) -> None:
    """The Horde's forward of a rating our site is submitting names another user as the request's owner: take the
    submitter's rating back (its image ratings, preferences and best) and give the set to that owner.

    Called by the intake under the set's row lock, before it refuses the forward (so the Horde pays nothing). The
    submission becomes `not_owner` with `message`, which the sender (`send_set_rating`, waiting on the Horde) finds
    and shows; the submitter's choices are not kept, so the owner finds a clean form.
    """
    _take_back_the_rating(generation_set)
    generation_set.rater = owner
    generation_set.owner_known = owner is not None
    generation_set.submission = GenerationSet.Submission.NOT_OWNER
    generation_set.submission_error = message[:300]
    generation_set.submission_body = {}
    generation_set.submission_sending_since = None
    generation_set.save(
        update_fields=[
            *TAKEN_BACK_FIELDS, "rater", "owner_known", "submission", "submission_error", "submission_body",
            "submission_sending_since", "updated_at",
        ]
    )


# What `_take_back_the_rating` resets on the set's row, for its callers' save(update_fields=...).
TAKEN_BACK_FIELDS = ("best", "best_none", "best_picked", "rated_at", "rated_via")


def _take_back_the_rating(generation_set: GenerationSet) -> None:
    """Delete a set's recorded rating (its image ratings and preferences) and unset its best and rating time on the
    row in hand; the caller saves TAKEN_BACK_FIELDS with its own changes, under the set's row lock."""
    GenerationRating.objects.filter(image__generation_set=generation_set).delete()
    Preference.objects.filter(generation_set=generation_set).delete()
    generation_set.best = None
    generation_set.best_none = False
    generation_set.best_picked = False
    generation_set.rated_at = None
    generation_set.rated_via = ""


def _not_answered(generation_set_id: int, message: str, *, uncertain: bool) -> SubmissionOutcome:
    changes: dict = {"submission_sending_since": None, "submission_error": message[:300]}
    if uncertain:
        changes["submission_uncertain"] = True
    GenerationSet.objects.filter(pk=generation_set_id, submission=GenerationSet.Submission.PENDING).update(**changes)
    generation_set = GenerationSet.objects.get(pk=generation_set_id)
    return SubmissionOutcome(
        generation_set=generation_set,
        state=generation_set.submission,
        message=message,
        retry_in=retry_delay(generation_set.submission_attempts),
    )


def _refused(generation_set_id: int, message: str) -> SubmissionOutcome:
    """The Horde said no: take back the local record (its image ratings, preferences and best), keep the body."""
    with transaction.atomic():
        locked = GenerationSet.objects.select_for_update().get(pk=generation_set_id)
        if locked.submission == GenerationSet.Submission.PENDING:
            _take_back_the_rating(locked)
            locked.submission = GenerationSet.Submission.REFUSED
            locked.submission_error = message[:300]
            locked.submission_sending_since = None
            locked.save(
                update_fields=[*TAKEN_BACK_FIELDS, "submission", "submission_error", "submission_sending_since",
                               "updated_at"]
            )
    return SubmissionOutcome(generation_set=locked, state=locked.submission, message=locked.submission_error)
