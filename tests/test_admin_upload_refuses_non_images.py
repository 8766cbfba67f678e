"""An image's file uploaded in the admin must be a picture the site serves (JPEG, PNG, WebP, GIF): a script, a page,
an SVG or an EPS is refused with the form's error and nothing is stored; a picture is stored under the ending of its
real format, so that a front server serving MEDIA_ROOT by file name serves it as a picture too."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from ratings_site.datasets.models import Image
from ratings_site.raters.models import Rater
from tests.picture_files import encoded, media, picture  # noqa: F401 (fixture)

NOT_PICTURES = {
    "look.js": b"fetch('/admin/raters/rater/1/change/', {method: 'POST'});",
    "look.html": b"<!doctype html><script src='look.js'></script>",
    "look.svg": b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
    "look.png": b"<!doctype html><script>alert(1)</script>",
    "drawing.eps": b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\n",
}


@pytest.fixture
def admin_client_(db) -> Client:
    client = Client()
    client.force_login(Rater.objects.create_superuser("root", "root@example.org", "pw"))
    return client


def _post(client: Client, image: Image, upload: SimpleUploadedFile):
    return client.post(
        f"/admin/datasets/image/{image.pk}/change/",
        {
            "dataset": image.dataset_id,
            "url": "",
            "file": upload,
            "caption": image.caption,
            "source": "{}",
            "shuffle": image.shuffle,
            "aesthetic_scores-TOTAL_FORMS": "0",
            "aesthetic_scores-INITIAL_FORMS": "0",
            "aesthetic_scores-MIN_NUM_FORMS": "0",
            "aesthetic_scores-MAX_NUM_FORMS": "1000",
        },
    )


def _stored(media: Path) -> list[Path]:
    return [path for path in media.rglob("*") if path.is_file()] if media.exists() else []


@pytest.mark.parametrize("name", sorted(NOT_PICTURES))
def test_a_file_that_is_not_a_picture_is_refused(admin_client_: Client, make_images, media: Path, name: str) -> None:
    (image,) = make_images(1)

    response = _post(admin_client_, image, SimpleUploadedFile(name, NOT_PICTURES[name]))

    assert response.status_code == 200
    assert "not a picture" in str(response.context["adminform"].form.errors["file"])
    assert not Image.objects.get(pk=image.pk).file
    assert _stored(media) == []


def test_a_picture_is_stored_under_its_real_formats_ending(admin_client_: Client, make_images, media: Path) -> None:
    (image,) = make_images(1)

    response = _post(admin_client_, image, SimpleUploadedFile("look.html", encoded(picture((16, 12)), "JPEG")))

    assert response.status_code == 302, response.content.decode()[:3000]
    stored = Image.objects.get(pk=image.pk).file.name
    assert stored.startswith("images/") and stored.endswith("/look.jpg"), stored
    assert admin_client_.get(f"/media/{stored}")["Content-Type"] == "image/jpeg"
