"""The queue of prompt groups: which group of a dataset a rater picks the best of next. The one place that decides it.

Rules (as the image queue's, ratings.selectors)
- A group wants BEST_PICKS_PER_GROUP picks; the pick that fills it takes it out of the queue (`wants_picks`).
- A rater never sees a group they picked or skipped.
- Hidden, broken or NSFW images are never shown: a group shows its other images, and a group left with fewer
  than two is taken out of the queue here, when the queue meets it (moderation does not know about groups).
- A rater who hides NSFW images (`Rater.hide_nsfw`, their settings page) is not shown the images the image queue
  keeps from them (datasets.services.queue_nsfw_condition, read here as the annotation `hides_nsfw`, since an
  image with all its ratings has no queue entry): a group shows them its other images, and the pick rule treats
  those images as not shown. A group left with fewer than two images for them is not in their queue (`queue_for`:
  the walk of the index counts each group's images they may be shown); it stays in everyone else's.
- Higher `priority` first; among near-equals (within QUEUE_PRIORITY_TOLERANCE of the best) the choice is
  random, so that concurrent raters spread over groups instead of all picking the same one.

Cost
No random ordering in SQL and no full scan: the partial index `bestof_queue` holds only groups that want picks,
in (dataset, priority DESC, shuffle) order. PostgreSQL walks it from the top, probes the rater's picks and skips
through their (rater, group) unique indexes, and stops after QUEUE_TOP_K groups; a second query reads those
groups' images (at most 4 each) by the group index. The cost grows with K plus the number of top groups this
rater has already seen, not with the number of groups or images. benchmarks/bestof_queue_benchmark.py prints
the plans (an Index Scan using bestof_queue, then Index Only Scans of best_pick_once_per_rater and
group_skip_once_per_rater); median next_groups_for 8.2 ms at 10 k images, 8.3 ms at 1 M (200 k groups), the
top-K query alone 0.5 to 1.2 ms at either size; ORDER BY random(): 3 ms at 10 k, 71 ms at 1 M.
For a rater who hides NSFW images the walk also counts, per group it passes, the group's images they may be shown
(a probe of the group's members by the group index, each image by primary key: at most 4 rows), so it costs more
the more groups near the top of the queue are NSFW for them, never a scan of the other groups' images: at 100 k
images (20 k groups, 10 % of the images tagged NSFW) its top-K query took 2.6 to 4.7 ms against 1.1 to 1.7 ms for a
rater without the preference, and 13 to 25 ms with the top 500 groups all NSFW (about 0.025 ms a group passed;
the benchmark's fill, on a loaded machine). Their "groups left" counts up to GROUPS_LEFT_CAP_HIDING_NSFW.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Exists, F, IntegerField, OuterRef, QuerySet, Subquery

from ratings_site.bestof.models import MIN_GROUP_SIZE, BestPick, GroupSkip, PromptGroup
from ratings_site.datasets.models import Dataset, Image
from ratings_site.datasets.services import SHOWN_FLAGS, hiding_flags, queue_nsfw_flag
from ratings_site.raters.models import Rater

# How often the queue walks on past groups it found with fewer than two images left to show (each time it
# takes them out of the queue first, or, when only this rater's NSFW preference leaves them short, leaves them out
# of this rater's next round); more would mean moderation took down a whole run of groups at once.
_HEAL_ROUNDS = 3
# What the page and the pick rule read of a group's images (not the wide rest of the row: its caption is the
# group's prompt, and its source columns are not shown).
SHOWN_IMAGE_FIELDS = (
    "public_id", "dataset_id", "url", "file", "width", "height", "hidden", "broken", "nsfw", "is_captcha"
)  # fmt: skip


def hides_nsfw(rater: Rater | None) -> bool:
    """Whether the best-of pages keep NSFW images (queue_nsfw_condition) from this rater (None: the rules for
    everyone, as when a group is taken out of the queue)."""
    return rater is not None and rater.hide_nsfw


def images_read_for(rater: Rater | None = None) -> QuerySet[Image]:
    """Images as the page and the pick rule read them for this rater: SHOWN_IMAGE_FIELDS and, for a rater who hides
    NSFW images, `hides_nsfw` (whether queue_nsfw_condition holds, as a column), which `may_be_shown` reads.
    Raters without the preference get the plain columns, so their query is what it was."""
    images = Image.objects.only(*SHOWN_IMAGE_FIELDS)
    if hides_nsfw(rater):
        images = images.annotate(hides_nsfw=queue_nsfw_flag())
    return images


def may_be_shown(image: Image, rater: Rater | None = None) -> bool:
    """Whether an image of a group may be shown to this rater and picked by them: not when a flag the image queue
    leaves out is set (its ratings do not matter), nor, for a rater who hides NSFW images, when it is one of those
    (`image` read by `images_read_for(rater)`). None: the rules for everyone."""
    if hiding_flags(image):
        return False
    return not (hides_nsfw(rater) and image.hides_nsfw)


@dataclass(frozen=True)
class GroupToPick:
    """A group as the page shows it: its images that may be shown, in their order (image 1, 2, ...).

    A check group (bestof.checks) also holds its `check`, a best-of check image among `images`: the page shows it
    as it shows any group, and answering it neither picks nor skips `group`."""

    group: PromptGroup
    images: list[Image]
    check: Image | None = None

    def position_of(self, image: Image) -> int:
        """The image's number on the page (1 to 4)."""
        return self.images.index(image) + 1


