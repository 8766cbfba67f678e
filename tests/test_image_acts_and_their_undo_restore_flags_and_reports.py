"""Hiding, NSFW-marking and tagging an image take it out of the queue (hiding out of the export), can resolve its
open reports in the same act, and each undo restores the flags and reopens exactly the reports it resolved."""

from __future__ import annotations

import pytest

from ratings_site.datasets.models import Image
from ratings_site.exports.services import ratings_to_export
from ratings_site.moderation import actions
from ratings_site.moderation.models import ImageTag, ModerationAction
from ratings_site.ratings.models import Skip
from tests.helpers import in_queue
from tests.moderation_helpers import horde_rater, rate, report

pytestmark = pytest.mark.usefixtures("no_captchas")


def _open_reports(image) -> int:
    return Skip.objects.filter(image=image, resolved_at__isnull=True).exclude(reason="skipped").count()


def test_hiding_from_the_reports_resolves_them_and_the_undo_reopens_them(make_images):
    image, other = make_images(2)
    rate(horde_rater(), image, 6)
    report(horde_rater(), image, "nsfw", "nudity")
    report(horde_rater(), image, "watermark")
    skipped_by = horde_rater()
    report(skipped_by, image, "skipped")
    report(horde_rater(), other, "broken")

    act = actions.hide_image(actor=None, image=image, reason="nudity", resolve_reports=True)

    assert Image.objects.get(pk=image.pk).hidden
    assert not in_queue(image)
    assert not ratings_to_export().filter(image=image).exists()
    assert _open_reports(image) == 0 and _open_reports(other) == 1
    assert len(act.subject_ids["reports"]) == 2  # reports only, not the plain skip
    with pytest.raises(actions.ActionRefused, match="already hidden"):
        actions.hide_image(actor=None, image=image)

    back = actions.undo(actor=None, action=act)

    assert back.kind == ModerationAction.Kind.UNHIDE
    assert not Image.objects.get(pk=image.pk).hidden
    assert in_queue(image)
    assert ratings_to_export().filter(image=image).exists()
    assert _open_reports(image) == 2


def test_tagging_nsfw_marks_the_image_and_the_undo_removes_tag_and_mark(make_images):
    image = make_images(1)[0]
    report(horde_rater(), image, "nsfw")

    act = actions.tag_image(actor=None, image=image, tag="nsfw", resolve_reports=True)

    assert Image.objects.get(pk=image.pk).nsfw and not in_queue(image)
    assert ImageTag.objects.filter(image=image, tag="nsfw").exists()
    assert _open_reports(image) == 0
    with pytest.raises(actions.ActionRefused, match="already tagged"):
        actions.tag_image(actor=None, image=image, tag="nsfw")
    with pytest.raises(actions.ActionRefused, match="Unknown tag"):
        actions.tag_image(actor=None, image=image, tag="ugly")

    actions.undo(actor=None, action=act)

    assert not Image.objects.get(pk=image.pk).nsfw and in_queue(image)
    assert not ImageTag.objects.filter(image=image).exists()
    assert _open_reports(image) == 1


def test_tagging_an_image_already_marked_nsfw_leaves_the_mark_on_undo(make_images):
    image = make_images(1)[0]
    actions.mark_nsfw(actor=None, image=image)
    act = actions.tag_image(actor=None, image=image, tag="nsfw")
    actions.undo(actor=None, action=act)
    assert Image.objects.get(pk=image.pk).nsfw


def test_dismissing_reports_leaves_the_image_and_can_be_reopened(make_images):
    image = make_images(1)[0]
    report(horde_rater(), image, "other", "looks fine to me")

    act = actions.resolve_reports(actor=None, image=image, reason="nothing wrong")

    assert _open_reports(image) == 0 and in_queue(image)
    with pytest.raises(actions.ActionRefused, match="no open reports"):
        actions.resolve_reports(actor=None, image=image)
    actions.undo(actor=None, action=act)
    assert _open_reports(image) == 1


def test_marking_nsfw_and_unmarking_each_undo_the_other(make_images):
    image = make_images(1)[0]
    act = actions.mark_nsfw(actor=None, image=image, reason="nudity")
    assert not in_queue(image)
    back = actions.undo(actor=None, action=act)
    assert back.kind == ModerationAction.Kind.UNMARK_NSFW and in_queue(image)
    with pytest.raises(actions.ActionRefused, match="act again"):
        actions.undo(actor=None, action=back)
