"""The queue: which image a rater sees next. The one place that decides it.

Rules
- An image wants RATINGS_PER_IMAGE ratings; once it has them it leaves the queue
  (its `QueueEntry` row goes: the queue is that narrow table, kept by
  datasets.services.refresh_queue and by the rating rule in ratings.services).
- A rater never sees an image they rated, skipped or reported.
- Higher `priority` first (the predictor fills it); among near-equals (within
  QUEUE_PRIORITY_TOLERANCE of the best) the choice is random, so that concurrent
  raters spread over images instead of all racing for the same one.
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
seen, not with the size of the table. The plan on PostgreSQL 15 at 1 M images,
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
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from ratings_site.datasets.models import Dataset, Image, QueueEntry
from ratings_site.raters.models import Rater
from ratings_site.ratings.models import CaptchaAnswer, Rating, Skip


def _unseen_by(rater: Rater, entries: QuerySet[QueueEntry]) -> QuerySet[QueueEntry]:
    return entries.filter(
        ~Exists(Rating.objects.filter(rater=rater, image=OuterRef("image_id"))),
        ~Exists(Skip.objects.filter(rater=rater, image=OuterRef("image_id"))),
    )


def _queue(dataset: Dataset | None) -> QuerySet[QueueEntry]:
    if dataset is not None:
        return QueueEntry.objects.filter(dataset=dataset)
    return QueueEntry.objects.filter(dataset__public=True)


def _captcha_for(rater: Rater, dataset: Dataset | None = None) -> Image | None:
    answered = CaptchaAnswer.objects.filter(rater=rater, image=OuterRef("pk"))
    pool = Image.objects.filter(is_captcha=True, hidden=False).filter(~Exists(answered)).select_related("dataset")
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
    if not image.is_captcha:
        return image.dataset
    public = Dataset.objects.filter(public=True).order_by("pk")
    poses_as = image.source.get("poses_as") if isinstance(image.source, dict) else None
    shown = public.filter(pk=poses_as).first() if isinstance(poses_as, int) else None
    if shown is None:
        count = public.count()
        shown = public[image.public_id.int % count] if count else None
    return shown


def next_images_for(
    rater: Rater,
    *,
    dataset: Dataset | None = None,
    prefer: uuid.UUID | None = None,
    exclude: Sequence[int] = (),
    count: int = 2,
) -> list[Image]:
    """Up to `count` distinct images for this rater: the one to show, then the ones to preload.

    `prefer` is the image the page preloaded last time: it is shown if still
    eligible, so the preload is not wasted. `exclude` holds images to leave out of
    this answer (e.g. the one just rated, when the database is lagging).
    """
    chosen: list[Image] = []
    queue = _unseen_by(rater, _queue(dataset)).exclude(image_id__in=list(exclude)).select_related("image__dataset")
    if prefer:
        preferred = queue.filter(image__public_id=prefer).first()
        if preferred is not None:
            chosen.append(preferred.image)
    if settings.CAPTCHA_RATE and random.random() < settings.CAPTCHA_RATE:
        captcha = _captcha_for(rater, dataset)
        if captcha is not None:
            chosen.append(captcha)

    top = [entry for entry in queue.order_by("-priority", "shuffle")[: settings.QUEUE_TOP_K] if entry.image not in chosen]
    if top:
        best = top[0].priority
        near = [entry.image for entry in top if entry.priority >= best - settings.QUEUE_PRIORITY_TOLERANCE]
        rest = [entry.image for entry in top if entry.priority < best - settings.QUEUE_PRIORITY_TOLERANCE]
        random.shuffle(near)
        chosen.extend(near + rest)
    return chosen[:count]


def next_image_for(rater: Rater, *, dataset: Dataset | None = None) -> Image | None:
    """The next image this rater should rate, or None when nothing is left for them."""
    images = next_images_for(rater, dataset=dataset, count=1)
    return images[0] if images else None


def images_wanting_ratings(dataset: Dataset | None = None) -> int:
    return _queue(dataset).count()


IMAGES_LEFT_CAP = 1000


def images_left_for(rater: Rater, *, dataset: Dataset | None = None, cap: int = IMAGES_LEFT_CAP) -> int:
    """How many images of the queue this rater has not seen yet, counted up to `cap` (the page says "1,000+").

    Bounded work at any size: the count stops at cap + 1 entries of the queue index.
    """
    return _unseen_by(rater, _queue(dataset))[: cap + 1].count()


def has_undoable_rating(rater: Rater) -> bool:
    """Whether the rater's last rating can still be undone (within RATING_UNDO_MINUTES): U does something."""
    since = timezone.now() - timedelta(minutes=settings.RATING_UNDO_MINUTES)
    return Rating.objects.filter(rater=rater, created_at__gte=since).exists()


def rater_counts(rater: Rater) -> dict[str, int]:
    """The rater's ratings today (local time) and in all, for the page header and the kudos page."""
    start_of_day = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    ratings = Rating.objects.filter(rater=rater)
    return {"ratings_today": ratings.filter(created_at__gte=start_of_day).count(), "ratings_total": ratings.count()}
