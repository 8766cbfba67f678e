"""Best-of checks: the best-of page's check images, served in its normal flow and judged when answered. The one
place that decides them.

A best-of check is a check image that says "THIS IS THE BEST IMAGE / PICK IT" (datasets.captchas
`make_best_checks`, `BEST_CHECK`), named, sized and captioned like the images of the dataset it poses as.

Serving (`next_cards_for`, the page's cards: the one to show, then the one to preload)
- Each time the page draws its cards, with probability CAPTCHA_RATE one of them is a check group: the next real
  group's images with a best-of check put at a random place (one real image dropped at random when that would
  make more than MAX_GROUP_SIZE). The check is one this rater was never served and never answered, posing as
  this dataset's images when there are such, any other rather than none (a dataset without checks of its own
  must not be a way around them). A check group drawn as the upcoming card is preloaded like any other.
- A check group shown is recorded at once (`serve`): a `ratings.ServedImage`, which counts as a missed check once
  left unanswered for UNANSWERED_CHECK_GRACE (`ratings.services.missed_checks`, on every page), and a `CheckGroup`
  row with its images in their order. Until answered it is shown again first on this dataset's best-of page
  (`_pending`), so that a reload, another tab or leaving is no way past it.
- The page's markup of a check group is that of any group: only the images' own values differ. What tells the
  server it was a check group is the signed card (bestof.cards), which names the images shown.

Answering (`answer_check`, as `services.record_pick` reads: under the rater's lock, refused while paused,
idempotent)
- Picking the check passes: paid exactly as a pick is (KUDOS_PER_BEST_PICK, a best-of ledger line) and answered
  with the same "Saved: image N is best" text.
- Picking another image, "no clear winner", or skipping the group is a miss: stored as a `ratings.CaptchaAnswer`
  (not passed), counted with the rating page's misses, and CAPTCHA_FAILS_TIMEOUT of them in 24 hours pause the
  rater (`ratings.services.pause_for_missed_checks`, the same pause). The rater is told it was a check.
- The real group is not picked, skipped or paid by answering a check group: it stays in the rater's queue.
- The flood limit (ratings.limits.ratings_in_the_last_minute) counts a passed check as it counts a pick (its
  `CheckGroup` row) and a missed one as any answered check (its `CaptchaAnswer`).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from ratings_site.bestof.cards import SignedCard
from ratings_site.bestof.models import MAX_GROUP_SIZE, MIN_GROUP_SIZE, CheckGroup, PromptGroup, PromptGroupImage
from ratings_site.bestof.selectors import (
    SHOWN_IMAGE_FIELDS,
    GroupToPick,
    group_to_pick,
    images_read_for,
    may_be_shown,
    next_groups_for,
    queue_for,
)
from ratings_site.bestof.services import PickOutcome, check_looked_at, parse_winner
from ratings_site.datasets.captchas import BEST_CHECK
from ratings_site.datasets.models import Dataset, Image
from ratings_site.kudos import services as kudos
from ratings_site.kudos.models import KudosReward
from ratings_site.raters.models import Rater
from ratings_site.ratings.limits import check_may_rate, lock_rater, pause_if_flooding, paused_message
from ratings_site.ratings.models import CaptchaAnswer, ServedImage
from ratings_site.ratings.services import forget_served, pause_for_missed_checks, record_served

# Serving --------------------------------------------------------------------------------------------------------


def _checks_for(rater: Rater) -> QuerySet[Image]:
    """The best-of checks this rater may still be served: not hidden, never served to them, never answered."""
    shown = CheckGroup.objects.filter(rater=rater, check_image=OuterRef("pk"))
    served = ServedImage.objects.filter(rater=rater, image=OuterRef("pk"))
    answered = CaptchaAnswer.objects.filter(rater=rater, image=OuterRef("pk"))
    return Image.objects.filter(BEST_CHECK, hidden=False).filter(~Exists(shown), ~Exists(served), ~Exists(answered))


def draw_check(rater: Rater, dataset: Dataset) -> Image | None:
    """A best-of check for this rater: one posing as this dataset's images when there are such, else any."""
    pool = _checks_for(rater).only(*SHOWN_IMAGE_FIELDS)
    candidates = list(pool.filter(source__poses_as=dataset.pk).order_by("shuffle")[: settings.QUEUE_TOP_K])
    if not candidates:
        candidates = list(pool.order_by("shuffle")[: settings.QUEUE_TOP_K])
    return random.choice(candidates) if candidates else None


def with_check(shown: GroupToPick, check: Image) -> GroupToPick:
    """A check group: `shown`'s images with `check` at a random place, one of them dropped at random when the
    group would have more than MAX_GROUP_SIZE images."""
    images = list(shown.images)
    if len(images) >= MAX_GROUP_SIZE:
        images.pop(random.randrange(len(images)))
    images.insert(random.randrange(len(images) + 1), check)
    return GroupToPick(group=shown.group, images=images, check=check)


