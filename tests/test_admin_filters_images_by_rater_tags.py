"""Moderators see the raters' tags in the admin: the image list shows each image's counts and filters by a tag
("Tagged by raters: Watermark"), counting only raters in good standing, as Image.tag_counts does; an image's page
lists who tagged what (the latest rows only); the rater tags' own list filters by tag. Each page costs the same
number of queries with three times the tags."""

from __future__ import annotations

import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ratings_site.datasets.models import Image
from ratings_site.moderation import actions, admin_images
from ratings_site.raters.models import Rater
from ratings_site.ratings import tags

N = 3
_ids = itertools.count(90_000)


def _raters(count: int) -> list[Rater]:
    return Rater.objects.bulk_create(
        Rater(username=f"Tagger#{horde_id}", horde_id=horde_id) for horde_id in itertools.islice(_ids, count)
    )


def _tagged(make_images, count: int, tag_sets: list[list[str]]) -> list[Image]:
    """`count` images, each tagged by one new rater per entry of `tag_sets`."""
    images = make_images(count, dataset=f"tagged-{next(_ids)}")
    for image in images:
        for rater, chosen in zip(_raters(len(tag_sets)), tag_sets, strict=True):
            tags.set_tags(rater, image, chosen)
    return images


def _queries(client, url: str) -> tuple[list[str], str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return [query["sql"] for query in queries.captured_queries], response.content.decode()


def _listed(html: str, images: list[Image]) -> set[int]:
    return {image.pk for image in images if f'title="{image.public_id}"' in html}


def test_the_list_filters_by_a_tag_raters_gave_and_shows_the_counts(moderator_client, make_images) -> None:
    marked = _tagged(make_images, 2, [["watermark", "text"], ["watermark"]])
    other = _tagged(make_images, 2, [["nsfw"]])
    untagged = make_images(2)
    everything = [*marked, *other, *untagged]

    _, html = _queries(moderator_client, "/admin/datasets/image/")
    assert _listed(html, everything) == {image.pk for image in everything}
    assert "Tagged by raters: Watermark" in html and "Tagged by raters: Not an artwork" in html
    assert "tagged Watermark 2, Text 1" in html
    assert "tagged NSFW 1" in html

    _, html = _queries(moderator_client, "/admin/datasets/image/?rater_tag=watermark")
    assert _listed(html, everything) == {image.pk for image in marked}
    _, html = _queries(moderator_client, "/admin/datasets/image/?rater_tag=nsfw")
    assert _listed(html, everything) == {image.pk for image in other}
    _, html = _queries(moderator_client, "/admin/datasets/image/?rater_tag=broken")
    assert _listed(html, everything) == set()
    _, html = _queries(moderator_client, "/admin/datasets/image/?rater_tag=sparkly")  # not a tag: no filter
    assert _listed(html, everything) == {image.pk for image in everything}


def test_a_banned_raters_tags_neither_count_nor_match_the_filter(moderator_client, make_images) -> None:
    (image,) = make_images(1)
    (rater,) = _raters(1)
    tags.set_tags(rater, image, ["broken"])
    _, html = _queries(moderator_client, "/admin/datasets/image/?rater_tag=broken")
    assert _listed(html, [image]) == {image.pk}

    actions.ban(actor=None, rater=rater, reason="Tags at random.")

    _, html = _queries(moderator_client, "/admin/datasets/image/?rater_tag=broken")
    assert _listed(html, [image]) == set()
    _, html = _queries(moderator_client, f"/admin/datasets/image/{image.pk}/change/")
    assert "Counted (raters in good standing): —." in html
    assert "no (rater not in good standing)" in html  # still listed as given, not counted


@pytest.mark.parametrize("url", ["/admin/datasets/image/?rater_tag=watermark", "/admin/datasets/image/"])
def test_the_list_costs_the_same_queries_with_three_times_the_tags(moderator_client, make_images, url) -> None:
    _tagged(make_images, N, [["watermark", "nsfw"], ["watermark"]])
    _queries(moderator_client, url)  # warms Django's caches
    few, _ = _queries(moderator_client, url)

    _tagged(make_images, 2 * N, [["watermark", "nsfw"], ["watermark"], ["text"]])
    many, html = _queries(moderator_client, url)

    assert html.count("tagged Watermark") == 3 * N
    assert len(many) == len(few), "\n".join(many)


def test_the_image_page_lists_who_tagged_what_within_a_bound(moderator_client, make_images, monkeypatch) -> None:
    monkeypatch.setattr(admin_images, "IMAGE_PAGE_ROWS", 4)
    (image,) = _tagged(make_images, 1, [["watermark", "nsfw"], ["nsfw"]])
    url = f"/admin/datasets/image/{image.pk}/change/"
    _queries(moderator_client, url)  # warms Django's caches
    few, html = _queries(moderator_client, url)
    assert "Tagged by raters" in html
    assert html.count('class="rater-tag-row"') == 3
    assert "NSFW 2 · Watermark 1" in html
    for rater in Rater.objects.filter(tags__image=image):
        assert rater.username in html
    assert 'name="tag_counts"' not in html  # kept by ratings.tags, never edited by hand

    for rater in _raters(3):
        tags.set_tags(rater, image, ["text", "broken"])
    many, html = _queries(moderator_client, url)

    assert html.count('class="rater-tag-row"') == 4  # the latest 4 of 9
    assert "Broken 3" in html and "Text 3" in html
    assert len(many) == len(few), "\n".join(many)


def test_the_rater_tags_list_filters_by_tag_at_a_constant_cost(moderator_client, make_images) -> None:
    url = "/admin/ratings/ratertag/?tag=nsfw"
    _tagged(make_images, N, [["nsfw", "text"]])
    _queries(moderator_client, url)
    few, html = _queries(moderator_client, url)
    assert html.count('class="field-tag"') == N

    _tagged(make_images, 2 * N, [["nsfw", "text"]])
    many, html = _queries(moderator_client, url)

    assert html.count('class="field-tag"') == 3 * N
    assert "Text" not in html.split('id="result_list"')[1].split("</table>")[0]
    assert len(many) == len(few), "\n".join(many)
