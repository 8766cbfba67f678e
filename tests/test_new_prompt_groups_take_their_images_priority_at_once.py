"""refresh_prompt_groups (after an import) gives each group it makes the highest queue priority among its images at
once, so a new group does not wait at 0 behind every other until the next prioritisation; the groups already there
keep the priority the predictor gave them."""

from __future__ import annotations

from ratings_site.bestof.models import PromptGroup
from ratings_site.bestof.services import refresh_prompt_groups
from ratings_site.datasets.models import Dataset, Image, QueueEntry


def test_a_new_group_takes_its_images_highest_priority(make_images) -> None:
    shared = make_images(3, dataset="prompts")
    alone = make_images(2, dataset="prompts")
    Image.objects.filter(pk__in=[image.pk for image in shared]).update(caption="a lighthouse at dusk")
    Image.objects.filter(pk__in=[image.pk for image in alone]).update(caption="a fox in the snow")
    for image, priority in zip(shared + alone, [0.2, 0.9, 0.4, 0.3, 0.1], strict=True):
        QueueEntry.objects.filter(image=image).update(priority=priority)

    refresh_prompt_groups([Dataset.objects.get(slug="prompts")])

    priorities = dict(PromptGroup.objects.values_list("prompt", "priority"))
    assert priorities == {"a lighthouse at dusk": 0.9, "a fox in the snow": 0.3}


def test_the_groups_already_there_keep_their_priority(make_images) -> None:
    first = make_images(2, dataset="prompts")
    Image.objects.filter(pk__in=[image.pk for image in first]).update(caption="a lighthouse at dusk")
    dataset = Dataset.objects.get(slug="prompts")
    refresh_prompt_groups([dataset])
    PromptGroup.objects.update(priority=0.7)  # as the predictor last left it
    later = make_images(2, dataset="prompts", priority=0.2)
    Image.objects.filter(pk__in=[image.pk for image in later]).update(caption="a fox in the snow")

    refresh_prompt_groups([dataset])

    priorities = dict(PromptGroup.objects.values_list("prompt", "priority"))
    assert priorities == {"a lighthouse at dusk": 0.7, "a fox in the snow": 0.2}
