"""`refresh_prompt_groups` cuts the images of a dataset that share a prompt into groups of 2 to 4: prompts compared
with whitespace collapsed and case folded, large prompts split evenly, lone images and captchas left out, and
running it again adds only what is missing."""

from __future__ import annotations

import io

from django.core.management import call_command

from ratings_site.bestof.models import PromptGroup, PromptGroupImage
from ratings_site.bestof.services import refresh_prompt_groups, split_sizes
from tests.bestof_helpers import make_prompt_images


def test_groups_are_two_to_four_images_split_evenly():
    assert split_sizes(1) == []
    assert [split_sizes(n) for n in (2, 3, 4, 5, 6, 7, 8, 9, 10)] == [
        [2], [3], [4], [3, 2], [3, 3], [4, 3], [4, 4], [3, 3, 3], [4, 3, 3],
    ]


def test_images_sharing_a_prompt_are_grouped(db):
    nine = make_prompt_images(9, prompt="A castle at dusk")
    make_prompt_images(1, prompt="a  castle AT dusk ")  # the same prompt, written differently
    pair = make_prompt_images(2, prompt="two cats")
    make_prompt_images(1, prompt="a lone dog")
    make_prompt_images(2, prompt="a check image", is_captcha=True)

    report = refresh_prompt_groups()

    assert (report.groups_created, report.images_grouped) == (4, 12)
    castle = PromptGroup.objects.filter(prompt="A castle at dusk").order_by("part")
    assert [(g.part, g.size) for g in castle] == [(0, 4), (1, 3), (2, 3)]
    assert set(PromptGroupImage.objects.filter(group__in=castle).values_list("image_id", flat=True)) >= {
        image.pk for image in nine
    }
    two = PromptGroup.objects.get(prompt="two cats")
    assert [m.image_id for m in two.members.all()] == [image.pk for image in pair]
    assert [m.position for m in two.members.all()] == [1, 2]
    assert all(group.wants_picks and group.picks_count == 0 for group in PromptGroup.objects.all())


def test_running_it_again_adds_only_new_groups(db):
    make_prompt_images(3, prompt="a red boat")
    refresh_prompt_groups()
    assert refresh_prompt_groups().groups_created == 0

    make_prompt_images(1, prompt="a red boat")
    assert refresh_prompt_groups().groups_created == 0  # one new image waits for another
    make_prompt_images(1, prompt="A red boat")
    report = refresh_prompt_groups()

    assert (report.groups_created, report.images_grouped) == (1, 2)
    assert list(PromptGroup.objects.order_by("part").values_list("part", "size")) == [(0, 3), (1, 2)]


def test_the_command(db):
    make_prompt_images(4, prompt="a green field", dataset="fields")
    make_prompt_images(2, prompt="a green field", dataset="elsewhere")
    out = io.StringIO()

    call_command("refresh_prompt_groups", "--dataset", "fields", stdout=out)

    assert "1 created (4 images)" in out.getvalue()
    assert PromptGroup.objects.get().dataset.slug == "fields"
