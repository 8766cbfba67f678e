"""The queue: which image a rater sees next. The one place that decides it.

Rules
- An image wants RATINGS_PER_IMAGE ratings; once it has them it leaves the queue
  (its `QueueEntry` row goes: the queue is that narrow table, kept by
  datasets.services.refresh_queue and by the rating rule in ratings.services).
- A rater never sees an image they rated, skipped or reported.
- A rater who hides NSFW images (`Rater.hide_nsfw`, their settings page) is not served the entries flagged
  `nsfw` (datasets.services.queue_nsfw_condition): their queue walks the partial indexes `sfw_queue_by_dataset`
  and `sfw_queue_order`, which leave those entries out, the same way. Check images are not queue entries and
  are served to them as to anyone.
- Higher `priority` first (the predictor fills it); among near-equals (within
  QUEUE_PRIORITY_TOLERANCE of the best) the choice is random, so that concurrent
  raters spread over images instead of all racing for the same one, and weighted by the
  ratings each image still wants (`_spread`): an image one rating short of full is
  drawn a fifth as often as a new one, so that several raters rarely hold the last
  slot of one image at once (the later ones would be told "already has all the
  ratings it needs" and their rating lost; benchmarks/load.py counts them).
- Captcha images are mixed in at CAPTCHA_RATE, each at most once per rater (answered, skipped or
  reported: see ratings.services); when the rater rates one dataset, preferably one that passes for
  that dataset's images (datasets.captchas). The card names, for a captcha, the dataset it passes for
  (`dataset_shown_for`), so that nothing on the page tells it from a dataset image.

Cost
No random ordering in SQL and no full scan: the indexes `queue_by_dataset` and
`queue_order` of the queue table hold only images still wanting ratings, in
(priority DESC, shuffle) order, so PostgreSQL walks the index from the top,
probes the (rater, image) unique indexes of ratings and skips for each entry,
stops after QUEUE_TOP_K rows, and only then reads those K image rows by primary
key. The cost grows with K plus the number of top images this rater has already
seen, not with the size of the table. Since issue 24 the walk is by pages of the
index (`_top_unseen`): asked as one anti-join, PostgreSQL hashed a long-history
rater's every rating and sorted the whole queue instead. The plan below is the
one-query form's, as it was for a rater the planner did not misjudge. The plan on PostgreSQL 15 at 1 M images,
for a rater who already rated the top 2,000 (benchmarks/queue_benchmark.py prints
it; 12 ms cold here, 1 ms for a new rater):

    Limit (rows=32)
      ->  Nested Loop                                    (+ the dataset row)
            ->  Nested Loop
                  ->  Nested Loop Anti Join
                        ->  Nested Loop Anti Join
                              ->  Index Scan using queue_by_dataset on datasets_queueentry
                                    Index Cond: (dataset_id = 1)           rows=1570
                              ->  Index Only Scan using rating_once_per_rater on ratings_rating u0
                                    Index Cond: ((rater_id = 2) AND (image_id = datasets_queueentry.image_id))
                        ->  Index Only Scan using skip_once_per_rater on ratings_skip u0_1
                              Index Cond: ((rater_id = 2) AND (image_id = datasets_queueentry.image_id))
                  ->  Index Scan using datasets_image_pkey on datasets_image      loops=32
            ->  Seq Scan on datasets_dataset  (3 rows)

Median next_images_for: 4.8 ms at 10 k images, 5.0 ms at 1 M (ORDER BY random(): 877 ms).
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Sequence
from datetime import timedelta

from django.conf import settings
from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from ratings_site.datasets.models import Dataset, Image, QueueEntry
from ratings_site.raters.models import Rater
from ratings_site.ratings.models import CaptchaAnswer, Rating, ServedImage, Skip


def _unseen_by(rater: Rater, entries: QuerySet[QueueEntry]) -> QuerySet[QueueEntry]:
    return entries.filter(
        ~Exists(Rating.objects.filter(rater=rater, image=OuterRef("image_id"))),
        ~Exists(Skip.objects.filter(rater=rater, image=OuterRef("image_id"))),
    )


def _queue(dataset: Dataset | None, model_name: str | None = None, *, hide_nsfw: bool = False) -> QuerySet[QueueEntry]:
    entries = QueueEntry.objects.filter(dataset=dataset) if dataset is not None else QueueEntry.objects.filter(
        dataset__public=True
    )
    if hide_nsfw:
        # The condition of the partial indexes `sfw_queue_by_dataset` and `sfw_queue_order`, which PostgreSQL then
        # walks as it walks `queue_by_dataset` and `queue_order`
        # (tests/test_sfw_queue_uses_partial_index_on_postgresql.py).
        entries = entries.filter(nsfw=False)
    if model_name:
        # Images generated by this model (the `model` column of their source row, e.g. DiffusionDB-like sets of
        # generations). Not indexed: the walk down the queue index reads past other models' images, which is
        # cheap while the model is common in the dataset's top images.
        entries = entries.filter(image__source__model=model_name)
    return entries


def _queue_for(rater: Rater, dataset: Dataset | None, model_name: str | None = None) -> QuerySet[QueueEntry]:
    """The entries of the queue this rater may be served: not yet rated or skipped by them, and none of the NSFW
    ones (`QueueEntry.nsfw`) when they hide NSFW images."""
    return _unseen_by(rater, _queue(dataset, model_name, hide_nsfw=rater.hide_nsfw))


def _probes(rater: Rater) -> tuple[Subquery, Subquery]:
    """This rater's rating and skip of an entry's image (their ids, or null), each one probe of its (rater, image)
    unique index. Scalar subqueries, not EXISTS: PostgreSQL may turn an EXISTS into a hash of the rater's whole
    history; it never does so with a scalar subquery."""
    return (
        Subquery(Rating.objects.filter(rater=rater, image=OuterRef("image_id")).values("pk")[:1]),
        Subquery(Skip.objects.filter(rater=rater, image=OuterRef("image_id")).values("pk")[:1]),
    )


# The first page of the queue's index read for the top: QUEUE_TOP_K × this many entries.
QUEUE_PAGE_FACTOR = 4


def _top_unseen(
    rater: Rater, entries: QuerySet[QueueEntry], *, count: int, exclude: Sequence[int] = ()
) -> list[QueueEntry]:
    """The first `count` entries of `entries`, in queue order, that this rater has not rated or skipped (and not in
    `exclude`), with their image and its dataset: what `_queue_for(...)[:count]` selects.

    First from the top page of the index alone (count × QUEUE_PAGE_FACTOR entries, a LIMIT subquery that PostgreSQL
    can but walk `queue_by_dataset` or `queue_order` for), each entry probed on the (rater, image) unique indexes of
    ratings and skips: one query, whatever the rater's history. Asked as one anti-join over the whole queue,
    PostgreSQL hashed the rater's every rating and sorted every entry instead, once the rater had a few thousand
    ratings and the queue a few thousand entries (21 ms at 8,000 and 8,000, against 1–2 ms so; issue 24). The unseen
    entries come first, then seen ones, so that a non-empty page always answers a row, which says whether the queue
    goes on past the page (`more`). Only when the rater has seen nearly all of that page and the queue goes on is
    the whole queue asked, in the one anti-join (a second query): pages of the index read one after another cost
    more than that (3–7× at 1 M entries, for a rater who had rated the top 5,000).
    """
    ordered = entries.order_by("-priority", "shuffle").values("image_id")
    rated, skipped = _probes(rater)
    seen = Q(rated__isnull=False) | Q(skipped__isnull=False)
    if exclude:
        seen |= Q(image_id__in=list(exclude))
    size = count * QUEUE_PAGE_FACTOR
    # The page's entries, unseen first, as many as are wanted; then only those read with their image.
    first = (
        QueueEntry.objects.filter(image_id__in=ordered[:size])
        .annotate(rated=rated, skipped=skipped, seen=ExpressionWrapper(seen, output_field=BooleanField()))
        .order_by("seen", "-priority", "shuffle")
        .values("image_id")[:count]
    )
    rows = list(
        QueueEntry.objects.filter(image_id__in=first)
        .annotate(rated=rated, skipped=skipped)
        .annotate(seen=ExpressionWrapper(seen, output_field=BooleanField()), more=Subquery(ordered[size : size + 1]))
        .select_related("image__dataset")
        .order_by("seen", "-priority", "shuffle")
    )
    found = [entry for entry in rows if not entry.seen]
    if len(found) == count or not rows or rows[0].more is None:
        return found
    queue = _unseen_by(rater, entries).exclude(image_id__in=list(exclude)).select_related("image__dataset")
    return list(queue.order_by("-priority", "shuffle")[:count])


def _checks_for(rater: Rater) -> QuerySet[Image]:
    """The check images this rater may still be served: not hidden, never answered, not already served."""
    answered = CaptchaAnswer.objects.filter(rater=rater, image=OuterRef("pk"))
    served = ServedImage.objects.filter(rater=rater, image=OuterRef("pk"))
    # captcha_answer: a rating page's check (a best-of check has none: bestof.checks serves those).
    return Image.objects.filter(is_captcha=True, captcha_answer__isnull=False, hidden=False).filter(~Exists(answered), ~Exists(served))


def _pending_check_for(rater: Rater) -> Image | None:
    """The check image this rater was served and has not answered, if any: shown again before anything else, so
    that a reload, another tab or leaving is no way past it (it counts as a miss meanwhile)."""
    served = (
        ServedImage.objects.filter(rater=rater, is_check=True, image__hidden=False, image__captcha_answer__isnull=False)
        .select_related("image__dataset")
        .order_by("served_at")
        .first()
    )
    return served.image if served else None


def _captcha_for(rater: Rater, dataset: Dataset | None = None) -> Image | None:
    pool = _checks_for(rater).select_related("dataset")
    candidates: list[Image] = []
    if dataset is not None:
        # One that passes for this dataset's images; any other rather than none (a dataset without
        # captchas of its own must not be a way around the checks).
        candidates = list(pool.filter(source__poses_as=dataset.pk).order_by("shuffle")[: settings.QUEUE_TOP_K])
    if not candidates:
        candidates = list(pool.order_by("shuffle")[: settings.QUEUE_TOP_K])
    return random.choice(candidates) if candidates else None


def dataset_shown_for(image: Image) -> Dataset | None:
    """The dataset the rate page names for this image ("this one from ..."): its own; for a captcha, the
    public dataset it passes for (datasets.captchas), or else one picked by its id, always the same."""
    return datasets_shown_for([image])[image.pk]


def datasets_shown_for(images: Sequence[Image]) -> dict[int, Dataset | None]:
    """`dataset_shown_for` of each image, by its pk, in one query whatever their number (a page listing them)."""
    if not any(image.is_captcha for image in images):
        return {image.pk: image.dataset for image in images}
    public = list(Dataset.objects.filter(public=True).order_by("pk"))
    by_pk = {dataset.pk: dataset for dataset in public}
    shown: dict[int, Dataset | None] = {}
    for image in images:
        if not image.is_captcha:
            shown[image.pk] = image.dataset
            continue
        poses_as = image.source.get("poses_as") if isinstance(image.source, dict) else None
        found = by_pk.get(poses_as) if isinstance(poses_as, int) else None
        shown[image.pk] = found or (public[image.public_id.int % len(public)] if public else None)
    return shown


def next_images_for(
    rater: Rater,
    *,
    dataset: Dataset | None = None,
    prefer: uuid.UUID | None = None,
    exclude: Sequence[int] = (),
    count: int = 2,
    model_name: str | None = None,
) -> list[Image]:
    """Up to `count` distinct images for this rater: the one to show, then the ones to preload.

    A check image served to this rater and not yet answered comes first (`_pending_check_for`). `prefer` is the
    image the page preloaded last time (the views take it only from a signed upcoming token, ratings.cards): it is
    shown if still eligible, so the preload is not wasted, a check image as any other. `exclude` holds images to
    leave out of this answer (e.g. the one just rated, when the database is lagging). `model_name` keeps only
    images that model generated (the API's /v1/rating/new/<dataset>/<model>).

    Each answer draws a check image as one of its images with probability CAPTCHA_RATE; as the page shows the
    preloaded image next, a check drawn as the upcoming one is shown on the following card.
    """
    chosen: list[Image] = []
    pending = _pending_check_for(rater)
    if pending is not None and pending.pk not in exclude:
        chosen.append(pending)
    queue = _queue_for(rater, dataset, model_name).exclude(image_id__in=list(exclude)).select_related("image__dataset")
    # The top of the queue, read first: the preferred image (the card's upcoming one, drawn from this top a moment
    # ago) is nearly always in it, which spares a query of its own.
    top_entries = _top_unseen(
        rater, _queue(dataset, model_name, hide_nsfw=rater.hide_nsfw), count=settings.QUEUE_TOP_K, exclude=exclude
    )
    if prefer and not any(image.public_id == prefer for image in chosen):
        preferred = next((entry for entry in top_entries if entry.image.public_id == prefer), None)
        if preferred is None:
            preferred = queue.filter(image__public_id=prefer).first()
        if preferred is not None:
            chosen.append(preferred.image)
        else:
            check = _checks_for(rater).filter(public_id=prefer).exclude(pk__in=list(exclude)).select_related("dataset")
            chosen.extend(check[:1])
    if settings.CAPTCHA_RATE and random.random() < settings.CAPTCHA_RATE:
        captcha = _captcha_for(rater, dataset)
        if captcha is not None and captcha not in chosen:
            chosen.append(captcha)

    top = [entry for entry in top_entries if entry.image not in chosen]
    if top:
        best = top[0].priority
        near = [entry.image for entry in top if entry.priority >= best - settings.QUEUE_PRIORITY_TOLERANCE]
        rest = [entry.image for entry in top if entry.priority < best - settings.QUEUE_PRIORITY_TOLERANCE]
        chosen.extend(_spread(near) + rest)
    return chosen[:count]


def _spread(images: list[Image]) -> list[Image]:
    """A random order of near-equal images, each drawn with weight = the ratings it still wants (at least 1): a
    weighted shuffle (Efraimidis and Spirakis: sort by u ** (1 / weight), u uniform on [0, 1))."""
    wanted = settings.RATINGS_PER_IMAGE

    def key(image: Image) -> float:
        return random.random() ** (1.0 / max(wanted - image.ratings_count, 1))

    return sorted(images, key=key, reverse=True)


def next_image_for(rater: Rater, *, dataset: Dataset | None = None, model_name: str | None = None) -> Image | None:
    """The next image this rater should rate, or None when nothing is left for them."""
    images = next_images_for(rater, dataset=dataset, count=1, model_name=model_name)
    return images[0] if images else None


def images_wanting_ratings(dataset: Dataset | None = None) -> int:
    return _queue(dataset).count()


IMAGES_LEFT_CAP = 1000
# Counted up to IMAGES_LEFT_CAP + this: while the figure a rater was shown, less one for each card they answered
# since, is still over the cap, the page says "1,000+" without counting again (once every this many cards at most).
IMAGES_LEFT_SLACK = 100


def images_left_for(
    rater: Rater, *, dataset: Dataset | None = None, cap: int = IMAGES_LEFT_CAP, last_shown: int | None = None
) -> int:
    """How many images of the queue this rater has not seen yet: exact up to `cap`, and over it some figure up to
    `cap` + IMAGES_LEFT_SLACK + 1 (the page says "1,000+" over `cap`).

    `last_shown`: the figure of the card the rater just answered (ratings.cards carries it, signed). While one less
    is still over the cap, it stands, and nothing is counted: a rating POST of a rater with many images left asks
    nothing. Others' ratings may take images out meanwhile, so "1,000+" may stand for up to IMAGES_LEFT_SLACK cards
    after the queue fell under the cap; any figure at or under the cap is counted, exact.

    Counted as `_top_unseen` reads the top: over the top `bound` entries of the queue index alone, each probed on
    the rater's unique indexes (one query, whatever the rater's history). Over the cap there, the figure is "1,000+"
    whatever lies past them (it may then be less than the whole count, which only brings the next count sooner);
    the whole queue is counted only when the rater has seen more than IMAGES_LEFT_SLACK of those top entries and
    the queue goes on past them.
    """
    if last_shown is not None and last_shown - 1 > cap:
        return last_shown - 1
    bound = cap + IMAGES_LEFT_SLACK + 1
    ordered = _queue(dataset, hide_nsfw=rater.hide_nsfw).order_by("-priority", "shuffle").values("image_id")
    rated, skipped = _probes(rater)
    page = (
        QueueEntry.objects.filter(image_id__in=ordered[:bound])
        .annotate(rated=rated, skipped=skipped)
        .aggregate(read=Count("image_id"), unseen=Count("image_id", filter=Q(rated=None, skipped=None)))
    )
    if page["unseen"] > cap or page["read"] < bound:
        return page["unseen"]
    return _queue_for(rater, dataset)[:bound].count()


def has_undoable_rating(rater: Rater) -> bool:
    """Whether the rater's last rating can still be undone (within RATING_UNDO_MINUTES): U does something.
    A passed check's answer counts as a rating (it is undone like one: ratings.services.undo_rating)."""
    since = timezone.now() - timedelta(minutes=settings.RATING_UNDO_MINUTES)
    ratings = Rating.objects.filter(rater=rater, created_at__gte=since).order_by().values("pk")
    passed_checks = CaptchaAnswer.objects.filter(rater=rater, passed=True, created_at__gte=since).order_by().values("pk")
    return ratings.union(passed_checks, all=True).exists()  # one query


def rater_counts(rater: Rater) -> dict[str, int]:
    """The rater's ratings today (local time) and in all, for the page header and the kudos page: read from the
    rater's row (Rater.ratings_total, kept by ratings.services), no query. Passed checks count as ratings: to the
    rater they are ratings like any other."""
    return {"ratings_today": rater.ratings_on(timezone.localdate()), "ratings_total": rater.ratings_total}