def _in_order(rater: Rater, group: PromptGroup, check: Image, keys: Sequence[object], field: str) -> GroupToPick:
    """A check group rebuilt from its images' keys (`field`: "pk" or "public_id") in their order: those that may
    still be shown to this rater (selectors.may_be_shown: their NSFW preference too), and the check."""
    found = {getattr(image, field): image for image in images_read_for(rater).filter(**{f"{field}__in": list(keys)})}
    images = [
        found[key] for key in keys if key in found and (found[key].pk == check.pk or may_be_shown(found[key], rater))
    ]
    return GroupToPick(group=group, images=images, check=check)


def _pending(rater: Rater, dataset: Dataset) -> CheckGroup | None:
    """The check group this rater was served on this dataset's page and has not answered, if any."""
    served = ServedImage.objects.filter(rater=rater, image=OuterRef("check_image"))
    return (
        CheckGroup.objects.filter(
            Exists(served), rater=rater, passed__isnull=True, group__dataset=dataset, check_image__hidden=False
        )
        .select_related("group", "check_image")
        .order_by("served_at")
        .first()
    )


def _upcoming_check_group(
    rater: Rater, dataset: Dataset, upcoming: SignedCard, exclude: Sequence[int]
) -> tuple[bool, GroupToPick | None]:
    """Whether the card the page preloaded (its signed upcoming card) was a check group, and that check group while
    its check may still be served to this rater and its group is still in their queue (else None)."""
    images = list(Image.objects.filter(public_id__in=upcoming.image_ids).only(*SHOWN_IMAGE_FIELDS))
    checks = [image for image in images if image.is_captcha]
    if not checks:
        return False, None
    if len(checks) != 1 or upcoming.group_id in exclude:
        return True, None
    (check,) = checks
    group = queue_for(rater, dataset).filter(pk=upcoming.group_id).first()
    if group is None or not _checks_for(rater).filter(pk=check.pk).exists():
        return True, None
    others = [image.pk for image in images if image.pk != check.pk]
    if PromptGroupImage.objects.filter(group=group, image_id__in=others).count() != len(others):
        return True, None
    shown = _in_order(rater, group, check, upcoming.image_ids, "public_id")
    return True, shown if len(shown.images) >= MIN_GROUP_SIZE else None


def next_cards_for(
    rater: Rater, *, dataset: Dataset, exclude: Sequence[int] = (), upcoming: SignedCard | None = None, count: int = 2
) -> list[GroupToPick]:
    """Up to `count` cards for this rater on this dataset's best-of page: the one to show, then the one to preload.

    The check group this rater was served and has not answered comes first (`_pending`). Then the upcoming card the
    page preloaded (its signed token, bestof.cards), as it was preloaded, a check group too; then the queue
    (`next_groups_for`), whose first group not preloaded is made a check group with probability CAPTCHA_RATE (at
    most one check group per answer). Reads only: `serve` records the card that is shown.
    """
    found: list[GroupToPick] = []
    check: Image | None = None
    pending = _pending(rater, dataset)
    if pending is not None:
        shown = _in_order(rater, pending.group, pending.check_image, pending.images, "pk")
        if sum(1 for image in shown.images if image != pending.check_image) >= MIN_GROUP_SIZE - 1:
            found.append(shown)
        else:  # its group's images were taken down meanwhile: the same check, among the next group's images
            check = pending.check_image
    prefer = None
    if upcoming is not None and len(found) < count:
        was_check, preloaded = _upcoming_check_group(rater, dataset, upcoming, exclude)
        if preloaded is not None and not any(card.group == preloaded.group for card in found):
            found.append(preloaded)
        elif not was_check:  # a plain group: first if still near the top of the queue, so the preload is not wasted
            prefer = upcoming.group_id
        # (a check group no longer to be served is not shown without its check: that would tell which it was)
    if len(found) >= count:
        return found[:count]
    groups = next_groups_for(
        rater,
        dataset=dataset,
        exclude=[*exclude, *(card.group.pk for card in found)],
        prefer=prefer,
        count=count - len(found),
    )
    if not groups:
        return found
    # The preloaded group is shown as it was preloaded: a check drawn now goes into the group after it.
    place = 1 if prefer is not None and groups[0].group.pk == prefer else 0
    if place < len(groups):
        if check is None and not any(card.check for card in found) and settings.CAPTCHA_RATE:
            if random.random() < settings.CAPTCHA_RATE:
                check = draw_check(rater, dataset)
        if check is not None:
            groups[place] = with_check(groups[place], check)
    return found + groups


def serve(rater: Rater, shown: GroupToPick) -> None:
    """`shown` is on the rater's screen now: when it is a check group not yet answered, record it at once (a miss if
    left unanswered, shown again first until answered). Nothing for a plain group. Idempotent: a check group shown
    again keeps its first serve time."""
    if shown.check is None:
        return
    images = [image.pk for image in shown.images]
    row, created = CheckGroup.objects.get_or_create(
        rater=rater,
        check_image=shown.check,
        defaults={"group": shown.group, "images": images, "served_at": timezone.now()},
    )
    if row.passed is not None:  # answered already (the card shown again after a refusal): nothing pending
        return
    record_served(rater, shown.check)
    if not created and (row.group_id, row.images) != (shown.group.pk, images):
        CheckGroup.objects.filter(pk=row.pk).update(group=shown.group, images=images)


