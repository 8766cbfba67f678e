"""Agreement per dataset (Krippendorff's alpha), kept by a bounded incremental job: `refresh_agreement`.

What it keeps (reliability.models): each image's share of its dataset's figures (AgreementUnit: the histograms of
its counted ratings and artifacts, and its counted ratings per UTC day), and per dataset the sums of those shares
(DatasetAgreement: the coincidence matrices, the value histograms, how many images have 1, 2, ... counted ratings)
with the two alphas computed from the matrices (reliability.alpha: interval metric on the 1..10 ratings, ordinal on
the 0..5 artifacts); and the sums of the units' days per day and dataset (DailyRatings: the counted ratings that
exist now, by the day they were made). Every figure is a sum of units, so taking a unit's old share out and putting
its new one in keeps them all exact: a rating undone leaves its day, one put back (a new row) is counted once.

How it finds what changed, so that a run costs what changed and not all ratings:
- New ratings, by id after AgreementProgress.last_rating_id (the watermark): their images are read again. PostgreSQL
  hands out ids before the rows commit, so a rating with a lower id may become visible after one with a higher id.
  The job therefore takes only ratings created more than SAFETY_LAG ago, and stops before the first younger one:
  the watermark never passes a rating still being written (assuming no rating's transaction stays open longer than
  the lag).
- Every other change of an image's counted ratings marks the image (StaleUnit): a rating saved again (a change),
  a rating deleted (an undo, or a cascade: its image, its rater deleted), and
  `ratings.signals.counted_ratings_changed` (ratings.counting's invalidations, restorings, bans and unbans), and
  `datasets.signals.images_hidden_changed` (an image hidden or shown again: a hidden image's ratings are left out of
  the agreement, as the export leaves them out, and stay in the ratings per day). The marks are written in the
  change's transaction; a delete of many ratings (a queryset of images, a dataset's images) writes its marks in one
  query, not one a rating. The job deletes a batch of marks first and reads the images' ratings after, so that a
  change committed meanwhile either is read now or leaves a new mark for the next run.
- An image deleted outright leaves its unit behind (the unit has no constraint on its image), and its ratings'
  deletion marks it: the job finds no counted rating, takes the share out and deletes the unit. A dataset deleted
  takes its units, its totals and its days with it (a cascade): nothing is left to take out.
- For each touched image (in batches of IMAGES_BATCH, a handful of queries a batch, none per image) it reads the
  image's counted ratings, takes the image's old share out of its dataset's totals and days, puts the new one in and
  stores the unit. The alphas are then computed again from the matrices.

`refresh_agreement(full=True)` forgets every share and count and takes in every rating again, from the first: the
same figures from scratch. The incremental job needs it for nothing it is told of; it is the check that the kept
figures are right, and the repair after ratings or images changed behind the ORM's back (raw SQL, a restored
backup), which leaves no mark.

One run is one transaction under a row lock on AgreementProgress, so two runs never interleave.
"""

from __future__ import annotations

import threading
import weakref
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from django.db import transaction
from django.db.models import Max, Min, Q
from django.db.models.signals import post_delete, post_save, pre_delete
from django.utils import timezone

from ratings_site.datasets.signals import images_hidden_changed
from ratings_site.ratings.models import Rating
from ratings_site.ratings.scales import ARTIFACTS_MAX, ARTIFACTS_MIN, RATING_MAX, RATING_MIN
from ratings_site.ratings.signals import counted_ratings_changed
from ratings_site.reliability import alpha
from ratings_site.reliability.models import AgreementProgress, AgreementUnit, DailyRatings, DatasetAgreement, StaleUnit

SAFETY_LAG = timedelta(seconds=60)
RATINGS_BATCH = 5000  # new ratings read at a time
IMAGES_BATCH = 1000  # images read again at a time
PROGRESS_ROW = 1

RATING_VALUES = RATING_MAX - RATING_MIN + 1  # 10: index 0 is a rating of 1
ARTIFACTS_VALUES = ARTIFACTS_MAX - ARTIFACTS_MIN + 1  # 6: index 0 is artifacts 0


@dataclass(frozen=True)
class AgreementRun:
    """What one run did: the new ratings it took in, the images it read again, where its watermark now stands."""

    ratings_taken: int
    images_read: int
    last_rating_id: int


