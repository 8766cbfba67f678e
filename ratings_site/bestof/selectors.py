"""The queue of prompt groups: which group of a dataset a rater picks the best of next. The one place that decides it.

Rules (as the image queue's, ratings.selectors)
- A group wants BEST_PICKS_PER_GROUP picks; the pick that fills it takes it out of the queue (`wants_picks`).
- A rater never sees a group they picked or skipped.
- Hidden, broken or NSFW images are never shown: a group shows its other images, and a group left with fewer
  than two is taken out of the queue here, when the queue meets it (moderation does not know about groups).
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
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Exists, OuterRef, QuerySet

from ratings_site.bestof.models import BestPick, GroupSkip, PromptGroup, PromptGroupImage
from ratings_site.datasets.models import Dataset, Image
from ratings_site.datasets.services import hiding_flags
from ratings_site.raters.models import Rater

# How often the queue walks on past groups it found with fewer than two images left to show (each time it
# takes them out of the queue first); more would mean moderation took down a whole run of groups at once.
_HEAL_ROUNDS = 3
# What the page and the pick rule read of a group's images (not the wide rest of the row: its caption is the
# group's prompt, and its source columns are not shown).
SHOWN_IMAGE_FIELDS = (
    "public_id", "dataset_id", "url", "file", "width", "height", "hidden", "broken", "nsfw", "is_captcha"
)  # fmt: skip


def may_be_shown(image: Image) -> bool:
    """Whether an image of a group may be shown and picked: the flags the image queue leaves out, but its ratings."""
    return not hiding_flags(image)


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


def queue_queryset(rater: Rater, dataset: Dataset, exclude: Sequence[int] = ()) -> QuerySet[PromptGroup]:
    """The top of the rater's queue of groups: the one query that walks the index (the benchmark times it)."""
    groups = unseen_by(rater, open_groups(dataset))
    if exclude:
        groups = groups.exclude(pk__in=list(exclude))
    return groups.order_by("-priority", "shuffle")[: settings.QUEUE_TOP_K]


def shown_images(groups: Sequence[PromptGroup]) -> dict[int, list[Image]]:
    """The images of these groups that may be shown, by group, in their order: one query."""
    members = (
        PromptGroupImage.objects.filter(group_id__in=[group.pk for group in groups])
        .select_related("image")
        .only("group_id", "position", *(f"image__{name}" for name in SHOWN_IMAGE_FIELDS))
        .order_by("group_id", "position")
    )
    shown: dict[int, list[Image]] = {group.pk: [] for group in groups}
    for member in members:
        if may_be_shown(member.image):
            shown[member.group_id].append(member.image)
    return shown


def group_to_pick(group: PromptGroup) -> GroupToPick:
    """One group as the page shows it (also when a pick is recorded: the images the rater could see)."""
    return GroupToPick(group=group, images=shown_images([group])[group.pk])


def next_groups_for(
    rater: Rater, *, dataset: Dataset, exclude: Sequence[int] = (), prefer: int | None = None, count: int = 2
) -> list[GroupToPick]:
    """Up to `count` groups for this rater in this dataset: the one to show, then one whose images to preload.

    `prefer` is the group whose images the page preloaded last time: it comes first if it is still among the
    top of the queue, so the preload is not wasted. `exclude` holds groups to leave out of this answer (the one
    just picked, when the database is lagging).
    """
    for _ in range(_HEAL_ROUNDS):
        top = list(queue_queryset(rater, dataset, exclude))
        if not top:
            return []
        shown = shown_images(top)
        gone = [group.pk for group in top if len(shown[group.pk]) < 2]
        if gone:
            PromptGroup.objects.filter(pk__in=gone).update(wants_picks=False)
        top = [group for group in top if group.pk not in gone]
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


def groups_left_for(rater: Rater, *, dataset: Dataset, cap: int = GROUPS_LEFT_CAP) -> int:
    """How many groups of the queue this rater has not seen yet, counted up to `cap` (the page says "1,000+")."""
    return unseen_by(rater, open_groups(dataset))[: cap + 1].count()


def has_prompt_groups(dataset: Dataset) -> bool:
    """Whether the dataset has any group still wanting picks (the rate page links to its best-of page then)."""
    return open_groups(dataset).exists()
