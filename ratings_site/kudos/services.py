"""The kudos rule and the ledger: what a rater is owed, and for what. Pages, API and tasks call these.

Paying the ledger is `kudos.payments` (run by the task `kudos.tasks.pay_rewards`); the lines written here
schedule that task after their transaction commits (`kudos.tasks.schedule_payment`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Case, Max, Model, Q, QuerySet, Sum, When
from django.utils import timezone

from ratings_site.compiled_queries import quote, quoted_column, quoted_table
from ratings_site.kudos.models import KudosReward
from ratings_site.kudos.tasks import schedule_payment
from ratings_site.raters.models import Rater
from ratings_site.raters.standing import earns_kudos

# The ledger sits below the apps whose rows it pays for (ratings, generations: they call it inside their own
# transactions), so it does not import their models; it reads a rating's `pk`, `rater` and `image_id`, and a
# generation set's `pk` and `request_id`.
Rating = Model  # a ratings.Rating
GenerationSet = Model  # a generations.GenerationSet


def _schedule_batch_after_commit(rater_id: int) -> None:
    """Schedule the batched payment of a rater's new pending line, KUDOS_BATCH_SECONDS after it is committed.

    Call only when the rater had no other pending line: those already have a payment scheduled, and it
    takes every pending line when it runs.
    """
    schedule_payment(rater_id, delay_seconds=settings.KUDOS_BATCH_SECONDS)


def kudos_for_rating(rater: Rater) -> int:
    """The kudos rule for a rating of a dataset image, and for a passed check image (a captcha answered right),
    which must earn as any rating does: a rater learns nothing from the reward about which images were checks."""
    if not earns_kudos(rater):
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
    return _record_image_reward(rating.rater, rating.image_id, rating=rating)


def record_passed_check_reward(*, rater: Rater, image_id: int) -> KudosReward | None:
    """Write the ledger line for a passed check image (a captcha answered right); schedule its payment after commit.

    The same rule and the same line as a rating's (`record_reward`): kind "rating", naming the check's image, so
    that the rater's ledger and the payment task treat it as any rating's; it has no `rating` (a check answer is
    a `ratings.CaptchaAnswer`, not a rating). Earned once per rater and image, as a rating's line is. Runs
    inside the answer's transaction, under the rater's lock.
    """
    return _record_image_reward(rater, image_id, rating=None)


def _record_image_reward(rater: Rater, image_id: int, *, rating: Rating | None) -> KudosReward | None:
    amount = kudos_for_rating(rater)
    if amount > 0:
        # One statement writes the line unless the rater has one for this image already, and says whether the
        # rater has other pending lines (a payment is then scheduled already).
        reward = KudosReward(rater=rater, rating=rating, image_id=image_id, amount=amount)
        written = _insert_unless_earned(reward)
        if written is not None:
            reward.pk, others_pending = written
            reward._state.adding, reward._state.db = False, connection.alias
            if not others_pending:
                # Otherwise a payment is already scheduled for the other pending lines; it will take this one too.
                _schedule_batch_after_commit(rater.pk)
            return reward
    if rating is not None:  # a line for this image already (or nothing earned): it takes the new rating
        KudosReward.objects.filter(
            rater_id=rater.pk, kind=KudosReward.Kind.RATING, image_id=image_id, rating__isnull=True
        ).update(rating=rating)
    return None


def _insert_unless_earned(reward: KudosReward) -> tuple[int, bool] | None:
    """INSERT the rating line `reward` unless its rater has a rating line for its image already (None then); else
    its id, and whether the rater has other pending lines. Call under the rater's lock (the constraint
    `reward_once_per_rater_image` holds the rule in the database too).

    Raw SQL, compiled once per engine: the ORM needed a SELECT first (the earlier line, other pending lines) and
    then the INSERT, about 1 ms of Python on every rating (issue 24). The values are the model's own (its
    defaults, `created_at`), prepared for the database by each field as the ORM's INSERT prepares them."""
    fields = [field for field in KudosReward._meta.concrete_fields if not field.primary_key]
    values = [field.get_db_prep_save(field.pre_save(reward, add=True), connection) for field in fields]
    sql = _insert_unless_earned_statement(connection.vendor, tuple(field.column for field in fields))
    with connection.cursor() as cursor:
        rater_id, kinds, pending = reward.rater_id, KudosReward.Kind.RATING.value, KudosReward.Status.PENDING.value
        cursor.execute(sql, [*values, rater_id, reward.image_id, kinds, rater_id, pending])
        return cursor.fetchone()


