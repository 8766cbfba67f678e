"""The reports queue shows open reports grouped per image, the most reported first, then the most recently
reported; plain skips and resolved reports never appear; the reasons come with their counts and the raters' notes
are escaped and cut short."""

from __future__ import annotations

import re
from datetime import timedelta

from django.utils import timezone

from ratings_site.moderation import actions
from ratings_site.ratings.models import Skip
from tests.moderation_helpers import horde_rater, report

QUEUE = "/admin/moderation/reports/"


def _reported(image, reason: str, note: str = "", *, minutes_ago: int) -> None:
    rater = horde_rater()
    report(rater, image, reason, note)
    Skip.objects.filter(rater=rater, image=image).update(created_at=timezone.now() - timedelta(minutes=minutes_ago))


def _rows(html: str) -> list[str]:
    return re.findall(r'class="reported-image" data-image="([0-9a-f-]+)"', html)


def test_reports_are_grouped_per_image_most_reported_then_latest_first(moderator_client, make_images):
    most, latest, older, skipped, resolved = make_images(5)
    _reported(most, "nsfw", minutes_ago=50)
    _reported(most, "nsfw", minutes_ago=40)
    _reported(most, "watermark", minutes_ago=30)
    _reported(older, "broken", minutes_ago=20)
    _reported(latest, "other", "looks odd", minutes_ago=10)
    _reported(skipped, "skipped", minutes_ago=1)
    _reported(resolved, "nsfw", minutes_ago=1)
    actions.resolve_reports(actor=None, image=resolved)

    page = moderator_client.get(QUEUE)

    assert page.status_code == 200
    html = page.content.decode()
    assert _rows(html) == [str(most.public_id), str(latest.public_id), str(older.public_id)]
    assert "3 open reports" in html
    assert "NSFW ×2" in html and "Watermark or text ×1" in html and "Broken or not loading ×1" in html
    assert f'href="/admin/datasets/image/{most.pk}/change/"' in html  # the thumbnail opens the image page


def test_notes_are_escaped_and_cut_short(moderator_client, make_images):
    (image,) = make_images(1)
    _reported(
        image, "other", "<script>alert('x')</script> " + "very long " * 60 + "last-word-of-the-note", minutes_ago=5
    )

    html = moderator_client.get(QUEUE).content.decode()

    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
    assert "<script>alert" not in html
    assert "very long" in html and "last-word-of-the-note" not in html  # truncated
