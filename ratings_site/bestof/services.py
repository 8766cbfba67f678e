"""Best of a prompt group: building the groups, and recording a rater's pick, once, for pages, API and commands.

`record_pick` reads as `ratings.services.rate_image` does: keyword-only, one transaction under the rater's lock
(`ratings.limits`), one conditional UPDATE that claims a pick slot of the group atomically, a repeated submit
answers as the first did, and its refusals are `RatingRefused` subclasses carrying their HTTP status.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Case, Count, F, IntegerField, Max, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce

from ratings_site.bestof.models import (
    MAX_GROUP_SIZE,
    MIN_GROUP_SIZE,
    BestPick,
    GroupSkip,
    ImagePreference,
    PromptGroup,
    PromptGroupImage,
    Source,
)
from ratings_site.bestof.priorities import apply_group_priorities
from ratings_site.bestof.selectors import GroupToPick, group_to_pick
from ratings_site.datasets.models import Dataset, Image
from ratings_site.datasets.services import SHOWN_FLAGS
from ratings_site.kudos import services as kudos
from ratings_site.kudos.models import KudosReward
from ratings_site.raters.models import Rater
from ratings_site.ratings.limits import (
    RatingRefused,
    check_looked_long_enough,
    check_may_rate,
    lock_rater,
    pause_if_flooding,
    paused_message,
)

NO_CLEAR_WINNER = "none"


class InvalidPick(RatingRefused):
    code = "invalid_pick"
    status = 400


class GroupUnavailable(RatingRefused):
    code = "group_unavailable"
    status = 404


class GroupFull(RatingRefused):
    code = "group_full"
    status = 403


@dataclass(frozen=True)
class PickOutcome:
    """What a pick did, as the status line says it ("Saved: image 2 is best · +5 kudos")."""

    group: PromptGroup
    winner: Image | None
    position: int | None  # the winner's number on the page
    reward: int = 0
    duplicate: bool = False
    paused_until: datetime | None = None
    message: str = ""
    missed_check: bool = False  # a check group answered wrong (bestof.checks): `message` says so; nothing saved

    @property
    def text(self) -> str:
        parts = [f"image {self.position} is best" if self.winner is not None else "no clear winner"]
        if self.reward:
            parts.append(f"+{self.reward} kudos")
        return " · ".join(parts)


def parse_winner(shown: GroupToPick, winner: object) -> Image | None:
    """The image the rater picked among those shown, None for "no clear winner", or InvalidPick (400)."""
    value = str(winner).strip() if winner is not None else ""
    if not value:
        raise InvalidPick("Pick the best image, or say that no image is clearly better.")
    if value.lower() in (NO_CLEAR_WINNER, "0"):
        return None
    try:
        public_id = uuid.UUID(value)
    except ValueError:
        raise InvalidPick("That is not one of this group's images.") from None
    for image in shown.images:
        if image.public_id == public_id:
            return image
    raise InvalidPick("That is not one of this group's images: pick one of those shown.")


def record_pick(
    *,
    rater: Rater,
    group: PromptGroup,
    winner: object,
    client_agent: str = "",
    source: str = Source.PAGE,
    served_at: datetime | None = None,
) -> PickOutcome:
    """Store one rater's pick of one group (`winner`: an image's public id, or "none"), or raise RatingRefused.

    `served_at` is when the page served the card (its signed token, bestof.cards): a pick sooner than
    RATING_MIN_SECONDS after it is refused (TooSoon, 429; `check_looked_at`). In one transaction, under the rater's
    lock: refuse a pause (429) or an account that may not rate (403),
    claim a pick slot of the group (the pick that fills it takes the group out of the queue; a full group is
    refused, 403), store the pick and one preference per other image shown, write the ledger line
    (KUDOS_PER_BEST_PICK), and pause a rater who floods. Idempotent: the same group picked twice (a double
    click, a retry) stores one pick and answers as the first did.
    """
    shown = group_to_pick(group, rater)  # what this rater could see (their NSFW preference too)
    if len(shown.images) < MIN_GROUP_SIZE or not group.dataset.public:
        raise GroupUnavailable("This group is no longer being rated. Here is another one.")
    chosen = parse_winner(shown, winner)
    wanted = settings.BEST_PICKS_PER_GROUP
    try:
        with transaction.atomic():
            lock_rater(rater)
            existing = _existing_outcome(rater, shown)
            if existing is not None:
                return existing
            check_looked_at(served_at)
            check_may_rate(rater)
            claimed = PromptGroup.objects.filter(pk=group.pk, wants_picks=True, picks_count__lt=wanted).update(
                picks_count=F("picks_count") + 1,
                wants_picks=Case(When(picks_count__lt=wanted - 1, then=Value(True)), default=Value(False)),
            )
            if not claimed:
                raise GroupFull("This group already has all the picks it needs. Here is another one.")
            pick = BestPick.objects.create(
                rater=rater, group=group, winner=chosen, source=source, client_agent=client_agent[:200]
            )
            if chosen is not None:
                ImagePreference.objects.bulk_create(
                    ImagePreference(winner=chosen, loser=loser, group=group, pick=pick, rater=rater, source=source)
                    for loser in shown.images
                    if loser != chosen
                )
            reward = kudos.record_best_pick_reward(rater=rater, subject=reward_subject(group))
            paused_until = pause_if_flooding(rater)
    except IntegrityError:
        # The same rater's concurrent duplicate won; answer as it did.
        existing = _existing_outcome(rater, shown)
        if existing is None:
            raise
        return existing
    return PickOutcome(
        group=group,
        winner=chosen,
        position=shown.position_of(chosen) if chosen is not None else None,
        reward=reward.amount if reward else 0,
        paused_until=paused_until,
        message=paused_message(rater.pause_reason, paused_until) if paused_until else "",
    )


def check_looked_at(served_at: datetime | None) -> None:
    """The look-time floor for a pick (`ratings.limits.check_looked_long_enough`, worded for a pick): plain groups
    and check groups alike. None (no card: a command, or a page while the floor is off) passes; the views refuse a
    pick without a card while the floor is on."""
    if served_at is not None:
        check_looked_long_enough(served_at, sent="pick")


def _existing_outcome(rater: Rater, shown: GroupToPick) -> PickOutcome | None:
    pick = BestPick.objects.filter(rater=rater, group=shown.group).select_related("winner").first()
    if pick is None:
        return None
    winner = pick.winner
    position = shown.position_of(winner) if winner is not None and winner in shown.images else None
    reward = (
        KudosReward.objects.filter(rater=rater, kind=KudosReward.Kind.BEST_PICK, subject=reward_subject(shown.group))
        .values_list("amount", flat=True)
        .first()
    )
    return PickOutcome(group=shown.group, winner=winner, position=position, reward=reward or 0, duplicate=True)


def reward_subject(group: PromptGroup) -> str:
    """What the ledger line of a pick is for: the group (one line per rater and group)."""
    return f"bestof:{group.pk}"


def skip_group(*, rater: Rater, group: PromptGroup) -> None:
    """Take a group out of this rater's queue (S): no pick, no kudos. Refused while paused (429), like a pick."""
    with transaction.atomic():
        lock_rater(rater)
        check_may_rate(rater)
        GroupSkip.objects.get_or_create(rater=rater, group=group)