@cache
def _insert_unless_earned_statement(vendor: str, columns: tuple[str, ...]) -> str:
    column = {name: quoted_column(KudosReward, name) for name in ("rater", "image", "kind", "status")}
    table, pk = quoted_table(KudosReward), quoted_column(KudosReward, "pk")
    return (
        f"INSERT INTO {table} ({', '.join(quote(name) for name in columns)}) "
        f"SELECT {', '.join(['%s'] * len(columns))} WHERE NOT EXISTS ("
        f"SELECT 1 FROM {table} earned WHERE earned.{column['rater']} = %s AND earned.{column['image']} = %s "
        f"AND earned.{column['kind']} = %s) "
        f"RETURNING {pk}, EXISTS (SELECT 1 FROM {table} other WHERE other.{column['rater']} = %s "
        f"AND other.{column['status']} = %s AND other.{pk} <> {table}.{pk})"
    )


def reward_for_image(*, rater: Rater, image_id: int) -> KudosReward | None:
    """The rater's ledger line for an image (a rating's or a passed check's), or None."""
    return KudosReward.objects.filter(rater=rater, kind=KudosReward.Kind.RATING, image_id=image_id).first()


def kudos_for_best_pick(rater: Rater) -> int:
    """The kudos rule for a pick of the best image of a dataset prompt group."""
    if not earns_kudos(rater):
        return 0
    return settings.KUDOS_PER_BEST_PICK


def _check_subject(subject: str) -> None:
    limit = KudosReward._meta.get_field("subject").max_length
    if not subject or len(subject) > limit:
        raise ValueError(f"A ledger line's subject must be 1 to {limit} characters, not {subject!r}.")


def record_best_pick_reward(
    *, rater: Rater, subject: str, reason: str = "Picking the best of a prompt group"
) -> KudosReward | None:
    """Write the ledger line for a best-of pick (`subject`: the prompt group); schedule its payment after commit.

    Runs inside the caller's transaction. Earned once per rater and prompt group: a second call for the same
    subject writes nothing and returns None (the constraint `reward_once_per_rater_subject` holds it in the
    database too), as does a rater who earns no kudos (`kudos_for_best_pick`). The payment is scheduled as
    `record_reward` schedules it: once, when the rater had no other pending line.
    """
    _check_subject(subject)
    this_pick = Q(kind=KudosReward.Kind.BEST_PICK, subject=subject)
    # One query answers both questions: a line for this pick already (it sorts first), and other pending lines.
    first = (
        KudosReward.objects.filter(this_pick | Q(status=KudosReward.Status.PENDING), rater_id=rater.pk)
        .order_by(Case(When(this_pick, then=0), default=1))
        .values_list("kind", "subject")
        .first()
    )
    if first == (KudosReward.Kind.BEST_PICK, subject):
        return None
    amount = kudos_for_best_pick(rater)
    if amount <= 0:
        return None
    try:
        with transaction.atomic():  # a savepoint: a parallel pick of the same group may have won
            reward = KudosReward.objects.create(
                rater=rater, kind=KudosReward.Kind.BEST_PICK, subject=subject, amount=amount, reason=reason[:100]
            )
    except IntegrityError:
        return None
    if first is None:
        _schedule_batch_after_commit(rater.pk)
    return reward


