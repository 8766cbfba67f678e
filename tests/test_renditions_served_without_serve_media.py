"""Renditions are served by the site even where a front server serves /media/ (SERVE_MEDIA off)."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.urls import clear_url_caches

import ratings_site.urls
from tests.picture_files import encoded, file_image, media, picture, rendition_bytes  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def media_not_served(settings) -> Iterator[None]:
    """The site's URLs as they are built with SERVE_MEDIA off (they are read once, at start-up)."""
    served = settings.SERVE_MEDIA
    settings.SERVE_MEDIA = False
    importlib.reload(ratings_site.urls)
    clear_url_caches()
    yield
    settings.SERVE_MEDIA = served
    importlib.reload(ratings_site.urls)
    clear_url_caches()


def test_renditions_are_served_when_media_is_not(client, media: Path, media_not_served: None) -> None:
    image = file_image(encoded(picture((64, 48))))

    assert client.get(image.src).status_code == 404, "the front server's job now"
    assert rendition_bytes(client.get(image.display_src))
