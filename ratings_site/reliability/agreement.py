"""Agreement per dataset (Krippendorff's alpha), kept by a bounded incremental job: `refresh_agreement`.

What it keeps (reliability.models): each image's share of its dataset's figures (AgreementUnit: the histograms of
its counted ratings and artifacts), and per dataset the sums of those shares (DatasetAgreement: the coincidence
matrices, the value histograms, how many images have 1, 2, ... counted ratings) with the two alphas computed from
the matrices (reliability.alpha: interval metric on the 1..10 ratings, ordinal on the 0..5 artifacts); and how
many ratings were made per day and dataset (DailyRatings).

How it finds what changed, so that a run costs what changed and not all ratings:
- New ratings, by id after AgreementProgress.last_rating_id (the watermark). PostgreSQL hands out ids before the
  rows commit, so a rating with a lower id may become visible after one with a higher id. The job therefore takes
  only ratings created more than SAFETY_LAG ago, and stops before the first younger one: the watermark never passes
  a rating still being written (assuming no rating's transaction stays open longer than the lag), and no rating is
  taken twice. DailyRatings count exactly the counted ratings between the old and the new watermark.
- Every other change of an image's counted ratings marks the image (StaleUnit): a rating saved again (a change),
  a rating deleted (an undo, a cascade), and `ratings.signals.counted_ratings_changed` (ratings.counting's
  invalidations, restorings, bans and unbans), and `datasets.signals.images_hidden_changed` (an image hidden or
  shown again: a hidden image's ratings are left out, as the export leaves them out). The marks are written after the change, in its transaction; the
  job deletes a batch of marks first and reads the images' ratings after, so that a change committed meanwhile
  either is read now or leaves a new mark for the next run.
- For each touched image (in batches of IMAGES_BATCH, a handful of queries a batch, none per image) it reads the
  image's counted ratings, takes the image's old share out of its dataset's totals, puts the new one in and stores
  the unit. The alphas are then computed again from the matrices.

`refresh_agreement(full=True)` forgets every share and count and takes in every rating again, from the first:
the same figures from scratch (a check, and the repair after an image was deleted outright, whose share the
incremental job cannot take out: the unit goes with the image).

One run is one transaction under a row lock on AgreementProgress, so two runs never interleave.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from django.db import transaction
from django.db.models import Max, Min, Q
from django.db.models.signals import post_delete, post_save
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
                .values_list("pk", "image_id", "counts", "created_at", "image__dataset_id")[:RATINGS_BATCH]
            )
            if not rows:
                break
            job.take_in(sorted({image_id for _, image_id, *_ in rows}))
            job.count_days((created_at, dataset_id) for _, _, counts, created_at, dataset_id in rows if counts)
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
        """Read these images' counted ratings; replace their old shares by the new ones (five queries at most)."""
        fresh: dict[int, tuple[int, Share]] = {}
        for image_id, dataset_id, rating, artifacts in Rating.objects.filter(
            image_id__in=image_ids, counts=True, image__hidden=False
        ).values_list("image_id", "image__dataset_id", "rating", "artifacts"):
            if image_id not in fresh:
                fresh[image_id] = (dataset_id, (_zeros(RATING_VALUES), _zeros(ARTIFACTS_VALUES)))
            ratings, artifacts_counts = fresh[image_id][1]
            ratings[rating - RATING_MIN] += 1
            if artifacts is not None:
                artifacts_counts[artifacts - ARTIFACTS_MIN] += 1
        units = {unit.image_id: unit for unit in AgreementUnit.objects.filter(image_id__in=image_ids)}
        self._load({dataset_id for dataset_id, _ in fresh.values()} | {unit.dataset_id for unit in units.values()})
        created, updated, gone = [], [], []
        for image_id in image_ids:
            unit, new = units.get(image_id), fresh.get(image_id)
            if unit is not None:
                if new is not None and new == (unit.dataset_id, (unit.ratings, unit.artifacts)):
                    continue  # unchanged
                self._apply(unit.dataset_id, (unit.ratings, unit.artifacts), -1)
            if new is not None:
                dataset_id, (ratings, artifacts_counts) = new
                self._apply(dataset_id, (ratings, artifacts_counts), +1)
                row = AgreementUnit(
                    image_id=image_id, dataset_id=dataset_id, ratings=ratings, artifacts=artifacts_counts
                )
                (updated if unit is not None else created).append(row)
            elif unit is not None:
                gone.append(image_id)
        if created:
            AgreementUnit.objects.bulk_create(created)
        if updated:
            AgreementUnit.objects.bulk_update(updated, ["dataset", "ratings", "artifacts"])
        if gone:
            AgreementUnit.objects.filter(image_id__in=gone).delete()
        self.images_read += len(image_ids)

    def _apply(self, dataset_id: int, share: Share, sign: int) -> None:
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

    def count_days(self, ratings: Iterable[tuple[datetime, int]]) -> None:
        for created_at, dataset_id in ratings:
            self.days[(created_at.astimezone(UTC).date(), dataset_id)] += 1

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
        if not self.days:
            return
        existing = {
            (row.day, row.dataset_id): row
            for row in DailyRatings.objects.filter(
                day__in={day for day, _ in self.days}, dataset_id__in={dataset_id for _, dataset_id in self.days}
            )
        }
        created, updated = [], []
        for (day, dataset_id), count in self.days.items():
            row = existing.get((day, dataset_id))
            if row is None:
                created.append(DailyRatings(day=day, dataset_id=dataset_id, ratings=count))
            else:
                row.ratings += count
                updated.append(row)
        if created:
            DailyRatings.objects.bulk_create(created)
        if updated:
            DailyRatings.objects.bulk_update(updated, ["ratings"])


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


def _on_rating_deleted(sender, instance: Rating, **kwargs) -> None:
    mark_stale([instance.image_id])


def _on_counted_ratings_changed(sender, image_ids: Iterable[int], **kwargs) -> None:
    mark_stale(image_ids)


def connect() -> None:
    """Listen for changed and deleted ratings, for bulk changes of which count, and for images hidden or shown again
    (ReliabilityConfig.ready)."""
    post_save.connect(_on_rating_saved, sender=Rating, dispatch_uid="reliability.agreement.rating_saved")
    post_delete.connect(_on_rating_deleted, sender=Rating, dispatch_uid="reliability.agreement.rating_deleted")
    counted_ratings_changed.connect(
        _on_counted_ratings_changed, dispatch_uid="reliability.agreement.counted_ratings_changed"
    )
    images_hidden_changed.connect(_on_counted_ratings_changed, dispatch_uid="reliability.agreement.hidden_changed")
