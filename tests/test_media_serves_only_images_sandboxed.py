"""/media/ and /renditions/ answer only with pictures, as pictures: an image content type taken from the file's own
bytes, `nosniff`, and a CSP that runs nothing (`default-src 'none'; sandbox`), so that a file planted under
MEDIA_ROOT (a script, a page, an SVG) never runs on the site's origin. Anything else is a 404."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from tests.picture_files import encoded, file_image, media, picture  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db

PLANTED = {
    "tests/look.html": b"<!doctype html><script src='look.js'></script>",
    "tests/look.js": b"fetch('/admin/raters/rater/1/change/', {method: 'POST'});",
    "tests/look.svg": b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
    "tests/look.txt": b"hello",
    "tests/page-named.png": b"<!doctype html><script>alert(1)</script>",  # a page that says it is a picture
    "tests/drawing.eps": b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\n",
    "tests/drawing-named.png": b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\n",
}


def _sandboxed(response) -> None:
    assert response["X-Content-Type-Options"] == "nosniff"
    policy = [part.strip() for part in response["Content-Security-Policy"].split(";")]
    assert "default-src 'none'" in policy and "sandbox" in policy, policy


@pytest.mark.parametrize("name", sorted(PLANTED))
def test_it_refuses_what_is_not_a_picture(client, media: Path, name: str) -> None:
    stored = default_storage.save(name, ContentFile(PLANTED[name]))

    response = client.get(f"/media/{stored}")

    assert response.status_code == 404
    assert not response["Content-Type"].startswith(("text/javascript", "image/svg", "application/postscript"))


@pytest.mark.parametrize(
    ("format", "content_type"),
    [("PNG", "image/png"), ("JPEG", "image/jpeg"), ("WEBP", "image/webp"), ("GIF", "image/gif")],
)
def test_it_serves_a_picture_as_a_picture_sandboxed(client, media: Path, format: str, content_type: str) -> None:
    ending = {"JPEG": "jpg"}.get(format, format.lower())
    stored = default_storage.save(f"tests/served.{ending}", ContentFile(encoded(picture((32, 24)), format)))

    response = client.get(f"/media/{stored}")

    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    _sandboxed(response)


def test_the_content_type_follows_the_bytes_not_the_name(client, media: Path) -> None:
    stored = default_storage.save("tests/really-a-jpeg.png", ContentFile(encoded(picture((32, 24)), "JPEG")))

    response = client.get(f"/media/{stored}")

    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"


def test_a_picture_named_as_a_page_is_refused(client, media: Path) -> None:
    """A front server serving MEDIA_ROOT goes by the name: a PNG stored as look.html would be a page there."""
    stored = default_storage.save("tests/look.html", ContentFile(encoded(picture((32, 24)))))

    assert client.get(f"/media/{stored}").status_code == 404


def test_renditions_are_sandboxed_too(client, media: Path) -> None:
    image = file_image(encoded(picture((64, 48))))

    for url in (f"/renditions/display/{image.file.name}.webp", f"/media/renditions/display/{image.file.name}.webp"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Content-Type"] == "image/webp"
        _sandboxed(response)