def refresh_agreement(
    *,
    full: bool = False,
    now: datetime | None = None,
    lag: timedelta = SAFETY_LAG,
    progress: Callable[[int], object] | None = None,
) -> AgreementRun:
    """Bring the agreement figures and the ratings per day up to date (see the module). `now` is the clock the lag
    is counted from; `progress` is called with the number of new ratings each batch took in."""
    now = now or timezone.now()
    started = timezone.now()
    with transaction.atomic():
        state = AgreementProgress.objects.select_for_update().get_or_create(pk=PROGRESS_ROW)[0]
        job = _Job(now)
        if full:
            job.forget_everything(state)
        target = _ready_watermark(state.last_rating_id, now - lag)
        taken = 0
        while state.last_rating_id < target:
            rows = list(
                Rating.objects.filter(pk__gt=state.last_rating_id, pk__lte=target)
                .order_by("pk")
                .values_list("pk", "image_id")[:RATINGS_BATCH]
            )
            if not rows:
                break
            job.take_in(sorted({image_id for _, image_id in rows}))
            state.last_rating_id = rows[-1][0]
            taken += len(rows)
            if progress is not None:
                progress(len(rows))
        while True:
            marked = list(
                StaleUnit.objects.filter(marked_at__lte=started)
                .order_by("image_id")
                .values_list("image_id", flat=True)[:IMAGES_BATCH]
            )
            if not marked:
                break
            # The marks go first, then the ratings are read: a change committed in between is read now, or marks
            # the image again (a mark newer than this run's start stays).
            StaleUnit.objects.filter(image_id__in=marked, marked_at__lte=started).delete()
            job.take_in(marked)
        job.save()
        state.computed_at = now
        state.save(update_fields=["last_rating_id", "computed_at"])
    return AgreementRun(ratings_taken=taken, images_read=job.images_read, last_rating_id=state.last_rating_id)


def pending_ratings(*, full: bool = False) -> int:
    """How many ratings the next run would read (for a progress bar): those after the watermark, or all."""
    if full:
        return Rating.objects.count()
    last = AgreementProgress.objects.filter(pk=PROGRESS_ROW).values_list("last_rating_id", flat=True).first() or 0
    return Rating.objects.filter(pk__gt=last).count()


def _ready_watermark(last: int, cutoff: datetime) -> int:
    """The highest id the job may take in now: every rating after `last` and up to it was created before `cutoff`
    (one aggregate over the ratings after the watermark, on the primary key)."""
    found = Rating.objects.filter(pk__gt=last).aggregate(
        ready=Max("pk", filter=Q(created_at__lte=cutoff)),
        young=Min("pk", filter=Q(created_at__gt=cutoff)),
    )
    ready, young = found["ready"], found["young"]
    if ready is None:
        return last
    if young is not None:
        ready = min(ready, young - 1)
    return max(ready, last)


# A unit's histograms: (ratings, artifacts), lists of counts per value.
Share = tuple[list[int], list[int]]
# A unit's counted ratings per UTC day, by the day's ISO date (JSON keys are strings).
Days = dict[str, int]


def _zeros(size: int) -> list[int]:
    return [0] * size