def open_groups(dataset: Dataset) -> QuerySet[PromptGroup]:
    """The groups of a dataset still in the queue: the condition of the `bestof_queue` index."""
    return PromptGroup.objects.filter(dataset=dataset, wants_picks=True)


def unseen_by(rater: Rater, groups: QuerySet[PromptGroup]) -> QuerySet[PromptGroup]:
    return groups.filter(
        ~Exists(BestPick.objects.filter(rater=rater, group=OuterRef("pk"))),
        ~Exists(GroupSkip.objects.filter(rater=rater, group=OuterRef("pk"))),
    )


def queue_for(rater: Rater, dataset: Dataset) -> QuerySet[PromptGroup]:
    """The groups of this rater's queue: open, not seen by them and, when they hide NSFW images, with at least two
    images they may be shown (`may_be_shown` as SQL: the shown flags and queue_nsfw_flag), so that a group short
    for them only is passed over for them, not taken out of everyone's queue."""
    groups = unseen_by(rater, open_groups(dataset))
    if not hides_nsfw(rater):
        return groups
    shown = (
        Image.objects.filter(prompt_group_member__group=OuterRef("pk"), **SHOWN_FLAGS)
        .alias(hides_nsfw=queue_nsfw_flag())
        .filter(hides_nsfw=False)
        .order_by()
        .values("prompt_group_member__group")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return groups.alias(shown_to_rater=Subquery(shown, output_field=IntegerField())).filter(
        shown_to_rater__gte=MIN_GROUP_SIZE
    )


def queue_queryset(rater: Rater, dataset: Dataset, exclude: Sequence[int] = ()) -> QuerySet[PromptGroup]:
    """The top of the rater's queue of groups: the one query that walks the index (the benchmark times it)."""
    groups = queue_for(rater, dataset)
    if exclude:
        groups = groups.exclude(pk__in=list(exclude))
    return groups.order_by("-priority", "shuffle")[: settings.QUEUE_TOP_K]


def _images_of(groups: Sequence[PromptGroup], rater: Rater | None) -> dict[int, list[Image]]:
    """All the images of these groups, by group, in their order, as read for this rater: one query."""
    images = (
        images_read_for(rater)
        .filter(prompt_group_member__group_id__in=[group.pk for group in groups])
        .annotate(member_of=F("prompt_group_member__group_id"))
        .order_by("prompt_group_member__group_id", "prompt_group_member__position")
    )
    found: dict[int, list[Image]] = {group.pk: [] for group in groups}
    for image in images:
        found[image.member_of].append(image)
    return found


def shown_images(groups: Sequence[PromptGroup], rater: Rater | None = None) -> dict[int, list[Image]]:
    """The images of these groups that may be shown to this rater (None: the rules for everyone), by group, in
    their order: one query."""
    return {
        pk: [image for image in images if may_be_shown(image, rater)]
        for pk, images in _images_of(groups, rater).items()
    }


def group_to_pick(group: PromptGroup, rater: Rater | None = None) -> GroupToPick:
    """One group as the page shows it to this rater (also when a pick is recorded: the images the rater could see).
    None: as everyone may see it."""
    return GroupToPick(group=group, images=shown_images([group], rater)[group.pk])


def next_groups_for(
    rater: Rater, *, dataset: Dataset, exclude: Sequence[int] = (), prefer: int | None = None, count: int = 2
) -> list[GroupToPick]:
    """Up to `count` groups for this rater in this dataset: the one to show, then one whose images to preload.

    `prefer` is the group whose images the page preloaded last time: it comes first if it is still among the
    top of the queue, so the preload is not wasted. `exclude` holds groups to leave out of this answer (the one
    just picked, when the database is lagging).
    """
    short_for_rater: list[int] = []  # enough images for others, not for this rater's NSFW preference
    for _ in range(_HEAL_ROUNDS):
        top = list(queue_queryset(rater, dataset, [*exclude, *short_for_rater]))
        if not top:
            return []
        images = _images_of(top, rater)
        shown = {pk: [image for image in found if may_be_shown(image, rater)] for pk, found in images.items()}
        # Closed for everyone only by the rules for everyone (a rater's preference closes nothing).
        gone = [pk for pk, found in images.items() if sum(may_be_shown(image) for image in found) < MIN_GROUP_SIZE]
        if gone:
            PromptGroup.objects.filter(pk__in=gone).update(wants_picks=False)
        # queue_for leaves these out already; a tag counted since that query can still make one short.
        short_for_rater += [pk for pk, found in shown.items() if len(found) < MIN_GROUP_SIZE and pk not in gone]
        top = [group for group in top if len(shown[group.pk]) >= MIN_GROUP_SIZE]
        if top:
            break
    else:
        return []
    best = top[0].priority
    tolerance = settings.QUEUE_PRIORITY_TOLERANCE
    near = [group for group in top if group.priority >= best - tolerance]
    rest = [group for group in top if group.priority < best - tolerance]
    random.shuffle(near)
    ordered = near + rest
    preferred = [group for group in ordered if group.pk == prefer]
    ordered = preferred + [group for group in ordered if group.pk != prefer]
    return [GroupToPick(group=group, images=shown[group.pk]) for group in ordered[:count]]


def next_group_for(rater: Rater, *, dataset: Dataset) -> GroupToPick | None:
    """The next group this rater should pick the best of, or None when nothing is left for them."""
    groups = next_groups_for(rater, dataset=dataset, count=1)
    return groups[0] if groups else None


GROUPS_LEFT_CAP = 1000
# For a rater who hides NSFW images each group counted costs a probe of its images (`queue_for`): about 40 ms for
# 1,000 groups on PostgreSQL, plus the JIT compilation its estimate then triggers; 100 cost 3 to 4 ms.
GROUPS_LEFT_CAP_HIDING_NSFW = 100


def groups_left_cap(rater: Rater) -> int:
    """Up to how many groups left `groups_left_for` counts for this rater (the page says "1,000+", or "100+")."""
    return GROUPS_LEFT_CAP_HIDING_NSFW if hides_nsfw(rater) else GROUPS_LEFT_CAP


def groups_left_for(rater: Rater, *, dataset: Dataset, cap: int | None = None) -> int:
    """How many groups of this rater's queue (`queue_for`) they have not seen yet, counted up to `cap` (by default
    `groups_left_cap`), so that a rater who hides NSFW images is not told of groups they will not be shown."""
    cap = groups_left_cap(rater) if cap is None else cap
    return queue_for(rater, dataset)[: cap + 1].count()


def has_prompt_groups(dataset: Dataset) -> bool:
    """Whether the dataset has any group still wanting picks (the rate page links to its best-of page then)."""
    return open_groups(dataset).exists()
