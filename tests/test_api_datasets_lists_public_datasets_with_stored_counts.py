"""GET /api/v1/datasets lists the public datasets as clients expect ({"id", "name", "description", "image_count"})
and reads `image_count` from the stored counter: one query, whatever the number of images."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from ratings_site.datasets.models import Dataset, Image
from ratings_site.datasets.services import recount_images, set_flags

pytestmark = pytest.mark.django_db


def test_the_public_datasets_with_their_counts(make_images):
    make_images(4, dataset="flowers")
    make_images(2, dataset="cities")
    make_images(3, dataset="secret-pool")
    Dataset.objects.filter(slug="secret-pool").update(public=False)
    recount_images()

    response = Client().get("/api/v1/datasets")

    assert response.status_code == 200
    by_name = {entry["name"]: entry for entry in response.json()}
    assert set(by_name) == {"Flowers", "Cities"}
    flowers = Dataset.objects.get(slug="flowers")
    assert by_name["Flowers"] == {
        "id": str(flowers.public_id), "name": "Flowers", "description": "", "image_count": 4,
    }
    assert by_name["Cities"]["image_count"] == 2


def test_the_listing_counts_nothing_it_reads_one_query(make_images):
    make_images(30, dataset="flowers")
    recount_images()

    with CaptureQueriesContext(connection) as queries:
        response = Client().get("/api/v1/datasets")

    assert response.status_code == 200
    dataset_queries = [q["sql"] for q in queries.captured_queries if "datasets_" in q["sql"]]
    assert len(dataset_queries) == 1
    assert "COUNT(" not in dataset_queries[0].upper()
    assert "datasets_image" not in dataset_queries[0]


def test_hiding_images_lowers_the_stored_count(make_images):
    images = make_images(5, dataset="flowers")
    recount_images()
    assert Dataset.objects.get(slug="flowers").image_count == 5

    set_flags(Image.objects.filter(pk__in=[images[0].pk, images[1].pk]), hidden=True)

    assert Dataset.objects.get(slug="flowers").image_count == 3
    assert Client().get("/api/v1/datasets").json()[0]["image_count"] == 3


def test_the_counter_leaves_out_captcha_images(make_images):
    make_images(3, dataset="flowers")
    make_images(2, dataset="flowers", is_captcha=True, captcha_answer=7)

    recount_images()

    assert Dataset.objects.get(slug="flowers").image_count == 3
