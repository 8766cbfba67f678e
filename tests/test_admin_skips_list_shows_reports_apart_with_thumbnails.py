"""The admin's skips list opens on reports, apart from plain skips (a filter away), each row with its image's
thumbnail linking to the image's page."""

from __future__ import annotations

import pytest

from tests.moderation_helpers import horde_rater, report

pytestmark = pytest.mark.usefixtures("no_captchas")
LIST = "/admin/ratings/skip/"


def test_the_list_opens_on_reports_with_a_thumbnail_linking_to_the_image(moderator_client, make_images):
    reported, skipped = make_images(2)
    report(horde_rater(), reported, "watermark", "a logo in the corner")
    report(horde_rater(), skipped, "skipped")

    page = moderator_client.get(LIST).content.decode()

    assert "a logo in the corner" in page
    assert f'href="/admin/datasets/image/{reported.pk}/change/"' in page
    assert f'src="{reported.thumbnail_src}"' in page
    assert f"/admin/datasets/image/{skipped.pk}/change/" not in page


def test_plain_skips_and_all_are_a_filter_away(moderator_client, make_images):
    reported, skipped = make_images(2)
    report(horde_rater(), reported, "nsfw")
    report(horde_rater(), skipped, "skipped")

    skips = moderator_client.get(LIST, {"kind": "skips"}).content.decode()
    everything = moderator_client.get(LIST, {"kind": "all"}).content.decode()

    assert f"/admin/datasets/image/{skipped.pk}/change/" in skips
    assert f"/admin/datasets/image/{reported.pk}/change/" not in skips
    assert all(f"/admin/datasets/image/{image.pk}/change/" in everything for image in (reported, skipped))
