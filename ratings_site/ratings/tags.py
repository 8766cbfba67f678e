"""Raters' tags: what an image is, beyond its score (a watermark, text, NSFW, broken, not an artwork). The one home
of tagging, for the rate page, the API and the standing rules.

- `set_tags(rater, image, tags)`: the rater's whole set of tags for one image (an empty set takes theirs away).
  Refused like a rating: an unknown tag (400, `UnknownTag`), a rater who may not rate (no Horde account, banned:
  403, ratings.limits.check_may_rate; a pause holds back ratings, not tags, so the rating that started a pause
  keeps its tags), an image that is not being rated (ratings.services.rateable_refusal: hidden, broken, NSFW, a
  best-of check, a dataset that is not public). A rating check image is tagged as any image is, and its tags are
  stored as any image's (never exported: check images are not in the export): nothing on the rate page, in an
  answer or in a later GET tells it apart from the others.
- `tags_of(rater, images)`: the rater's tags of these images, in one query.
- `Image.tag_counts`: how many raters gave each tag, counting only the raters whose ratings count
  (raters.standing.counting_raters). Recounted from the tags (`recount_tag_counts`), never added to or subtracted
  from, when a rater sets their tags and when a rater's standing changes (the `standing_changed` signal, connected
  in RatingsConfig.ready as ratings.counting is): a banned rater's tags leave the counts, an unban brings them back.
  When an image's NSFW count changes its queue entry is refreshed (datasets.services.refresh_queue keeps
  `QueueEntry.nsfw` in step with it for the raters who hide NSFW images).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Count

from ratings_site.datasets.models import Image
from ratings_site.datasets.services import refresh_queue
from ratings_site.raters.models import Rater
from ratings_site.raters.standing import counting_raters, standing_changed
from ratings_site.ratings.limits import RatingPaused, check_may_rate, lock_rater
from ratings_site.ratings.models import RaterTag
from ratings_site.ratings.services import rateable_refusal
from ratings_site.refusals import Refusal

TAGS: tuple[str, ...] = tuple(RaterTag.Kind.values)  # the vocabulary, in the order pages and the API list it
LABELS: dict[str, str] = dict(RaterTag.Kind.choices)
BATCH = 1000


class UnknownTag(Refusal):
    code = "unknown_tag"
    status = 400


def vocabulary() -> list[tuple[str, str]]:
    """The tags a rater may give, with their labels: [("watermark", "Watermark"), ...]."""
    return list(RaterTag.Kind.choices)


def parse_tags(values: Iterable[object]) -> list[str]:
    """The tags named (each once, in the vocabulary's order), or UnknownTag naming what is not one."""
    given = list(values)
    unknown = [value for value in given if not isinstance(value, str) or value not in LABELS]
    if unknown:
        shown = ", ".join(repr(value)[:40] for value in unknown[:3])
        raise UnknownTag(f"Unknown tag {shown}: the tags are {', '.join(TAGS)}.")
    return [tag for tag in TAGS if tag in given]


def set_tags(rater: Rater, image: Image, tags: Iterable[object]) -> list[str]:
    """Make `tags` the rater's whole set of tags for `image`; returns the set, as the rater sees it.

    One transaction under the rater's lock (ratings.limits.lock_rater), as every rating decision: a ban decided
    meanwhile is seen. The image's counts are recounted when the set changed."""
    wanted = parse_tags(tags)
    with transaction.atomic():
        lock_rater(rater)
        try:
            check_may_rate(rater)
        except RatingPaused:
            pass  # a pause holds back ratings; the rating that reached the flood limit keeps its tags
        refusal = rateable_refusal(image)
        if refusal is not None:
            raise refusal
        stored = set(RaterTag.objects.filter(rater=rater, image=image).values_list("tag", flat=True))
        if stored == set(wanted):
            return wanted
        RaterTag.objects.filter(rater=rater, image=image).exclude(tag__in=wanted).delete()
        RaterTag.objects.bulk_create(
            [RaterTag(rater=rater, image=image, tag=tag) for tag in wanted if tag not in stored],
            ignore_conflicts=True,  # the same rater's parallel request stored it first
        )
        recount_tag_counts([image.pk])
    return wanted


def clear_tags(rater: Rater, image: Image) -> list[str]:
    """Take away the rater's tags of `image` (an undone rating takes its tags with it); returns those taken."""
    with transaction.atomic():
        taken = sorted(RaterTag.objects.filter(rater=rater, image=image).values_list("tag", flat=True), key=TAGS.index)
        if taken:
            RaterTag.objects.filter(rater=rater, image=image).delete()
            recount_tag_counts([image.pk])
    return taken


def tags_of(rater: Rater, images: Iterable[Image | int]) -> dict[int, list[str]]:
    """The rater's tags of each of these images (an image they did not tag maps to []), in one query."""
    ids = [image if isinstance(image, int) else image.pk for image in images]
    found: dict[int, list[str]] = {pk: [] for pk in ids}
    rows = RaterTag.objects.filter(rater=rater, image_id__in=ids).values_list("image_id", "tag")
    for image_id, tag in rows:
        found[image_id].append(tag)
    return {pk: sorted(tags, key=TAGS.index) for pk, tags in found.items()}


def counts_of(image: Image) -> dict[str, int]:
    """The image's counts of every tag, 0 for a tag nobody gave."""
    return {tag: int(image.tag_counts.get(tag, 0)) for tag in TAGS}


def recount_tag_counts(image_ids: Iterable[int]) -> None:
    """Set these images' `tag_counts` from the tags of the raters whose ratings count: one aggregate and one bulk
    update per BATCH images, under the images' row locks (so that two raters tagging one image at once both end up
    in its counts on PostgreSQL); then the images whose NSFW count changed get their queue entries refreshed."""
    image_ids = sorted(set(image_ids))
    for start in range(0, len(image_ids), BATCH):
        batch = image_ids[start : start + BATCH]
        with transaction.atomic():
            images = list(
                Image.objects.select_for_update().filter(pk__in=batch).order_by("pk").only("pk", "tag_counts")
            )
            counted: dict[int, dict[str, int]] = defaultdict(dict)
            rows = (
                RaterTag.objects.filter(image_id__in=batch)
                .filter(counting_raters("rater__"))
                .order_by()
                .values_list("image_id", "tag")
                .annotate(n=Count("pk"))
            )
            for image_id, tag, n in rows:
                counted[image_id][tag] = n
            changed, nsfw_changed = [], []
            for image in images:
                counts = {tag: counted[image.pk][tag] for tag in TAGS if tag in counted[image.pk]}
                if counts != image.tag_counts:
                    if counts.get(RaterTag.Kind.NSFW, 0) != image.tag_counts.get(RaterTag.Kind.NSFW, 0):
                        nsfw_changed.append(image.pk)
                    image.tag_counts = counts
                    changed.append(image)
            Image.objects.bulk_update(changed, ["tag_counts"])
            if nsfw_changed:
                refresh_queue(Image.objects.filter(pk__in=nsfw_changed))


def follow_standing(rater: Rater) -> None:
    """A rater's standing changed: recount the images they tagged (their tags count, or stop counting)."""
    image_ids = RaterTag.objects.filter(rater=rater).order_by().values_list("image_id", flat=True).distinct()
    recount_tag_counts(list(image_ids))


def _on_standing_changed(sender, rater: Rater, **kwargs) -> None:
    follow_standing(rater)


def connect() -> None:
    """Listen to raters.standing's `standing_changed` (called from RatingsConfig.ready)."""
    standing_changed.connect(_on_standing_changed, dispatch_uid="ratings.tags.follow_standing")
