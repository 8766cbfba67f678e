"""`make_renditions` makes every file image's renditions ahead of time, names the unreadable, redoes nothing."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command

from ratings_site.datasets.models import Dataset, Image
from tests.picture_files import encoded, file_image, media, picture  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


def run(**options: object) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("make_renditions", no_progress=True, stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def renditions(media: Path) -> dict[str, int]:
    return {str(p.relative_to(media)): p.stat().st_mtime_ns for p in (media / "renditions").rglob("*") if p.is_file()}


def test_it_makes_a_display_and_a_thumb_for_each_file_image(media: Path, make_images) -> None:
    images = [file_image(encoded(picture((400 + n, 300)))) for n in range(3)]
    make_images(2)  # URL images: nothing to make
    broken = file_image(b"not a picture", "images/tests/broken.png")

    out, err = run()

    assert set(renditions(media)) == {
        f"renditions/{kind}/{image.file.name}.webp" for image in images for kind in ("display", "thumb")
    }
    assert "3 images ready, 1 unreadable" in out
    assert broken.file.name in err


def test_running_it_again_rewrites_nothing(media: Path) -> None:
    file_image(encoded(picture((400, 300))))
    run()
    made = renditions(media)

    out, _ = run()

    assert renditions(media) == made
    assert "1 images ready" in out


def test_it_can_keep_to_one_dataset(media: Path) -> None:
    mine = file_image(encoded(picture((400, 300))))
    other = Dataset.objects.create(slug="other", name="Other")
    Image.objects.filter(pk=file_image(encoded(picture((300, 300)))).pk).update(dataset=other)

    run(dataset="rendition-tests")

    assert set(renditions(media)) == {f"renditions/{kind}/{mine.file.name}.webp" for kind in ("display", "thumb")}
