"""The kudos rule and the payment of the ledger. Pages, API and tasks call these."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Case, F, Max, Q, Sum, When
from django.template.defaultfilters import pluralize
from django.utils import timezone

from ratings_site.horde.client import HordeRejected, HordeTimeout, HordeUnavailable, award_kudos
from ratings_site.kudos.models import KudosReward
from ratings_site.raters.models import Rater
from ratings_site.ratings.models import Rating

logger = logging.getLogger(__name__)


def payments_enabled() -> bool:
    return bool(settings.HORDE_SERVICE_API_KEY)


def kudos_for_rating(rater: Rater) -> int:
    """The kudos rule for a rating of a dataset image (captcha answers never get here)."""
    if not rater.earns_kudos or rater.flagged:
        return 0
    return settings.KUDOS_PER_RATING


def record_reward(rating: Rating) -> KudosReward | None:
    """Write the ledger line for a new rating; schedule its payment after commit.

    Runs inside the rating's transaction. A rater earns kudos for an image once: when they
    already have a line for this image (one that was sending, paid or failed when they undid
    their rating of it; an undone pending line was deleted), that line is moved onto the new
    rating and no new line is written, so undoing and rating again never earns twice (the
    constraint `reward_once_per_rater_image` holds it in the database too). Returns the new
    line, or None when nothing new was earned.
    """
    # One query answers both questions: a line for this image already (it sorts first), and other pending lines.
    this_image = Q(image_id=rating.image_id)
    first = (
        KudosReward.objects.filter(this_image | Q(status=KudosReward.Status.PENDING), rater_id=rating.rater_id)
        .order_by(Case(When(this_image, then=0), default=1))
        .values_list("pk", "image_id")
        .first()
    )
    if first is not None and first[1] == rating.image_id:
        KudosReward.objects.filter(pk=first[0], rating__isnull=True).update(rating=rating)
        return None
    amount = kudos_for_rating(rating.rater)
    if amount <= 0:
        return None
    others_pending = first is not None
    reward = KudosReward.objects.create(rater=rating.rater, rating=rating, image_id=rating.image_id, amount=amount)
    if not others_pending:
        # A payment is already scheduled for the other pending lines; it will take this one too.
        rater_id = rating.rater_id
        transaction.on_commit(lambda: schedule_payment(rater_id, delay_seconds=settings.KUDOS_BATCH_SECONDS))
    return reward


@dataclass(frozen=True)
class UndoneReward:
    """What became of a ledger line when its rating was undone."""

    amount: int
    status: str  # "cancelled" (it was pending and is gone), else the status of the line that stays

    @property
    def note(self) -> str:
        """For the rater, e.g. "its 5 kudos were cancelled"."""
        kudos = f"its {self.amount} kudos"
        if self.status == "cancelled":
            return f"{kudos} were cancelled"
        if self.status == KudosReward.Status.PAID:
            return f"{kudos} were already paid and stay yours"
        if self.status == KudosReward.Status.SENDING:
            return f"{kudos} are being paid and stay yours"
        return f"{kudos} stay on your ledger (their payment failed)"


def cancel_reward(rating: Rating) -> UndoneReward | None:
    """The ledger's half of undoing `rating` (called in the undo's transaction, before the rating is deleted).

    A pending line is cancelled: deleted, as if never earned. A line that is sending, paid or
    failed stays as it is (kudos are never clawed back); it loses its rating when the rating is
    deleted but keeps its image, so that rating the image again earns nothing (record_reward).
    The line is locked first: the payment task takes only lines it can lock (skip_locked), and a
    line it has already taken is read here, after its lock, as sending.
    """
    line = KudosReward.objects.select_for_update().filter(rating=rating).first()
    if line is None:
        return None
    if line.status == KudosReward.Status.PENDING:
        line.delete()
        return UndoneReward(amount=line.amount, status="cancelled")
    if line.image_id is None:  # a line written before lines named their image
        KudosReward.objects.filter(pk=line.pk).update(image_id=rating.image_id)
    return UndoneReward(amount=line.amount, status=line.status)


def schedule_payment(rater_id: int, *, delay_seconds: float = 0) -> None:
    from ratings_site.kudos.tasks import pay_rewards

    if not payments_enabled():
        return
    task = pay_rewards
    if delay_seconds:
        task = task.using(run_after=timezone.now() + timedelta(seconds=delay_seconds))
    task.enqueue(rater_id)


def retry_delay(attempts: int) -> float:
    """Exponential back-off: base, 2×base, 4×base … capped at an hour."""
    return min(settings.KUDOS_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0), 3600)


@dataclass(frozen=True)
class PaymentResult:
    paid: int = 0
    lines: int = 0
    status: str = "nothing to pay"
    retry_in: float | None = None


def pay_rewards_for(rater_id: int) -> PaymentResult:
    """Pay all of a rater's pending lines in one call to the Horde.

    Lines are marked `sending` in a committed transaction before the call, so two
    workers never send the same line, and a line whose call may have gone through is
    never sent again. When the Horde never acted on the call (unreachable, 5xx, 429)
    they return to pending and a retry is scheduled with back-off; when it was sent but
    no answer came in time they stay in `sending` for a moderator to check (the admin's
    "mark paid" / "send again"), as they do when this worker dies mid-call (`sending_since`
    tells, see `flag_stuck_payments`); on a refusal (e.g. "Target user is rejected") or after
    KUDOS_MAX_ATTEMPTS they are marked failed.
    """
    if not payments_enabled():
        return PaymentResult(status="payments are not configured")
    with transaction.atomic():
        lines = list(
            KudosReward.objects.select_for_update(skip_locked=True)
            .filter(rater_id=rater_id, status=KudosReward.Status.PENDING)
            .order_by("id")
        )
        if not lines:
            return PaymentResult()
        ids = [line.pk for line in lines]
        KudosReward.objects.filter(pk__in=ids).update(
            status=KudosReward.Status.SENDING, attempts=F("attempts") + 1, sending_since=timezone.now()
        )
        rater = Rater.objects.get(pk=rater_id)
    total = sum(line.amount for line in lines)
    sending = KudosReward.objects.filter(pk__in=ids, status=KudosReward.Status.SENDING)
    try:
        award_kudos(username=rater.username, amount=total)
    except HordeTimeout:
        # The award may have gone through: never send it again automatically (pay at most once).
        sending.update(last_error="The Horde did not answer in time; it may have paid. A moderator checks it.")
        logger.warning("Kudos payment for rater %s timed out; lines %s left for review", rater_id, ids)
        return PaymentResult(lines=len(ids), status="unknown")
    except HordeUnavailable as exc:
        # The Horde never acted on it (not reachable, or an error answer): try again later.
        gave_up = sending.filter(attempts__gte=settings.KUDOS_MAX_ATTEMPTS).update(
            status=KudosReward.Status.FAILED, last_error=f"Gave up after {settings.KUDOS_MAX_ATTEMPTS} attempt{pluralize(settings.KUDOS_MAX_ATTEMPTS)}: {exc}"[:300]
        )
        retried = sending.update(status=KudosReward.Status.PENDING, last_error=str(exc)[:300], sending_since=None)
        if not retried:
            return PaymentResult(lines=gave_up, status="failed")
        attempts = max(line.attempts for line in lines) + 1
        delay = retry_delay(min(attempts, settings.KUDOS_MAX_ATTEMPTS))
        transaction.on_commit(lambda: schedule_payment(rater_id, delay_seconds=delay))
        logger.info("Kudos payment for rater %s failed (attempt %s); retrying in %ss", rater_id, attempts, delay)
        return PaymentResult(lines=len(ids), status="retrying", retry_in=delay)
    except HordeRejected as exc:
        sending.update(status=KudosReward.Status.FAILED, last_error=f"The Horde refused: {exc.message}"[:300])
        return PaymentResult(lines=len(ids), status="failed")
    sending.update(status=KudosReward.Status.PAID, paid_at=timezone.now(), last_error="")
    return PaymentResult(paid=total, lines=len(ids), status="paid")


def _stuck_reason(line: KudosReward) -> str:
    """Why a line left sending with no answer recorded waits for a moderator (for the admin and the command)."""
    since = f"since {line.sending_since:%Y-%m-%d %H:%M:%S %Z}" if line.sending_since else "since before starts were recorded"
    return (
        f"Sending {since} and no answer was recorded: the worker stopped mid-call, and the Horde may have paid. "
        "A moderator checks it."
    )


def flag_stuck_payments(*, now: datetime | None = None) -> list[KudosReward]:
    """Give every stuck line its reason, and return all lines that wait for a moderator, oldest first.

    A line stays `sending` with no reason when its worker died between sending the award and
    writing the answer (pay at most once: it is never sent again by itself). Once it has been
    sending longer than any live call can last (`stuck_sending_cutoff`), it is written a reason
    here, so the admin's list and its filter show why it waits; the rater already reads it as
    "being checked" (`KudosReward.waiting_for_moderator`). Called by `pay_pending_kudos` (cron)
    and when a moderator opens the ledger in the admin. Lines that already carry a reason keep it.
    """
    waiting = KudosReward.objects.waiting_for_moderator(now).select_related("rater").order_by("sending_since", "id")
    lines = list(waiting)
    for line in lines:
        if not line.last_error:
            line.last_error = _stuck_reason(line)[:300]
            # Only while it is still sending without a reason: a worker that answered meanwhile wins.
            KudosReward.objects.filter(pk=line.pk, status=KudosReward.Status.SENDING, last_error="").update(
                last_error=line.last_error
            )
    return lines


def ledger_totals(rater: Rater) -> dict[str, int]:
    """Kudos earned on this site by status: {"pending": n, "paid": n, "failed": n}."""
    totals = {"pending": 0, "paid": 0, "failed": 0}
    rows = KudosReward.objects.filter(rater=rater).values("status").annotate(total=Sum("amount"))
    for row in rows:
        key = "pending" if row["status"] == KudosReward.Status.SENDING else row["status"]
        totals[key] += row["total"] or 0
    return totals


def last_payment_at(rater: Rater) -> datetime | None:
    """When kudos were last paid to this rater (their Horde balance changed then), or None."""
    paid = KudosReward.objects.filter(rater=rater, status=KudosReward.Status.PAID)
    return paid.aggregate(last=Max("paid_at"))["last"]
