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
- Holds (RATING_HOLD_SECONDS; 0 turns them off): an image served to a rater holds one of its remaining slots for
  that long (ratings.models.ServedImage, written as the pages show or preload it and as the API's rating/new hands it
  out; gone when the rater answers it). An entry's free slots are RATINGS_PER_IMAGE less its ratings less the holds
  of *other* raters (`_held_sql`); one whose slots left are all held is passed over, and `_spread` weighs by the
  free slots. A rater's own hold never hides an image from them. Holds make the race for the last slot rare; the
  save's claim (ratings.services.rate_image) still refuses the rating past RATINGS_PER_IMAGE.
- Captcha images are mixed in at CAPTCHA_RATE, each at most once per rater (answered, skipped or
  reported: see ratings.services); when the rater rates one dataset, preferably one that passes for
  that dataset's images (datasets.captchas). The card names, for a captcha, the dataset it passes for
  (`dataset_shown_for`), so that nothing on the page tells it from a dataset image.

Cost
No random ordering in SQL and no full scan: the indexes `queue_by_dataset` and `queue_order` of the queue
table (and their partial twins for raters hiding NSFW images) hold only images still wanting ratings, in
(priority DESC, shuffle) order. A card costs two light queries (`next_images_for`):
- the rater's pending check (ids only) and the top page of the queue, in one raw statement
  (`_pending_check_and_top_unseen`): for the top, PostgreSQL walks the index from the top for QUEUE_TOP_K ×
  QUEUE_PAGE_FACTOR + 1 entries, reads each one's image row by primary key for the two columns the choice needs
  (public id, ratings count), and probes an index of ratings and of skips on (rater, image) for each, and the
  holds' index `holds_by_image` on (image, served_at) for its other raters' fresh holds. Rows, not
  model objects: raw SQL around the ORM's page, so that the queue's filters stay in `_queue`. Only when the rater
  has seen nearly all of the page and the queue goes on is the rest asked, as one anti-join (a second query);
- the images answered (two at most on a card), read whole with their dataset, in one query by primary key.
The cost grows with the page plus the number of top images this rater has already seen, not with the size of
the table. The top page's plan on PostgreSQL 15 at 200,000 entries, one dataset's queue, for a rater who rated
the top 5,000 of all datasets (0.8 ms, EXPLAIN ANALYZE):

    Subquery Scan on page  (rows=129)
      ->  Limit
            ->  Nested Loop
                  ->  Index Scan using queue_by_dataset on datasets_queueentry   rows=129
                        Index Cond: (dataset_id = 2)
                  ->  Index Scan using datasets_image_pkey on datasets_image      loops=129
      SubPlan 1
        ->  Index Scan using ratings_rating_image_id_... on ratings_rating        loops=129
              Index Cond: (image_id = page.image_id)   Filter: (rater_id = 2)
      SubPlan 2
        ->  Index Scan using ratings_skip_image_id_... on ratings_skip