class _Job:
    """One run's working state: the datasets' totals it touched, the days it counted, written by `save`."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self.totals: dict[int, DatasetAgreement] = {}
        self.new_totals: set[int] = set()
        self.days: Counter[tuple[date, int]] = Counter()
        self.images_read = 0

    def forget_everything(self, state: AgreementProgress) -> None:
        """Start again from the first rating: no unit, no mark, no day counted; every dataset's totals at zero."""
        AgreementUnit.objects.all().delete()
        StaleUnit.objects.all().delete()
        DailyRatings.objects.all().delete()
        for row in DatasetAgreement.objects.all():
            self.totals[row.dataset_id] = _reset(row)
        state.last_rating_id = 0

    def _load(self, dataset_ids: Iterable[int]) -> None:
        missing = set(dataset_ids) - set(self.totals)
        if not missing:
            return
        for row in DatasetAgreement.objects.filter(dataset_id__in=missing):
            self.totals[row.dataset_id] = _normalised(row)
            missing.discard(row.dataset_id)
        for dataset_id in missing:
            self.totals[dataset_id] = _reset(DatasetAgreement(dataset_id=dataset_id))
            self.new_totals.add(dataset_id)

    def take_in(self, image_ids: list[int]) -> None:
        for start in range(0, len(image_ids), IMAGES_BATCH):
            self._take_in_batch(image_ids[start : start + IMAGES_BATCH])

    def _take_in_batch(self, image_ids: list[int]) -> None:
        """Read these images' counted ratings; replace their old shares by the new ones (five queries at most).

        An image with a unit and no counted rating left (all undone or uncounted, or the image deleted outright:
        its unit outlives it) has its share taken out and its unit deleted."""
        fresh: dict[int, tuple[int, Share, Days]] = {}
        for image_id, dataset_id, hidden, rating, artifacts, created_at in Rating.objects.filter(
            image_id__in=image_ids, counts=True
        ).values_list("image_id", "image__dataset_id", "image__hidden", "rating", "artifacts", "created_at"):
            if image_id not in fresh:
                fresh[image_id] = (dataset_id, (_zeros(RATING_VALUES), _zeros(ARTIFACTS_VALUES)), {})
            (ratings, artifacts_counts), days = fresh[image_id][1:]
            day = created_at.astimezone(UTC).date().isoformat()
            days[day] = days.get(day, 0) + 1
            if hidden:
                continue  # left out of the agreement, as the export leaves it out; still a rating made that day
            ratings[rating - RATING_MIN] += 1
            if artifacts is not None:
                artifacts_counts[artifacts - ARTIFACTS_MIN] += 1
        units = {unit.image_id: unit for unit in AgreementUnit.objects.filter(image_id__in=image_ids)}
        self._load({dataset_id for dataset_id, *_ in fresh.values()} | {unit.dataset_id for unit in units.values()})
        created, updated, gone = [], [], []
        for image_id in image_ids:
            unit, new = units.get(image_id), fresh.get(image_id)
            if unit is not None:
                old = (unit.dataset_id, (unit.ratings, unit.artifacts), unit.days)
                if new is not None and new == old:
                    continue  # unchanged
                self._apply(*old, -1)
            if new is not None:
                self._apply(*new, +1)
                dataset_id, (ratings, artifacts_counts), days = new
                row = AgreementUnit(
                    image_id=image_id, dataset_id=dataset_id, ratings=ratings, artifacts=artifacts_counts, days=days
                )
                (updated if unit is not None else created).append(row)
            elif unit is not None:
                gone.append(image_id)
        if created:
            AgreementUnit.objects.bulk_create(created)
        if updated:
            AgreementUnit.objects.bulk_update(updated, ["dataset", "ratings", "artifacts", "days"])
        if gone:
            AgreementUnit.objects.filter(image_id__in=gone).delete()
        self.images_read += len(image_ids)

    def _apply(self, dataset_id: int, share: Share, days: Days, sign: int) -> None:
        for day, count in days.items():
            self.days[(date.fromisoformat(day), dataset_id)] += sign * count
        totals = self.totals[dataset_id]
        ratings, artifacts = share
        alpha.add_unit(totals.rating_coincidences, ratings, sign)
        alpha.add_unit(totals.artifacts_coincidences, artifacts, sign)
        for histogram, counts in ((totals.rating_histogram, ratings), (totals.artifacts_histogram, artifacts)):
            for value, count in enumerate(counts):
                histogram[value] += sign * count
        m = sum(ratings)
        if m:
            per_image = totals.ratings_per_image
            per_image.extend([0] * (m - len(per_image)))
            per_image[m - 1] += sign

    def save(self) -> None:
        """Write the touched datasets' totals with their alphas, and the days counted (a few queries)."""
        for totals in self.totals.values():
            _tidy(totals)
            totals.rating_alpha = alpha.alpha(totals.rating_coincidences, alpha.INTERVAL)
            totals.artifacts_alpha = alpha.alpha(totals.artifacts_coincidences, alpha.ORDINAL)
            totals.computed_at = self.now
        created = [self.totals[pk] for pk in self.new_totals]
        kept = [totals for pk, totals in self.totals.items() if pk not in self.new_totals]
        if created:
            DatasetAgreement.objects.bulk_create(created)
        if kept:
            DatasetAgreement.objects.bulk_update(kept, _TOTALS_FIELDS)
        self._save_days()

    def _save_days(self) -> None:
        """Add the days' changes (units' old day counts out, new ones in) to DailyRatings; a day that falls to 0
        loses its row, as a rebuild would not write it (four queries at most)."""
        changes = {key: change for key, change in self.days.items() if change}
        if not changes:
            return
        existing = {
            (row.day, row.dataset_id): row
            for row in DailyRatings.objects.filter(
                day__in={day for day, _ in changes}, dataset_id__in={dataset_id for _, dataset_id in changes}
            )
        }
        created, updated, emptied = [], [], []
        for (day, dataset_id), change in changes.items():
            row = existing.get((day, dataset_id))
            if row is None:
                created.append(DailyRatings(day=day, dataset_id=dataset_id, ratings=change))
            elif row.ratings + change:
                row.ratings += change
                updated.append(row)
            else:
                emptied.append(row.pk)
        if created:
            DailyRatings.objects.bulk_create(created)
        if updated:
            DailyRatings.objects.bulk_update(updated, ["ratings"])
        if emptied:
            DailyRatings.objects.filter(pk__in=emptied).delete()


_TOTALS_FIELDS = [
    "rating_alpha",
    "artifacts_alpha",
    "rating_coincidences",
    "artifacts_coincidences",
    "rating_histogram",
    "artifacts_histogram",
    "ratings_per_image",
    "computed_at",
]