def card_for(rater: Rater, group: PromptGroup, card: SignedCard | None) -> GroupToPick:
    """The card a pick or skip of `group` answers: the check group its signed card names (a check among its images),
    or, without a card, the check group this rater was served for `group` and has not answered; else the group as
    it is now. One query for a plain group's card, besides the group's images."""
    rows = CheckGroup.objects.filter(rater=rater, group=group).select_related("check_image")
    if card is not None:
        row = next((row for row in rows if row.check_image.public_id in card.image_ids), None)
        if row is not None:
            return _in_order(rater, group, row.check_image, card.image_ids, "public_id")
    else:
        row = next((row for row in rows if row.passed is None), None)
        if row is not None:
            return _in_order(rater, group, row.check_image, row.images, "pk")
    return group_to_pick(group, rater)


# Answering ------------------------------------------------------------------------------------------------------


def reward_subject(check: Image) -> str:
    """What the ledger line of a passed best-of check is for: the check (one line per rater and check). A best-of
    line as a pick's is (`services.reward_subject`); only the subject, which raters are not shown, differs."""
    return f"bestof:check:{check.pk}"


def _missed_message(position: int, *, skipped: bool) -> str:
    asked = f"Image {position} was a check: it asked you to pick it as the best."
    if skipped:
        return f"{asked} Skipping a group with a check counts as missing it."
    return f"{asked} Please look at every image before picking."


def answer_check(
    *, rater: Rater, shown: GroupToPick, winner: object = None, served_at: datetime | None = None, skipped: bool = False
) -> PickOutcome:
    """Judge a rater's answer to a check group (`winner`: an image's public id, or "none"; `skipped`: the group was
    skipped), or raise RatingRefused.

    In one transaction, under the rater's lock, as `services.record_pick`: a repeated submit answers as the first
    did; then the look-time floor (TooSoon, 429, not for a skip) and the pause (429). Picking the check passes and
    is paid as a pick; anything else is a miss (a `CaptchaAnswer`, counted and paused with every missed check).
    """
    check = shown.check
    assert check is not None, "answer_check is for check groups"
    chosen = None if skipped else parse_winner(shown, winner)
    position = shown.position_of(check)
    try:
        with transaction.atomic():
            lock_rater(rater)
            row = CheckGroup.objects.filter(rater=rater, check_image=check).first()
            if row is not None and row.passed is not None:
                return _answered(rater, shown, passed=row.passed)
            if CaptchaAnswer.objects.filter(rater=rater, image=check).exists():  # answered elsewhere: a miss
                return _answered(rater, shown, passed=False)
            if not skipped:
                check_looked_at(served_at)
            check_may_rate(rater)
            passed = not skipped and chosen == check
            now = timezone.now()
            if row is None:
                images = [image.pk for image in shown.images]
                row = CheckGroup.objects.create(
                    rater=rater, check_image=check, group=shown.group, images=images, served_at=served_at or now
                )
            CheckGroup.objects.filter(pk=row.pk).update(passed=passed, answered_at=now)
            forget_served(rater, check)
            if passed:
                reward = kudos.record_best_pick_reward(rater=rater, subject=reward_subject(check))
                paused_until = pause_if_flooding(rater)
                return PickOutcome(
                    group=shown.group,
                    winner=check,
                    position=position,
                    reward=reward.amount if reward else 0,
                    paused_until=paused_until,
                    message=paused_message(rater.pause_reason, paused_until) if paused_until else "",
                )
            CaptchaAnswer.objects.create(rater=rater, image=check, answer=None, passed=False)
            paused_until = pause_for_missed_checks(rater)
    except IntegrityError:
        # The same rater's concurrent duplicate won; answer as it did.
        row = CheckGroup.objects.filter(rater=rater, check_image=check).first()
        if row is None or row.passed is None:
            raise
        return _answered(rater, shown, passed=row.passed)
    message = _missed_message(position, skipped=skipped)
    if paused_until is not None:
        message = f"{message} {paused_message(rater.pause_reason, paused_until)}"
    return PickOutcome(
        group=shown.group,
        winner=chosen,
        position=shown.position_of(chosen) if chosen is not None else None,
        paused_until=paused_until,
        missed_check=True,
        message=message,
    )


def _answered(rater: Rater, shown: GroupToPick, *, passed: bool) -> PickOutcome:
    """What a check group already answered answers again: the same saved pick, or the same miss."""
    check = shown.check
    assert check is not None
    position = shown.position_of(check)
    if not passed:
        return PickOutcome(
            group=shown.group,
            winner=None,
            position=None,
            duplicate=True,
            missed_check=True,
            message=_missed_message(position, skipped=False),
        )
    reward = (
        KudosReward.objects.filter(rater=rater, kind=KudosReward.Kind.BEST_PICK, subject=reward_subject(check))
        .values_list("amount", flat=True)
        .first()
    )
    return PickOutcome(group=shown.group, winner=check, position=position, reward=reward or 0, duplicate=True)