(measured before the pending check joined the statement: the page is now `CTE page` and `CTE Scan on page`, the
same walk, under an Append with the pending check's one row.) The holds' probe adds, per entry of the page, a Bitmap
Index Scan on `holds_by_image` (Index Cond: image_id = page.image_id AND served_at > ...; Filter: rater_id <> the
rater): at 50,000 entries with 3,000 fresh holds on the top images, 3.4 ms against 2.5 ms for the statement without
it (medians of 6 × 30 runs alternating, PostgreSQL 15, a shared 2-core machine under other load: noisy).
The `next_images` phase of benchmarks/request_path_profile.py (PostgreSQL, 5,000 images, a 2-core machine, runs
back to back): p50 3.8–4.0 ms per htmx card, against 8.3–9.0 ms for the form before (the top as ORM annotations
and nested subqueries, 32 queue entries built as models with their image and dataset, the pending check as a
model). At 200,000 entries, the same rater's queue of all datasets needs the anti-join: 13 ms (EXPLAIN ANALYZE).
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Sequence
from datetime import timedelta
from typing import NamedTuple

from django.conf import settings
from django.db import connection
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Value
from django.db.models.expressions import RawSQL
from django.utils import timezone

from ratings_site.compiled_queries import quoted_column, quoted_table
from ratings_site.datasets.models import Dataset, Image, QueueEntry
from ratings_site.raters.models import Rater
from ratings_site.ratings.models import CaptchaAnswer, Rating, ServedImage, Skip


def _unseen_by(rater: Rater, entries: QuerySet[QueueEntry]) -> QuerySet[QueueEntry]:
    return entries.filter(
        ~Exists(Rating.objects.filter(rater=rater, image=OuterRef("image_id"))),
        ~Exists(Skip.objects.filter(rater=rater, image=OuterRef("image_id"))),
    )


def _queue(dataset: Dataset | None, model_name: str | None = None, *, hide_nsfw: bool = False) -> QuerySet[QueueEntry]:
    entries = (
        QueueEntry.objects.filter(dataset=dataset)
        if dataset is not None
        else QueueEntry.objects.filter(dataset__public=True)
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


class _Entry(NamedTuple):
    """An entry of the queue's top as the choice needs it: no model objects (building them for every entry of the
    top cost more than the query; the chosen images are read afterwards, in one query)."""

    image_id: int
    priority: float
    shuffle: float
    public_id: uuid.UUID
    ratings_count: int
    seen: bool = False
    held: int = 0  # other raters' fresh holds of the image (`_held_sql`)

    @property
    def free(self) -> int:
        """The rating slots of the image still free for this rater: wanted, less its ratings, less others' holds."""
        return settings.RATINGS_PER_IMAGE - self.ratings_count - self.held

    @property
    def held_by_others(self) -> bool:
        """Whether other raters' holds take every slot the image has left: the queue passes it over. An entry with no
        hold is never passed over here, so that a stale entry of a full image is still served, refused and healed
        (ratings.services.rate_image takes it out of the queue)."""
        return self.held > 0 and self.free <= 0


def _page(entries: QuerySet[QueueEntry], size: int, columns: Sequence[str]) -> tuple[str, list]:
    """SQL for these `columns` of `entries`' first `size` rows in queue order: a LIMIT that PostgreSQL walks
    `queue_by_dataset`, `queue_order` or their partial twins for, reading an image's row (for `image__` columns) by
    primary key only for the rows it answers. The queue's filters are `_queue`'s, compiled, not copied."""
    ordered = entries.order_by("-priority", "shuffle").values_list(*columns)[:size]
    sql, params = ordered.query.get_compiler(connection=connection).as_sql()
    return sql, list(params)


# Image.public_id, to read the column as the field does from raw SQL (SQLite answers its hex text).
_PUBLIC_ID = Image._meta.get_field("public_id")


def _seen_sql(image_id: str) -> str:
    """SQL that is true where the rater (two %s: their id, twice) rated or skipped the image whose id is the outer
    query's `image_id`: each a scalar subquery, one index probe of ratings or skips (the (rater, image) unique
    index, or the image's own where the planner deems it as good). Not EXISTS: PostgreSQL may turn an EXISTS into
    a hash of the rater's whole history; it never does so with a scalar subquery."""
    probes = (
        f"(SELECT 1 FROM {quoted_table(model)} WHERE {quoted_column(model, 'rater')} = %s "
        f"AND {quoted_column(model, 'image')} = {image_id}) IS NOT NULL"
        for model in (Rating, Skip)
    )
    return " OR ".join(probes)


def _held_sql(image_id: str) -> str:
    """SQL of the number of fresh holds other raters have on the image whose id is the outer query's `image_id` (two
    %s: the time RATING_HOLD_SECONDS ago, and the rater's id: `_hold_params`): their serves of it younger than that
    (ratings.models.ServedImage; check images are no queue entries). A scalar subquery, one probe of the partial
    index `holds_by_image` on (image, served_at), as `_seen_sql`'s probes are."""
    served = ServedImage
    return (
        f"(SELECT COUNT(*) FROM {quoted_table(served)} WHERE {quoted_column(served, 'image')} = {image_id} "
        f"AND NOT {quoted_column(served, 'is_check')} AND {quoted_column(served, 'served_at')} > %s "
        f"AND {quoted_column(served, 'rater')} <> %s)"
    )


def _hold_params(rater: Rater) -> list:
    """The parameters of `_held_sql`, for this rater now."""
    since = timezone.now() - timedelta(seconds=settings.RATING_HOLD_SECONDS)
    return [connection.ops.adapt_datetimefield_value(since), rater.pk]


def _not_held_by_others(rater: Rater, entries: QuerySet[QueueEntry]) -> QuerySet[QueueEntry]:
    """`entries` less those whose slots other raters' holds all take (`_Entry.held_by_others`), as an ORM filter,
    each annotated with `held`: for the queries that read past the top's page (the top filters its own rows). Holds
    off, all of them."""
    if settings.RATING_HOLD_SECONDS <= 0:
        return entries.annotate(held=Value(0))
    image_id = f"{quoted_table(QueueEntry)}.{quoted_column(QueueEntry, 'image')}"
    held = entries.annotate(held=RawSQL(_held_sql(image_id), _hold_params(rater)))
    return held.filter(Q(held=0) | Q(held__lt=settings.RATINGS_PER_IMAGE - F("image__ratings_count")))


# The first page of the queue's index read for the top: QUEUE_TOP_K × this many entries.
QUEUE_PAGE_FACTOR = 4


def _pending_check_sql() -> str:
    """SQL of the rater's (one %s) pending check: the check image they were served and have not answered, as (its
    id, its public id), at most one row. Their served checks (the partial index `pending_check`), the oldest served
    first, of an image not hidden and with its answer (a best-of check has none: bestof.checks serves those). Raw:
    asked for every card, and the ORM's building of this join cost four times the query (0.5 ms against 0.1 ms on
    PostgreSQL)."""
    served_image = quoted_column(ServedImage, "image")
    return (
        f"SELECT s.{served_image}, i.{quoted_column(Image, 'public_id')} FROM {quoted_table(ServedImage)} s "
        f"INNER JOIN {quoted_table(Image)} i ON i.{quoted_column(Image, 'id')} = s.{served_image} "
        f"WHERE s.{quoted_column(ServedImage, 'rater')} = %s AND s.{quoted_column(ServedImage, 'is_check')} "
        f"AND NOT i.{quoted_column(Image, 'hidden')} AND i.{quoted_column(Image, 'captcha_answer')} IS NOT NULL "
        f"ORDER BY s.{quoted_column(ServedImage, 'served_at')} LIMIT 1"
    )


def _pending_check_for(rater: Rater) -> tuple[int, uuid.UUID] | None:
    """The rater's pending check alone (`_pending_check_sql`), in a query of its own. A card reads it with the top
    of the queue instead, in one statement (`_pending_check_and_top_unseen`)."""
    with connection.cursor() as cursor:
        cursor.execute(_pending_check_sql(), [rater.pk])
        row = cursor.fetchone()
    return (row[0], _PUBLIC_ID.to_python(row[1])) if row else None


def _top_unseen(
    rater: Rater, entries: QuerySet[QueueEntry], *, count: int, exclude: Sequence[int] = ()
) -> list[_Entry]:
    """The top alone: `_pending_check_and_top_unseen` without the pending check."""
    return _pending_check_and_top_unseen(rater, entries, count=count, exclude=exclude, pending_check=False)[1]


def _pending_check_and_top_unseen(
    rater: Rater,
    entries: QuerySet[QueueEntry],
    *,
    count: int,
    exclude: Sequence[int] = (),
    pending_check: bool = True,
) -> tuple[tuple[int, uuid.UUID] | None, list[_Entry]]:
    """The rater's pending check (`_pending_check_sql`; None when `pending_check` is false), and the first `count`
    entries of `entries`, in queue order, that this rater has not rated or skipped (and not in `exclude`) and whose
    slots left other raters do not all hold (`_Entry.held_by_others`): what `_queue_for(...)[:count]` selects, less
    those, as `_Entry` rows.

    One statement reads both: a card needs both, and the pending check in a query of its own cost a database round
    trip more (issue 24). Its row comes after the page's (UNION ALL), marked 1 in a last column (the page's rows
    0), the columns it has no value for NULL.

    The top is read first from the top page of the index alone (count × QUEUE_PAGE_FACTOR entries and one more,
    which says whether the queue goes on past the page), each entry probed on the (rater, image) unique indexes of
    ratings and skips and on `holds_by_image` for others' holds (while holds are on), and its image row read by
    primary key for the two columns the choice reads: one light query,
    whatever the rater's history. Raw SQL around the ORM's page (`_page`): the ORM built the same as nested
    subqueries and annotations, whose building and compiling cost more than the database's answer, and PostgreSQL
    hashed the page against a scan of the whole queue table. Asked as one anti-join over the whole queue,
    PostgreSQL hashed the rater's every rating and sorted every entry instead, once the rater had a few thousand
    ratings and the queue a few thousand entries (21 ms at 8,000 and 8,000, against 1–2 ms so; issue 24). Only
    when the rater has seen nearly all of that page and the queue goes on is the whole queue asked, in the one
    anti-join (a second query): pages of the index read one after another cost more than that (3–7× at 1 M
    entries, for a rater who had rated the top 5,000).
    """
    size = count * QUEUE_PAGE_FACTOR
    columns = ("image_id", "priority", "shuffle", "image__public_id", "image__ratings_count")
    page, params = _page(entries, size + 1, columns)
    # The page's rows come back in no particular order (an ORDER BY around the page would be a sort of its own);
    # they are put in queue order here.
    holds = settings.RATING_HOLD_SECONDS > 0
    sql = f"SELECT page.*, {_seen_sql('page.image_id')}, {_held_sql('page.image_id') if holds else 0}, 0 FROM page"
    if pending_check:
        # MATERIALIZED (PostgreSQL 12+, SQLite 3.35+): the page planned on its own, as without the UNION ALL.
        # Inlined into the UNION ALL, PostgreSQL walked the queue index of all datasets for one dataset's page
        # (tests/test_sfw_queue_uses_partial_index_on_postgresql.py).
        cte = "AS MATERIALIZED"
        sql += " UNION ALL SELECT image_id, NULL, NULL, public_id, NULL, NULL, NULL, 1 FROM pending_check"
        params.append(rater.pk)
        pending_sql = f", pending_check (image_id, public_id) AS ({_pending_check_sql()})"
    else:
        cte, pending_sql = "AS", ""
    sql = f"WITH page (image_id, priority, shuffle, public_id, ratings_count) {cte} ({page}){pending_sql} {sql}"
    params += [rater.pk, rater.pk]  # the probes of `_seen_sql`
    if holds:
        params += _hold_params(rater)
    pending: tuple[int, uuid.UUID] | None = None
    rows: list[_Entry] = []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for pk, priority, shuffle, public_id, ratings, seen, held, is_pending_check in cursor.fetchall():
            if is_pending_check:
                pending = (pk, _PUBLIC_ID.to_python(public_id))
            else:
                public_id = _PUBLIC_ID.to_python(public_id)
                rows.append(_Entry(pk, priority, shuffle, public_id, ratings, bool(seen), held))
    rows.sort(key=lambda entry: (-entry.priority, entry.shuffle))
    eligible = (entry for entry in rows[:size] if not entry.seen and not entry.held_by_others)
    found = [entry for entry in eligible if entry.image_id not in exclude][:count]
    if len(found) == count or len(rows) <= size:  # the top, or the whole queue
        return pending, found
    queue = _not_held_by_others(rater, _unseen_by(rater, entries)).exclude(image_id__in=list(exclude))
    rest = queue.order_by("-priority", "shuffle").values_list(*columns, Value(False), "held")[:count]
    return pending, [_Entry(*row) for row in rest]


def _checks_for(rater: Rater) -> QuerySet[Image]:
    """The check images this rater may still be served: not hidden, never answered, not already served."""
    answered = CaptchaAnswer.objects.filter(rater=rater, image=OuterRef("pk"))
    served = ServedImage.objects.filter(rater=rater, image=OuterRef("pk"))
    # captcha_answer: a rating page's check (a best-of check has none: bestof.checks serves those).
    return Image.objects.filter(is_captcha=True, captcha_answer__isnull=False, hidden=False).filter(
        ~Exists(answered), ~Exists(served)
    )


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

    A check image served to this rater and not yet answered comes first (`_pending_check_and_top_unseen`). `prefer`
    is the image the page preloaded last time (the views take it only from a signed upcoming token, ratings.cards):
    it is shown if still eligible, so the preload is not wasted, a check image as any other. `exclude` holds images to
    leave out of this answer (e.g. the one just rated, when the database is lagging). `model_name` keeps only
    images that model generated (the API's /v1/rating/new/<dataset>/<model>).

    Each answer draws a check image as one of its images with probability CAPTCHA_RATE; as the page shows the
    preloaded image next, a check drawn as the upcoming one is shown on the following card.
    """
    chosen: list[int] = []  # image ids, in the order they are answered
    images: dict[int, Image] = {}  # those of them already read
    # The pending check and the top of the queue, read first and together (one statement): the preferred image (the
    # card's upcoming one, drawn from this top a moment ago) is nearly always in the top, which spares a query of
    # its own.
    pending, top_entries = _pending_check_and_top_unseen(
        rater, _queue(dataset, model_name, hide_nsfw=rater.hide_nsfw), count=settings.QUEUE_TOP_K, exclude=exclude
    )
    if pending is not None and pending[0] not in exclude:
        chosen.append(pending[0])
    pending_shown = pending[1] if chosen and pending is not None else None
    if prefer and prefer != pending_shown:
        preferred = next((entry for entry in top_entries if entry.public_id == prefer), None)
        if preferred is not None:
            chosen.append(preferred.image_id)
        else:
            queue = _not_held_by_others(rater, _queue_for(rater, dataset, model_name)).exclude(
                image_id__in=list(exclude)
            )
            entry = queue.filter(image__public_id=prefer).select_related("image__dataset").first()
            check = None
            if entry is None:
                checks = _checks_for(rater).filter(public_id=prefer).exclude(pk__in=list(exclude))
                check = checks.select_related("dataset").first()
            image = entry.image if entry is not None else check
            if image is not None:
                chosen.append(image.pk)
                images[image.pk] = image
    if settings.CAPTCHA_RATE and random.random() < settings.CAPTCHA_RATE:
        captcha = _captcha_for(rater, dataset)
        if captcha is not None and captcha.pk not in chosen:
            chosen.append(captcha.pk)
            images[captcha.pk] = captcha

    top = [entry for entry in top_entries if entry.image_id not in chosen]
    if top:
        best = top[0].priority
        near = [entry for entry in top if entry.priority >= best - settings.QUEUE_PRIORITY_TOLERANCE]
        rest = [entry for entry in top if entry.priority < best - settings.QUEUE_PRIORITY_TOLERANCE]
        chosen.extend(entry.image_id for entry in _spread(near) + rest)
    chosen = chosen[:count]
    # The chosen images, with their dataset, in one query (an image deleted meanwhile is left out).
    unread = [pk for pk in chosen if pk not in images]
    if unread:
        images.update(Image.objects.select_related("dataset").in_bulk(unread))
    return [images[pk] for pk in chosen if pk in images]


def _spread(entries: list[_Entry]) -> list[_Entry]:
    """A random order of near-equal entries, each drawn with weight = the rating slots its image has free for this
    rater (`_Entry.free`: the ratings it still wants, less others' holds; at least 1): a weighted shuffle (Efraimidis
    and Spirakis: sort by u ** (1 / weight), u uniform on [0, 1))."""

    def key(entry: _Entry) -> float:
        return random.random() ** (1.0 / max(entry.free, 1))

    return sorted(entries, key=key, reverse=True)


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

    Counted as `_pending_check_and_top_unseen` reads the top: over the top `bound` entries of the queue index alone,
    each probed on the rater's unique indexes (one query, whatever the rater's history). Over the cap there, the
    figure is "1,000+" whatever lies past them (it may then be less than the whole count, which only brings the next
    count sooner); the whole queue is counted only when the rater has seen more than IMAGES_LEFT_SLACK of those top
    entries and the queue goes on past them.
    """
    if last_shown is not None and last_shown - 1 > cap:
        return last_shown - 1
    bound = cap + IMAGES_LEFT_SLACK + 1
    page, params = _page(_queue(dataset, hide_nsfw=rater.hide_nsfw), bound, ["image_id"])
    # Raw around the ORM's page, as in `_pending_check_and_top_unseen`: the ORM's form hashed the page against a scan
    # of the queue.
    sql = (
        f"WITH page (image_id) AS ({page}) "
        f"SELECT COUNT(*), COALESCE(SUM(CASE WHEN {_seen_sql('page.image_id')} THEN 0 ELSE 1 END), 0) FROM page"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, rater.pk, rater.pk])
        read, unseen = cursor.fetchone()
    if unseen > cap or read < bound:
        return unseen
    return _queue_for(rater, dataset)[:bound].count()


def has_undoable_rating(rater: Rater) -> bool:
    """Whether the rater's last rating can still be undone (within RATING_UNDO_MINUTES): U does something.
    A passed check's answer counts as a rating (it is undone like one: ratings.services.undo_rating)."""
    since = timezone.now() - timedelta(minutes=settings.RATING_UNDO_MINUTES)
    ratings = Rating.objects.filter(rater=rater, created_at__gte=since).order_by().values("pk")
    passed_checks = (
        CaptchaAnswer.objects.filter(rater=rater, passed=True, created_at__gte=since).order_by().values("pk")
    )
    return ratings.union(passed_checks, all=True).exists()  # one query


def rater_counts(rater: Rater) -> dict[str, int]:
    """The rater's ratings today (local time) and in all, for the page header and the kudos page: read from the
    rater's row (Rater.ratings_total, kept by ratings.services), no query. Passed checks count as ratings: to the
    rater they are ratings like any other."""
    return {"ratings_today": rater.ratings_on(timezone.localdate()), "ratings_total": rater.ratings_total}
