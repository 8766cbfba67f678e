"""A hidden image's file and renditions answer 404 to raters and visitors, and only moderators still see them (the
admin's preview), never cached by anyone else; unhidden, the image is served to all again. The check costs one
query per request (the `image_file` index)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from ratings_site.datasets.models import Image
from tests.picture_files import encoded, file_image, media, picture  # noqa: F401 (fixture)

MODERATOR_KEY = "demo-moderator-0003"


def _urls(image: Image) -> list[str]:
    name = image.file.name
    return [
        f"/media/{name}",
        f"/renditions/display/{name}.webp",
        f"/renditions/thumb/{name}.webp",
        f"/media/renditions/display/{name}.webp",  # where the rendition lies on disk, under MEDIA_ROOT
    ]


@pytest.fixture
def hidden(db, media: Path, login) -> Image:
    image = file_image(encoded(picture((64, 48))))
    moderator = login(MODERATOR_KEY)
    for url in _urls(image):  # made and fetched while visible (the renditions now lie on disk)
        assert moderator.get(url).status_code == 200, url
    Image.objects.filter(pk=image.pk).update(hidden=True)
    return image


def test_visitors_and_raters_get_404(hidden: Image, login) -> None:
    for client in (Client(), login()):
        for url in _urls(hidden):
            assert client.get(url).status_code == 404, url


def test_moderators_still_see_it_privately(hidden: Image, login) -> None:
    moderator = login(MODERATOR_KEY)

    for url in _urls(hidden):
        response = moderator.get(url)
        assert response.status_code == 200, url
        assert response["Cache-Control"] == "private, no-store", url


def test_unhidden_it_is_served_to_all_again(hidden: Image) -> None:
    Image.objects.filter(pk=hidden.pk).update(hidden=False)

    for url in _urls(hidden):
        response = Client().get(url)
        assert response.status_code == 200, url
        assert response["Cache-Control"] == "public, max-age=604800, immutable", url


def test_the_check_is_one_query(hidden: Image) -> None:
    Image.objects.filter(pk=hidden.pk).update(hidden=False)
    client = Client()

    for url in _urls(hidden):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200, url
        assert len(queries) == 1, (url, [query["sql"] for query in queries])


def test_another_spelling_of_its_path_is_refused_too(hidden: Image) -> None:
    folder, _, base = hidden.file.name.rpartition("/")
    client = Client()

    for url in (
        f"/media/{folder}//{base}",
        f"/media/{folder}/./{base}",
        f"/media/{folder}/../{folder.rpartition('/')[2]}/{base}",
        f"/media//{hidden.file.name}",
        f"/media/renditions/display//{hidden.file.name}.webp",
        f"/renditions/display/{folder}//{base}.webp",
    ):
        assert client.get(url).status_code == 404, url