def _reset(row: DatasetAgreement) -> DatasetAgreement:
    row.rating_coincidences = alpha.empty_matrix(RATING_VALUES)
    row.artifacts_coincidences = alpha.empty_matrix(ARTIFACTS_VALUES)
    row.rating_histogram = _zeros(RATING_VALUES)
    row.artifacts_histogram = _zeros(ARTIFACTS_VALUES)
    row.ratings_per_image = []
    return row


def _normalised(row: DatasetAgreement) -> DatasetAgreement:
    """A stored row, with the shapes the job adds to (a row never computed holds empty lists)."""
    if len(row.rating_coincidences) != RATING_VALUES or len(row.artifacts_coincidences) != ARTIFACTS_VALUES:
        return _reset(row)
    row.ratings_per_image = list(row.ratings_per_image or [])
    return row


def _tidy(totals: DatasetAgreement) -> None:
    """Rounding dust from taking shares out (1e-16) back to exact zeros; no trailing zeros per image."""
    for matrix in (totals.rating_coincidences, totals.artifacts_coincidences):
        for row in matrix:
            for k, value in enumerate(row):
                if abs(value) < 1e-9:
                    row[k] = 0.0
    per_image = totals.ratings_per_image
    while per_image and per_image[-1] == 0:
        per_image.pop()


# Marking images whose counted ratings changed other than by a new rating -----------------------------------------


def mark_stale(image_ids: Iterable[int]) -> None:
    """Note that these images' counted ratings changed: the next run reads them again. An image marked already has
    its mark's time moved on (an upsert), so that a run reading it meanwhile keeps the newer mark."""
    image_ids = sorted(set(image_ids))
    for start in range(0, len(image_ids), IMAGES_BATCH):
        StaleUnit.objects.bulk_create(
            [StaleUnit(image_id=image_id) for image_id in image_ids[start : start + IMAGES_BATCH]],
            update_conflicts=True,
            unique_fields=["image_id"],
            update_fields=["marked_at"],
        )


def _on_rating_saved(sender, instance: Rating, created: bool, raw: bool = False, **kwargs) -> None:
    if not created and not raw:  # a new rating is found by its id
        mark_stale([instance.image_id])


class _Deleting(threading.local):
    """The images of the ratings one delete is taking away (a Collector.delete: one `origin`, a model instance or
    a queryset, held by a weak reference so that its rows are not kept alive), gathered by their pre_delete signals
    and marked at their first post_delete."""

    origin: Callable[[], object | None] = staticmethod(lambda: None)
    image_ids: set[int]

    def __init__(self) -> None:
        self.image_ids = set()


_deleting = _Deleting()


def _on_rating_deleting(sender, instance: Rating, origin: object = None, **kwargs) -> None:
    """Gather the image of a rating about to go. Django sends every pre_delete of a delete before it deletes
    anything, and every post_delete after, all in the deleting transaction: a delete of many images (their ratings
    go by cascade), of a rater, or of a queryset of ratings then marks their images in one query, not one a
    rating."""
    if origin is None:
        return  # its post_delete marks it alone
    if _deleting.origin() is not origin:  # a new delete (one that failed before its post_delete left nothing due)
        try:
            held = weakref.ref(origin)
        except TypeError:
            return  # an origin that cannot be held weakly: each post_delete marks its own image
        _deleting.origin, _deleting.image_ids = held, set()
    _deleting.image_ids.add(instance.image_id)


def _on_rating_deleted(sender, instance: Rating, origin: object = None, **kwargs) -> None:
    if origin is not None and _deleting.origin() is origin:
        if _deleting.image_ids:  # the delete's first post_delete: all of its images at once
            mark_stale(_deleting.image_ids)
            _deleting.image_ids = set()
        return  # marked with the others
    mark_stale([instance.image_id])  # a post_delete sent without its pre_delete


def _on_counted_ratings_changed(sender, image_ids: Iterable[int], **kwargs) -> None:
    mark_stale(image_ids)


def connect() -> None:
    """Listen for changed and deleted ratings, for bulk changes of which count, and for images hidden or shown again
    (ReliabilityConfig.ready)."""
    post_save.connect(_on_rating_saved, sender=Rating, dispatch_uid="reliability.agreement.rating_saved")
    pre_delete.connect(_on_rating_deleting, sender=Rating, dispatch_uid="reliability.agreement.rating_deleting")
    post_delete.connect(_on_rating_deleted, sender=Rating, dispatch_uid="reliability.agreement.rating_deleted")
    counted_ratings_changed.connect(
        _on_counted_ratings_changed, dispatch_uid="reliability.agreement.counted_ratings_changed"
    )
    images_hidden_changed.connect(_on_counted_ratings_changed, dispatch_uid="reliability.agreement.hidden_changed")
