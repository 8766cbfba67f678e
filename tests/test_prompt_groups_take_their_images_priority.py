"""apply_priorities (prioritise_images, predict_aesthetics, train_predictor --reprioritise) gives each best-of prompt
group the highest queue priority among its images (0 when none of them is in the queue), with `dataset` only that
dataset's groups, in a number of queries that does not grow with the number of groups."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ratings_site.bestof.models import PromptGroup, PromptGroupImage
from ratings_site.bestof.priorities import apply_group_priorities
from ratings_site.datasets.models import Dataset, QueueEntry
from ratings_site.predictor.models import AestheticScore, PredictorVersion
from ratings_site.predictor.priorities import apply_priorities
from tests.helpers import priority_of


@pytest.fixture
def version(db) -> PredictorVersion:
    return PredictorVersion.objects.create(
        name="v", clip_model="tiny", embedding_dim=32, head_file="h", head_sha256="0" * 64, is_current=True
    )


def scored_groups(make_images, version, groups: int, *, dataset: str = "grouped", size: int = 3) -> list[PromptGroup]:
    """`groups` prompt groups of `size` scored images each (scores all different)."""
    images = make_images(groups * size, dataset=dataset)
    rng = np.random.default_rng(len(images))
    AestheticScore.objects.bulk_create(
        AestheticScore(image=image, version=version, score=float(score))
        for image, score in zip(images, rng.permutation(len(images)) + 1.0)
    )
    made = []
    for g in range(groups):
        group = PromptGroup.objects.create(
            dataset=images[0].dataset,
            prompt_key=hashlib.sha256(f"{dataset}-{g}".encode()).hexdigest(),
            prompt=f"prompt {g}",
            size=size,
        )
        PromptGroupImage.objects.bulk_create(
            PromptGroupImage(group=group, image=image, position=p + 1)
            for p, image in enumerate(images[g * size : (g + 1) * size])
        )
        made.append(group)
    return made


def members_highest(group: PromptGroup) -> float:
    priorities = [priority_of(member.image) for member in group.members.select_related("image")]
    return max((p for p in priorities if p is not None), default=0.0)


@pytest.mark.parametrize("strategy", ["score", "stratified", "random"])
def test_each_group_gets_its_images_highest_priority(make_images, version, strategy):
    groups = scored_groups(make_images, version, 30)
    out_of_queue = groups[0]
    QueueEntry.objects.filter(image__prompt_group_member__group=out_of_queue).delete()  # all rated meanwhile
    PromptGroup.objects.filter(pk=out_of_queue.pk).update(priority=0.7)

    summary = apply_priorities(strategy, seed=1)

    assert summary["groups_updated"] == len(groups)
    for group in groups:
        group.refresh_from_db()
        assert group.priority == pytest.approx(members_highest(group)), group
    assert out_of_queue.priority == 0.0
    assert len({group.priority for group in groups[1:]}) > 1  # the groups' order follows their images'


def test_only_the_datasets_groups_change(make_images, version):
    mine = scored_groups(make_images, version, 3, dataset="mine")
    others = scored_groups(make_images, version, 3, dataset="others")

    apply_priorities("score", dataset=Dataset.objects.get(slug="mine"))

    assert all(PromptGroup.objects.get(pk=group.pk).priority > 0 for group in mine)
    assert all(PromptGroup.objects.get(pk=group.pk).priority == 0.0 for group in others)


def test_unchanged_groups_are_not_written_again(make_images, version):
    scored_groups(make_images, version, 4)
    apply_priorities("score")

    assert apply_group_priorities() == 0


def queries_for(make_images, version, groups: int, dataset: str) -> int:
    scored_groups(make_images, version, groups, dataset=dataset)
    chosen = Dataset.objects.get(slug=dataset)
    with CaptureQueriesContext(connection) as queries:
        apply_group_priorities(dataset=chosen)
    return len(queries)


def test_the_query_count_does_not_grow_with_the_groups(make_images, version):
    few = queries_for(make_images, version, 2, "few")
    many = queries_for(make_images, version, 40, "many")

    assert many == few <= 4  # the bounds, then one UPDATE (in its transaction) per id range


def test_groups_are_written_in_id_ranges(make_images, version):
    groups = scored_groups(make_images, version, 10)
    apply_priorities("score")
    PromptGroup.objects.update(priority=0.0)

    with CaptureQueriesContext(connection) as queries:
        changed = apply_group_priorities(chunk_ids=3)

    updates = [query for query in queries.captured_queries if query["sql"].startswith("UPDATE")]
    assert changed == 10
    assert len(updates) == (groups[-1].pk - groups[0].pk) // 3 + 1
