"""A prompt group's place in the best-of queue follows its images' places in the rating queue.

Each group's priority is the highest queue priority among its images (QueueEntry.priority, which the predictor
sets: predictor.priorities), 0 when none of them is in the queue. The highest rather than the mean: a group is
worth showing as soon as one of its images is one the predictor most wants judged, and under `stratified` or
`random` priorities the mean of 2 to 4 images drifts toward 0.5 for every group, which would flatten the groups'
order; under `score` the highest puts the groups holding the best predicted images first, the pairs that most
decide the top of the ranking.

Called when the images' priorities are written (predictor.priorities.apply_priorities), for every group, and when
groups are made (bestof.services.refresh_prompt_groups), for the new ones, so a new group never waits at 0 for the
next prioritisation (and the groups already there keep theirs). Written in
bulk: one UPDATE per range of GROUP_CHUNK_IDS group ids, each computing its groups' priorities in the database (a
GROUP BY over their members joined to the queue), no query per group.
"""

from __future__ import annotations

from django.db import connection, transaction
from django.db.models import Max, Min

from ratings_site.bestof.models import PromptGroup, PromptGroupImage
from ratings_site.datasets.models import Dataset, QueueEntry

GROUP_CHUNK_IDS = 50_000  # prompt-group ids per UPDATE (and transaction)


def apply_group_priorities(
    *, dataset: Dataset | None = None, after_id: int = 0, chunk_ids: int = GROUP_CHUNK_IDS
) -> int:
    """Set each prompt group's priority to the highest queue priority among its images (0 when none of them is in
    the queue); with `dataset`, only that dataset's groups; with `after_id`, only the groups made after that id
    (the new ones). One UPDATE per `chunk_ids` group ids, each its own transaction, writing only the groups whose
    priority changes; returns how many changed."""
    groups = PromptGroup.objects.all() if dataset is None else PromptGroup.objects.filter(dataset=dataset)
    groups = groups.filter(pk__gt=after_id)
    bounds = groups.aggregate(low=Min("pk"), high=Max("pk"))
    if bounds["low"] is None:
        return 0
    quote = connection.ops.quote_name
    group_table, member_table = quote(PromptGroup._meta.db_table), quote(PromptGroupImage._meta.db_table)
    queue_table = quote(QueueEntry._meta.db_table)
    group_id, member_group = quote(PromptGroup._meta.pk.column), quote(PromptGroupImage._meta.get_field("group").column)
    member_image, queue_image = (
        quote(PromptGroupImage._meta.get_field("image").column),
        quote(QueueEntry._meta.pk.column),
    )
    in_dataset = f" AND {group_table}.{quote(PromptGroup._meta.get_field('dataset').column)} = %s" if dataset else ""
    sql = (
        f"UPDATE {group_table} SET priority = computed.priority FROM ("
        f"SELECT member.{member_group} AS group_id, COALESCE(MAX(entry.priority), 0.0) AS priority "
        f"FROM {member_table} AS member LEFT JOIN {queue_table} AS entry ON entry.{queue_image} = member.{member_image} "
        f"WHERE member.{member_group} BETWEEN %s AND %s GROUP BY member.{member_group}) AS computed "
        f"WHERE {group_table}.{group_id} = computed.group_id AND {group_table}.priority <> computed.priority{in_dataset}"
    )
    updated = 0
    with connection.cursor() as cursor:
        for low in range(bounds["low"], bounds["high"] + 1, chunk_ids):
            params = [low, low + chunk_ids - 1] + ([dataset.pk] if dataset else [])
            with transaction.atomic():
                cursor.execute(sql, params)
                updated += cursor.rowcount
    return updated
