"""Paying the ledger: one call to the Horde for a rater's pending lines, and the lines that wait for a moderator.

The payment task (`kudos.tasks.pay_rewards`) runs `pay_rewards_for` and schedules the retry it asks for; this
module schedules nothing and imports neither the tasks nor the ledger services, so that no module imports one
that imports it back (tasks -> payments; services -> tasks).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.template.defaultfilters import pluralize
from django.utils import timezone

from ratings_site.background import backoff_seconds
from ratings_site.horde.client import HordeRejected, HordeTimeout, HordeUnavailable, award_kudos
from ratings_site.kudos.models import KudosReward
from ratings_site.raters.models import Rater

logger = logging.getLogger(__name__)


def payments_enabled() -> bool:
    return bool(settings.HORDE_SERVICE_API_KEY)


def retry_delay(attempts: int) -> float:
    """The site's one back-off on KUDOS_RETRY_BASE_SECONDS: base, 2×base, 4×base … capped at an hour."""
    return backoff_seconds(attempts, settings.KUDOS_RETRY_BASE_SECONDS)


@dataclass(frozen=True)
class PaymentResult:
    paid: int = 0
    lines: int = 0
    status: str = "nothing to pay"
    # Seconds until the payment should be tried again (the Horde never acted on this call); None: no retry.
    retry_in: float | None = None


def pay_rewards_for(rater_id: int) -> PaymentResult:
    """Pay all of a rater's pending lines in one call to the Horde.

    Lines are marked `sending` in a committed transaction before the call, so two
    workers never send the same line, and a line whose call may have gone through is
    never sent again. When the Horde never acted on the call (unreachable, 5xx, 429)
    they return to pending and the result asks for a retry with back-off (`retry_in`, which
    the payment task schedules); when it was sent but no answer came in time they stay in
    `sending` for a moderator to check (the admin's "mark paid" / "send again"), as they do when
    this worker dies mid-call (`sending_since` tells, see `flag_stuck_payments`); on a refusal
    (e.g. "Target user is rejected") or after KUDOS_MAX_ATTEMPTS they are marked failed.
    Only pending lines are taken: a line the Horde paid itself (status `horde`) is never sent.
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
            status=KudosReward.Status.FAILED,
            last_error=(
                f"Gave up after {settings.KUDOS_MAX_ATTEMPTS} attempt{pluralize(settings.KUDOS_MAX_ATTEMPTS)}: {exc}"
            )[:300],
        )
        retried = sending.update(status=KudosReward.Status.PENDING, last_error=str(exc)[:300], sending_since=None)
        if not retried:
            return PaymentResult(lines=gave_up, status="failed")
        attempts = max(line.attempts for line in lines) + 1
        delay = retry_delay(min(attempts, settings.KUDOS_MAX_ATTEMPTS))
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
