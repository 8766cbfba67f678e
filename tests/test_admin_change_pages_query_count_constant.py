"""An image's and a rater's admin pages cost the same number of queries with 3N ratings, reports and scores as with
N: nothing on them loads a row per rating, nor a <select> of every image or rater."""

from __future__ import annotations

import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ratings_site.datasets.models import Image
from ratings_site.predictor.models import AestheticScore, PredictorVersion
from ratings_site.raters.models import Rater
from ratings_site.ratings.models import Rating, Skip

N = 4
_ids = itertools.count(80_000)


def _raters(count: int) -> list[Rater]:
    return Rater.objects.bulk_create(
        Rater(username=f"Rater#{horde_id}", horde_id=horde_id) for horde_id in itertools.islice(_ids, count)
    )


def _about_the_image(image: Image, count: int) -> None:
    """`count` more ratings and reports of the image, each by another rater, and scores of as many versions."""
    raters = _raters(2 * count)
    Rating.objects.bulk_create(Rating(rater=rater, image=image, rating=6) for rater in raters[:count])
    Skip.objects.bulk_create(Skip(rater=rater, image=image, reason="nsfw", note="!") for rater in raters[count:])
    for _ in range(count):
        version = PredictorVersion.objects.create(
            name=f"v{next(_ids)}", clip_model="tiny", embedding_dim=32, head_file="x", head_sha256="0" * 64
        )
        AestheticScore.objects.create(image=image, version=version, score=5.0)


def _by_the_rater(rater: Rater, images: list[Image]) -> None:
    Rating.objects.bulk_create(Rating(rater=rater, image=image, rating=3) for image in images[: len(images) // 2])
    Skip.objects.bulk_create(Skip(rater=rater, image=image, reason="skipped") for image in images[len(images) // 2 :])


def _queries(client, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return [query["sql"] for query in queries.captured_queries]


@pytest.mark.parametrize("grown", ["the image's", "other images'"])
def test_the_image_page_costs_the_same_queries_with_three_times_the_rows(moderator_client, make_images, grown):
    image, other = make_images(2)
    url = f"/admin/datasets/image/{image.pk}/change/"
    _about_the_image(image, N)
    _queries(moderator_client, url)  # warms Django's caches (content types)
    few = _queries(moderator_client, url)

    _about_the_image(image if grown == "the image's" else other, 2 * N)
    make_images(2 * N)
    many = _queries(moderator_client, url)

    assert len(many) == len(few), "\n".join(many)


def test_the_rater_page_costs_the_same_queries_with_three_times_the_rows(moderator_client, make_images):
    (rater,) = _raters(1)
    url = f"/admin/raters/rater/{rater.pk}/change/"
    _by_the_rater(rater, make_images(2 * N))
    _raters(N)
    _queries(moderator_client, url)  # warms Django's caches (content types)
    few = _queries(moderator_client, url)

    _by_the_rater(rater, make_images(4 * N))
    _raters(2 * N)
    many = _queries(moderator_client, url)

    assert len(many) == len(few), "\n".join(many)
