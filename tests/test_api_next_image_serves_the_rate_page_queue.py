"""GET /api/v1/rating/new[/<dataset_id>[/<model_name>]] serves the rate page's queue: the highest priority image
this rater has not seen, `url` absolute, `dataset_id` the image's dataset; 404 {"message"} when nothing is left
or the dataset is unknown; captchas come the same way as on the page."""

import pytest

from ratings_site.datasets.models import Dataset, Image
from tests.conftest import DEMO_KEY
from tests.rating_api_helpers import api_get, api_rate

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_captchas")]


def test_the_next_image_is_the_highest_priority_one(make_images):
    make_images(3, dataset="flowers", priority=0.0)
    [top] = make_images(1, dataset="flowers", priority=5.0)

    response = api_get("/api/v1/rating/new", apikey=DEMO_KEY)

    assert response.status_code == 200
    assert response.json() == {
        "id": str(top.public_id),
        "url": top.url,
        "dataset_id": str(Dataset.objects.get(slug="flowers").public_id),
    }


def test_a_file_image_url_is_absolute(make_images, tmp_path):
    [image] = make_images(1, dataset="flowers")
    Image.objects.filter(pk=image.pk).update(url="", file="images/2026/11/a.png")

    body = api_get("/api/v1/rating/new", apikey=DEMO_KEY).json()

    assert body["url"] == "http://testserver/media/images/2026/11/a.png"


def test_a_rated_image_is_not_served_again_and_then_nothing_is_left(make_images):
    images = make_images(2, dataset="flowers")
    seen = set()
    for _ in images:
        body = api_get("/api/v1/rating/new", apikey=DEMO_KEY).json()
        assert body["id"] not in seen
        seen.add(body["id"])
        assert api_rate(body["id"], {"rating": 6}, apikey=DEMO_KEY).status_code == 201

    response = api_get("/api/v1/rating/new", apikey=DEMO_KEY)

    assert response.status_code == 404
    assert "no more images" in response.json()["message"]
    assert seen == {str(image.public_id) for image in images}


def test_a_dataset_id_keeps_to_that_dataset(make_images):
    make_images(2, dataset="cities", priority=9.0)
    flowers = make_images(2, dataset="flowers")
    dataset = Dataset.objects.get(slug="flowers")

    body = api_get(f"/api/v1/rating/new/{dataset.public_id}", apikey=DEMO_KEY).json()

    assert body["id"] in {str(image.public_id) for image in flowers}
    assert body["dataset_id"] == str(dataset.public_id)


# An id no dataset has: fixed, not drawn at import, so that every pytest-xdist worker collects the same test ids.
UNKNOWN_ID = "9b2f6c1e-4d7a-4f3b-8e25-61c0a7d9e3b4"


@pytest.mark.parametrize("dataset_id", [UNKNOWN_ID, "not-a-uuid", "123"])
def test_an_unknown_or_malformed_dataset_is_404(make_images, dataset_id):
    make_images(1, dataset="flowers")

    response = api_get(f"/api/v1/rating/new/{dataset_id}", apikey=DEMO_KEY)

    assert response.status_code == 404
    assert "No dataset has this id" in response.json()["message"]


def test_a_non_public_dataset_is_404(make_images):
    make_images(1, dataset="secret")
    secret = Dataset.objects.get(slug="secret")
    secret.public = False
    secret.save()

    assert api_get(f"/api/v1/rating/new/{secret.public_id}", apikey=DEMO_KEY).status_code == 404


def test_a_model_name_keeps_to_images_that_model_made(make_images):
    dataset_images = make_images(3, dataset="gens", priority=5.0, source={"model": "SDXL 1.0"})
    [wanted] = make_images(1, dataset="gens", source={"model": "AlbedoBase XL"})
    dataset = Dataset.objects.get(slug="gens")

    body = api_get(f"/api/v1/rating/new/{dataset.public_id}/AlbedoBase XL", apikey=DEMO_KEY).json()

    assert body["id"] == str(wanted.public_id)
    other = api_get(f"/api/v1/rating/new/{dataset.public_id}/SDXL 1.0", apikey=DEMO_KEY).json()
    assert other["id"] in {str(image.public_id) for image in dataset_images}
    nothing = api_get(f"/api/v1/rating/new/{dataset.public_id}/No Such Model", apikey=DEMO_KEY)
    assert nothing.status_code == 404


def test_captchas_come_through_the_api_as_on_the_page(make_images, settings):
    settings.CAPTCHA_RATE = 1.0
    make_images(2, dataset="flowers")
    [captcha] = make_images(1, dataset="checks", is_captcha=True, captcha_answer=7)
    Dataset.objects.filter(slug="checks").update(public=False)

    body = api_get("/api/v1/rating/new", apikey=DEMO_KEY).json()

    assert body["id"] == str(captcha.public_id)
    # It names a public dataset, as the page does, so nothing tells it from the others.
    assert body["dataset_id"] == str(Dataset.objects.get(slug="flowers").public_id)
    answered = api_rate(captcha.public_id, {"rating": 3}, apikey=DEMO_KEY)
    assert answered.status_code == 201
    assert answered.json()["reward"] == 0
    assert "rate it a 7" in answered.json()["message"]


def test_no_key_is_401_with_a_message(make_images):
    make_images(1)

    response = api_get("/api/v1/rating/new")

    assert response.status_code == 401
    assert "apikey" in response.json()["message"]
