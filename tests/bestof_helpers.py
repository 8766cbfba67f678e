"""Prompt groups for the best-of tests: images that share a caption, grouped as `refresh_prompt_groups` groups them."""

from __future__ import annotations

import itertools
import uuid

from ratings_site.bestof.models import PromptGroup
from ratings_site.bestof.selectors import GroupToPick, group_to_pick
from ratings_site.bestof.services import refresh_prompt_groups
from ratings_site.datasets.models import Dataset, Image
from ratings_site.raters.models import Rater

_counter = itertools.count()


def make_prompt_images(count: int, *, prompt: str | None = None, dataset: str = "best-set", **fields) -> list[Image]:
    """`count` URL images of one dataset sharing one prompt (a new prompt unless given)."""
    ds, _ = Dataset.objects.get_or_create(slug=dataset, defaults={"name": dataset.replace("-", " ").title()})
    prompt = prompt or f"a lighthouse in a storm, number {next(_counter)}"
    return Image.objects.bulk_create(
        Image(
            dataset=ds,
            url=f"https://images.example.org/{dataset}/{uuid.uuid4().hex}.jpg",
            caption=prompt,
            dedupe_key=uuid.uuid4().hex,
            **fields,
        )
        for _ in range(count)
    )


def make_prompt_groups(groups: int, *, size: int = 4, dataset: str = "best-set", priority: float = 0.0) -> list[GroupToPick]:
    """`groups` prompt groups of `size` images each (2 to 4), built by refresh_prompt_groups."""
    images = [make_prompt_images(size, dataset=dataset) for _ in range(groups)]
    refresh_prompt_groups(Dataset.objects.filter(slug=dataset))
    made = list(PromptGroup.objects.filter(members__image=batch[0]).get() for batch in images)
    PromptGroup.objects.filter(pk__in=[group.pk for group in made]).update(priority=priority)
    return [group_to_pick(PromptGroup.objects.get(pk=group.pk)) for group in made]


def fresh_raters(count: int, start: int = 7000) -> list[Rater]:
    return [Rater.objects.create(username=f"Picker#{start + n}", horde_id=start + n) for n in range(count)]
