"""Pages link an image's renditions by name alone (no query, no file access); `src` stays the original."""

from __future__ import annotations

from pathlib import Path

import pytest

from ratings_site.datasets.models import Image
from tests.picture_files import encoded, file_image, media, picture  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


def test_a_file_image_links_its_renditions_and_keeps_the_original_as_src(
    media: Path, django_assert_num_queries
) -> None:
    stored = file_image(encoded(picture((64, 48))), "images/2026/05/sun set.png")
    image = Image.objects.get(pk=stored.pk)

    with django_assert_num_queries(0):
        assert image.src == "/media/images/2026/05/sun%20set.png"
        assert image.display_src == "/renditions/display/images/2026/05/sun%20set.png.webp"
        assert image.thumbnail_src == "/renditions/thumb/images/2026/05/sun%20set.png.webp"
    assert not (media / "renditions").exists(), "linking makes nothing: the first request does"


def test_a_url_image_links_its_url_everywhere(make_images) -> None:
    image = make_images(1)[0]

    assert image.display_src == image.thumbnail_src == image.src == image.url
