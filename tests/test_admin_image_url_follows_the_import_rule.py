"""The Image admin form holds an image's URL to the importer's rule (one validator for both): ftp:// and
internal addresses are refused with a message on the field, nothing is saved, and the rest of what the
moderator typed stays in the form; an http(s) URL on a public host is saved."""

from __future__ import annotations

import pytest

from ratings_site.datasets.models import Image

pytestmark = pytest.mark.django_db


def change(moderator_client, image: Image, url: str):
    page = f"/admin/datasets/image/{image.pk}/change/"
    form = {
        "dataset": image.dataset_id,
        "url": url,
        "caption": "a caption the moderator typed",
        "source": "{}",
        "dedupe_key": image.dedupe_key,
        "shuffle": "0.5",
        "aesthetic_scores-TOTAL_FORMS": "0",
        "aesthetic_scores-INITIAL_FORMS": "0",
    }
    return moderator_client.post(page, form)


@pytest.mark.parametrize(
    "url, message",
    [
        ("ftp://img.example.org/1.jpg", "is not an http(s) URL"),
        ("http://127.0.0.1:5432/", "127.0.0.1 is a loopback address"),
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a link-local address"),
        ("http://localhost/a.png", "localhost leads to 127.0.0.1, a loopback address"),
    ],
)
def test_a_url_the_importer_refuses_is_refused_on_the_field(moderator_client, make_images, url, message):
    image = make_images(1)[0]
    before = image.url

    response = change(moderator_client, image, url)

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert message in " ".join(errors.get("url", [])), errors
    assert "a caption the moderator typed" in response.content.decode()
    image.refresh_from_db()
    assert image.url == before


def test_a_public_https_url_is_saved(moderator_client, make_images):
    image = make_images(1)[0]

    response = change(moderator_client, image, "https://img.example.org/new.jpg")

    assert response.status_code == 302, response.context["adminform"].form.errors
    image.refresh_from_db()
    assert image.url == "https://img.example.org/new.jpg"
