"""Only an image's own file is rendered: anything else is a 404, never a 500 and never a file read."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from tests.picture_files import encoded, file_image, media, picture  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


def test_it_refuses_an_unknown_kind(client, media: Path) -> None:
    image = file_image(encoded(picture((64, 48))))

    assert client.get(f"/renditions/huge/{image.file.name}.webp").status_code == 404
    assert client.get(f"/renditions/display/{image.file.name}.webp").status_code == 200


def test_it_refuses_a_name_without_the_webp_suffix(client, media: Path) -> None:
    image = file_image(encoded(picture((64, 48))))

    assert client.get(f"/renditions/display/{image.file.name}").status_code == 404


def test_it_refuses_paths_that_climb_out_of_media_root(client, media: Path) -> None:
    file_image(encoded(picture((64, 48))), "images/tests/inside.png")

    for path in (
        "/renditions/display/../../settings.py.webp",
        "/renditions/display/images/tests/../../../manage.py.webp",
        "/renditions/display/%2e%2e/%2e%2e/manage.py.webp",
        "/renditions/display//etc/passwd.webp",
    ):
        assert client.get(path).status_code == 404, path
    assert not (media / "renditions").exists()


def test_it_refuses_a_media_file_that_is_no_image_of_ours(client, media: Path) -> None:
    name = default_storage.save("uploads/stray.png", ContentFile(encoded(picture((64, 48)))))

    assert client.get(f"/renditions/display/{name}.webp").status_code == 404
    assert not (media / "renditions").exists()


def test_a_broken_original_is_a_404(client, media: Path) -> None:
    truncated = encoded(picture((200, 200)))[:400]
    broken = file_image(truncated, "images/tests/broken.png")
    not_a_picture = file_image(b"%PDF-1.7 certainly not a picture", "images/tests/document.png")

    for image in (broken, not_a_picture):
        assert client.get(image.display_src).status_code == 404
        assert client.get(image.thumbnail_src).status_code == 404
    assert not list(media.rglob("*.webp")) and not list(media.rglob("*.tmp"))


def test_an_image_whose_file_is_gone_is_a_404(client, media: Path) -> None:
    image = file_image(encoded(picture((64, 48))))
    default_storage.delete(image.file.name)

    assert client.get(image.display_src).status_code == 404


def test_it_refuses_to_be_posted_to(client, media: Path) -> None:
    image = file_image(encoded(picture((64, 48))))

    assert client.post(image.display_src).status_code == 405
