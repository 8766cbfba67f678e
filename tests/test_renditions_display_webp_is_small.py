"""A demo PNG is shown as a WebP a fraction of its size, made once and then served as it is."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ratings_site.demo.painters import demo_image
from tests.picture_files import file_image, media, opened, rendition_bytes  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


def test_it_serves_a_webp_of_the_same_size_and_a_tenth_of_the_bytes(client, media: Path) -> None:
    png = demo_image(3).png
    image = file_image(png, "demo/demo-003.png")

    response = client.get(image.display_src)

    assert image.display_src == "/renditions/display/demo/demo-003.png.webp"
    webp = rendition_bytes(response)
    assert response["Content-Type"] == "image/webp"
    assert response["Cache-Control"] == "public, max-age=604800, immutable"
    assert response["X-Content-Type-Options"] == "nosniff"
    picture = opened(webp)
    assert picture.format == "WEBP"
    assert picture.size == (768, 768), "never upscaled"
    assert len(webp) * 10 < len(png), (len(webp), len(png))
    assert (media / "renditions/display/demo/demo-003.png.webp").read_bytes() == webp


def test_the_second_request_serves_the_file_made_by_the_first(client, media: Path) -> None:
    image = file_image(demo_image(0).png)
    rendition_bytes(client.get(image.display_src))
    made = media / "renditions" / "display" / f"{image.file.name}.webp"
    later = os.stat(media / image.file.name).st_mtime_ns + 5_000_000_000
    os.utime(made, ns=(later, later))  # a mark a rewrite would lose
    inode = made.stat().st_ino

    rendition_bytes(client.get(image.display_src))

    assert made.stat().st_mtime_ns == later
    assert made.stat().st_ino == inode
    assert [p.name for p in made.parent.iterdir()] == [made.name], "no temporary file left behind"


def test_a_head_request_answers_without_a_body(client, media: Path) -> None:
    image = file_image(demo_image(1).png)

    response = client.head(image.display_src)

    assert response.status_code == 200
    assert response["Content-Type"] == "image/webp"