def record_horde_paid(*, rater: Rater | None, generation_set: GenerationSet, amount: int) -> KudosReward | None:
    """Write the ledger line for kudos the Horde itself paid for a rated generation set, for the rater's history.

    The line is born paid, with status `horde`: the payment task takes pending lines only, so it never pays
    it again. Idempotent per set (its request id is the line's subject): a second call returns the line the
    first wrote. Nothing is written, and None returned, when the Horde paid nothing or the set has no rater.
    """
    if rater is None or amount <= 0:
        return None
    subject = generation_set.request_id
    _check_subject(subject)
    lines = KudosReward.objects.filter(kind=KudosReward.Kind.GENERATION_SET, subject=subject)
    existing = lines.first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():  # a savepoint: the same set recorded in parallel may have won
            return KudosReward.objects.create(
                rater=rater,
                kind=KudosReward.Kind.GENERATION_SET,
                subject=subject,
                generation_set=generation_set,
                amount=amount,
                reason="Rating your generations (paid by the Horde)",
                status=KudosReward.Status.HORDE,
                paid_at=timezone.now(),
            )
    except IntegrityError:
        return lines.first()


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
    if line.image_id is None and line.status != KudosReward.Status.PENDING:  # written before lines named their image
        KudosReward.objects.filter(pk=line.pk).update(image_id=rating.image_id)
    return _cancel_if_pending(line)


def cancel_passed_check_reward(*, rater: Rater, image_id: int) -> UndoneReward | None:
    """The ledger's half of undoing a passed check's answer: `cancel_reward` for its line (which names the image,
    having no rating). A pending line is cancelled; any other stays, so that answering again earns nothing."""
    line = (
        KudosReward.objects.select_for_update()
        .filter(rater=rater, kind=KudosReward.Kind.RATING, image_id=image_id, rating__isnull=True)
        .first()
    )
    return None if line is None else _cancel_if_pending(line)


def _cancel_if_pending(line: KudosReward) -> UndoneReward:
    if line.status == KudosReward.Status.PENDING:
        line.delete()
        return UndoneReward(amount=line.amount, status="cancelled")
    return UndoneReward(amount=line.amount, status=line.status)


def ledger_totals(rater: Rater, *, horde_apart: bool = False) -> dict[str, int]:
    """Kudos earned on this site by status: {"pending": n, "paid": n, "failed": n, "cancelled": n}.

    Lines being sent count as pending; lines the Horde paid itself count as paid, and with `horde_apart`
    the part of "paid" the Horde paid is given too, as "horde". Lines a moderator cancelled are earned no more:
    apart, as "cancelled". One query.
    """
    totals = {"pending": 0, "paid": 0, "failed": 0, "cancelled": 0}
    horde = 0
    counted_as = {KudosReward.Status.SENDING: "pending", KudosReward.Status.HORDE: "paid"}
    rows = KudosReward.objects.filter(rater=rater).values("status").annotate(total=Sum("amount"))
    for row in rows:
        totals[counted_as.get(row["status"], row["status"])] += row["total"] or 0
        if row["status"] == KudosReward.Status.HORDE:
            horde += row["total"] or 0
    if horde_apart:
        totals["horde"] = horde
    return totals


def last_payment_at(rater: Rater) -> datetime | None:
    """When kudos were last paid to this rater, by us or by the Horde (their Horde balance changed then), or None."""
    paid = KudosReward.objects.filter(rater=rater, status__in=[KudosReward.Status.PAID, KudosReward.Status.HORDE])
    return paid.aggregate(last=Max("paid_at"))["last"]


def cancel_unpaid(lines: QuerySet[KudosReward]) -> list[int]:
    """A moderator's act: the pending lines among `lines` become cancelled (never paid while so); the ids of the
    lines cancelled, for `reinstate` to undo exactly. Lines already sending, paid or failed stay as they are."""
    with transaction.atomic():
        ids = list(lines.filter(status=KudosReward.Status.PENDING).select_for_update().values_list("pk", flat=True))
        KudosReward.objects.filter(pk__in=ids).update(status=KudosReward.Status.CANCELLED)
    return ids


def reinstate(line_ids: list[int]) -> list[int]:
    """Undo `cancel_unpaid`: these cancelled lines are pending again, and their raters' payments scheduled."""
    with transaction.atomic():
        lines = KudosReward.objects.filter(pk__in=line_ids, status=KudosReward.Status.CANCELLED)
        ids = list(lines.select_for_update().values_list("pk", flat=True))
        raters = set(KudosReward.objects.filter(pk__in=ids).values_list("rater_id", flat=True))
        KudosReward.objects.filter(pk__in=ids).update(status=KudosReward.Status.PENDING)
        for rater_id in raters:
            _schedule_batch_after_commit(rater_id)
    return ids
