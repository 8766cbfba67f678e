"""The ratings list filters by a rating or an artifacts score from the fixed scales, without a SELECT DISTINCT over
every rating to list the choices."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from ratings_site.raters.models import Rater
from ratings_site.ratings.models import Rating


def test_the_filters_list_the_scales_and_filter_by_them(moderator_client, make_images):
    rater = Rater.objects.create(username="Someone#9", horde_id=9)
    seven, three = (
        Rating.objects.create(rater=rater, image=image, rating=r, artifacts=a)
        for image, r, a in zip(make_images(2), [7, 3], [0, 5])
    )

    with CaptureQueriesContext(connection) as queries:
        html = moderator_client.get("/admin/ratings/rating/", {"rating": "7"}).content.decode()

    assert "10 · Masterpiece" in html and "5 · Garbage" in html
    assert f"/admin/ratings/rating/{seven.pk}/change/" in html
    assert f"/admin/ratings/rating/{three.pk}/change/" not in html
    assert not any("DISTINCT" in query["sql"] for query in queries.captured_queries)
    html = moderator_client.get("/admin/ratings/rating/", {"artifacts": "5"}).content.decode()
    assert (
        f"/admin/ratings/rating/{three.pk}/change/" in html and f"/admin/ratings/rating/{seven.pk}/change/" not in html
    )
    assert moderator_client.get("/admin/ratings/rating/", {"rating": "eleven"}).status_code == 200