# Building the groups ------------------------------------------------------------------------------------------


def normalise_prompt(prompt: str) -> str:
    """The form two prompts are compared in: whitespace collapsed, case folded ("A  cat" is "a cat")."""
    return " ".join(prompt.split()).casefold()


def prompt_key(prompt: str) -> str:
    """What groups a prompt's images: the SHA-256 of the normalised prompt, in hex (`PromptGroup.prompt_key`)."""
    return _prompt_digest(prompt).hex()


def _prompt_digest(prompt: str) -> bytes:
    return hashlib.sha256(normalise_prompt(prompt).encode()).digest()


def split_sizes(count: int) -> list[int]:
    """Cut `count` images of one prompt into groups of 2 to 4, as even as possible: 5 → [3, 2], 9 → [3, 3, 3]."""
    if count < MIN_GROUP_SIZE:
        return []
    groups = -(-count // MAX_GROUP_SIZE)
    base, extra = divmod(count, groups)
    return [base + 1] * extra + [base] * (groups - extra)


def groupable_images(dataset: Dataset):
    """Images that may join a group: shown on the best-of page (see selectors.may_be_shown), with a prompt,
    and in no group yet."""
    return Image.objects.filter(dataset=dataset, prompt_group_member__isnull=True, **SHOWN_FLAGS).exclude(caption="")


@dataclass
class RefreshReport:
    groups_created: int = 0
    images_grouped: int = 0
    opened: int = 0
    closed: int = 0


def _chunks(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _group_new_images(dataset: Dataset, report: RefreshReport, batch_size: int) -> None:
    # By the prompt's digest (32 bytes, not 64 hex characters: a LAION set has millions of prompts, most once).
    firsts: dict[bytes, int] = {}  # prompt -> its first image
    many: dict[bytes, list[int]] = {}  # prompt -> its images, once it has two or more
    for pk, caption in groupable_images(dataset).order_by("pk").values_list("pk", "caption").iterator(chunk_size=5000):
        key = _prompt_digest(caption)
        if key in many:
            many[key].append(pk)
        elif key in firsts:
            many[key] = [firsts.pop(key), pk]
        else:
            firsts[key] = pk
    del firsts
    keys = list(many)
    for chunk in _chunks(keys, batch_size):
        parts = dict(
            PromptGroup.objects.filter(dataset=dataset, prompt_key__in=[key.hex() for key in chunk])
            .values("prompt_key")
            .annotate(last=Max("part"))
            .values_list("prompt_key", "last")
        )
        prompts = dict(Image.objects.filter(pk__in=[many[key][0] for key in chunk]).values_list("pk", "caption"))
        groups: list[PromptGroup] = []
        members: list[list[int]] = []
        for key in chunk:
            images = many[key]
            part = parts.get(key.hex(), -1) + 1
            start = 0
            for size in split_sizes(len(images)):
                groups.append(
                    PromptGroup(dataset=dataset, prompt_key=key.hex(), part=part, prompt=prompts[images[0]], size=size)
                )
                members.append(images[start : start + size])
                part += 1
                start += size
        with transaction.atomic():
            groups = PromptGroup.objects.bulk_create(groups)
            PromptGroupImage.objects.bulk_create(
                PromptGroupImage(group=group, image_id=image_id, position=position)
                for group, image_ids in zip(groups, members)
                for position, image_id in enumerate(image_ids, start=1)
            )
        report.groups_created += len(groups)
        report.images_grouped += sum(len(ids) for ids in members)


def _set_wants_picks(groups, report: RefreshReport) -> None:
    """`wants_picks` exactly for the groups with fewer than BEST_PICKS_PER_GROUP picks and two images to show."""
    shown = (
        PromptGroupImage.objects.filter(
            group=OuterRef("pk"),
            image__hidden=False,
            image__broken=False,
            image__nsfw=False,
            image__is_captcha=False,
        )
        .values("group")
        .annotate(count=Count("pk"))
        .values("count")
    )
    counted = groups.annotate(shown=Coalesce(Subquery(shown, output_field=IntegerField()), 0))
    wanted = settings.BEST_PICKS_PER_GROUP
    belongs = Q(picks_count__lt=wanted, shown__gte=MIN_GROUP_SIZE)
    report.closed += PromptGroup.objects.filter(pk__in=counted.filter(~belongs, wants_picks=True).values("pk")).update(
        wants_picks=False
    )
    report.opened += PromptGroup.objects.filter(pk__in=counted.filter(belongs, wants_picks=False).values("pk")).update(
        wants_picks=True
    )


def refresh_prompt_groups(datasets: Iterable[Dataset] | None = None, *, batch_size: int = 1000) -> RefreshReport:
    """Group the images of these datasets (all by default) that share a prompt, and set each group's place in the
    queue right.

    Idempotent, and safe to run again after an import: images already in a group stay there; images of one
    prompt that are in no group yet make new groups of 2 to 4 (a prompt's single new image waits for another);
    then `wants_picks` is set from each group's picks and from the images it may still show (after moderation,
    or after BEST_PICKS_PER_GROUP changed), and each new group's priority from its images' (bestof.priorities). One pass over the ungrouped images, streamed.
    """
    report = RefreshReport()
    for dataset in Dataset.objects.all() if datasets is None else datasets:
        newest = PromptGroup.objects.aggregate(newest=Max("pk"))["newest"] or 0
        _group_new_images(dataset, report, batch_size)
        _set_wants_picks(PromptGroup.objects.filter(dataset=dataset), report)
        apply_group_priorities(dataset=dataset, after_id=newest)  # new groups take their images' places at once
    return report
