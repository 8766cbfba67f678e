"""A moderator's image page says who rated the image, what and when (each rater linked to their page, whether the
rating counts), the mean and the predicted score, the reports open and resolved, the tags and the history of acts
with Undo; its safe acts (hide, NSFW, tag, dismiss, invalidate one rating with a reason) work from it, and the page
costs the same queries however many ratings the image has."""

from __future__ import annotations

import re

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from ratings_site.datasets.models import Image
from ratings_site.moderation import actions
from ratings_site.predictor.models import AestheticScore, PredictorVersion
from ratings_site.ratings.models import Rating
from tests.conftest import csrf_token
from tests.moderation_helpers import counters, horde_rater, rate, report


def _page(image: Image) -> str:
    return f"/admin/datasets/image/{image.pk}/change/"


def _post(client: Client, url: str, **data):
    response = client.post(url, {"csrfmiddlewaretoken": csrf_token(client), **data})
    assert response.status_code == 302, response.content.decode()[:500]
    return client.get(response["Location"]).content.decode()


def test_the_page_lists_ratings_scores_reports_tags_and_history(moderator_client, make_images):
    (image,) = make_images(1)
    alice, bob = horde_rater("Alice"), horde_rater("Bob")
    rate(alice, image, 8, 1)
    rate(bob, image, 3)
    report(horde_rater(), image, "watermark", "<b>text</b> in the corner")
    report(horde_rater(), image, "nsfw")
    actions.resolve_reports(actor=None, image=image)
    report(horde_rater(), image, "broken")
    actions.tag_image(actor=None, image=image, tag="watermark")
    version = PredictorVersion.objects.create(
        name="v", clip_model="tiny", embedding_dim=32, head_file="x", head_sha256="0" * 64, is_current=True
    )
    AestheticScore.objects.create(image=image, version=version, score=6.25)

    html = moderator_client.get(_page(image)).content.decode()

    assert f'href="/admin/raters/rater/{alice.pk}/change/">{alice.username}</a>' in html
    assert f'href="/admin/raters/rater/{bob.pk}/change/">{bob.username}</a>' in html
    assert html.count('class="rating-row"') == 2
    assert "5.50" in html and "6.25" in html  # the mean, the predicted score
    assert html.count('class="report-row"') == 3 and "resolved" in html and "<strong>open</strong>" in html
    assert "&lt;b&gt;text&lt;/b&gt;" in html
    assert '<span class="image-tag">Watermark or text</span>' in html
    assert "Tag an image" in html and "/undo/" in html  # the history, with its Undo
    assert f"/admin/ratings/rating/?image={image.pk}" in html
    assert moderator_client.get(f"/admin/ratings/rating/?image={image.pk}").content.decode().count(alice.username)


def test_invalidating_a_rating_from_the_page_and_undoing_it(moderator_client, make_images):
    (image,) = make_images(1)
    spammer = horde_rater("Spammer")
    rate(spammer, image, 10)
    rate(horde_rater(), image, 4)
    rating = Rating.objects.get(rater=spammer)
    act_url = f"/admin/moderation/images/{image.pk}/act/"
    assert f'name="rating" value="{rating.pk}"' in moderator_client.get(_page(image)).content.decode()

    html = _post(
        moderator_client, act_url, act="invalidate", rating=rating.pk, reason="rates everything 10", next=_page(image)
    )

    rating.refresh_from_db()
    assert rating.invalidated and not rating.counts
    assert counters(image)[:2] == (1, 4)
    assert "Done: invalidate ratings" in html and "invalidated" in html and "rates everything 10" in html
    undo = re.search(r'action="(/admin/moderation/acts/\d+/undo/)"', html).group(1)
    _post(moderator_client, undo, next=_page(image))
    rating.refresh_from_db()
    assert not rating.invalidated and counters(image)[:2] == (2, 14)


def test_the_image_acts_from_the_page(moderator_client, make_images):
    (image,) = make_images(1)
    report(horde_rater(), image, "nsfw")
    url = f"/admin/moderation/images/{image.pk}/act/"

    html = _post(moderator_client, url, act="hide", next=_page(image))
    assert Image.objects.get(pk=image.pk).hidden and 'value="unhide"' in html
    html = _post(moderator_client, url, act="mark_nsfw", next=_page(image))
    assert Image.objects.get(pk=image.pk).nsfw and 'value="unmark_nsfw"' in html
    _post(moderator_client, url, act="unhide", next=_page(image))
    _post(moderator_client, url, act="unmark_nsfw", next=_page(image))
    flags = Image.objects.values_list("hidden", "nsfw").get(pk=image.pk)
    assert flags == (False, False)
    assert "This image is not hidden." in _post(moderator_client, url, act="unhide", next=_page(image))


def _rate_images(image: Image, count: int) -> None:
    for _ in range(count):
        rater = horde_rater()
        rate(rater, image, 7, 2)
        report(horde_rater(), image, "watermark", "a note")


def _queries(client: Client, image: Image) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(_page(image)).status_code == 200
    return [query["sql"] for query in captured.captured_queries]


def test_the_page_costs_the_same_for_n_and_3n_ratings(moderator_client, make_images, settings):
    settings.RATINGS_PER_IMAGE = 20
    (image,) = make_images(1)
    _rate_images(image, 3)
    actions.tag_image(actor=None, image=image, tag="watermark")
    few = _queries(moderator_client, image)
    _rate_images(image, 6)
    actions.tag_image(actor=None, image=image, tag="artifacts")
    actions.hide_image(actor=None, image=image)
    many = _queries(moderator_client, image)

    html = moderator_client.get(_page(image)).content.decode()
    assert html.count('class="rating-row"') == 9 and html.count('class="act-row"') == 3
    assert len(many) == len(few), "\n".join(many)
