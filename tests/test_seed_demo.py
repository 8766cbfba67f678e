"""seed_demo and make_captchas: drawn pictures stored in MEDIA_ROOT, idempotent, captchas kept out of the queue
(and passing for demo pictures: tests/test_captchas_look_like_dataset_images.py)."""

from __future__ import annotations

import hashlib
import io
import re
from collections import Counter
from pathlib import Path

import pytest
from django.core.management import call_command
from PIL import Image as PILImage

from ratings_site.datasets.captchas import BEST_CHECK, RATING_CHECK
from ratings_site.datasets.management.commands.seed_demo import demo_file_name
from ratings_site.datasets.models import Dataset, Image
from tests.helpers import in_queue


@pytest.fixture
def media(settings, tmp_path: Path, demo_pictures_drawn_once: None) -> Path:
    """A MEDIA_ROOT of the test's own, so that files left by other tests do not count (and the demo pictures
    drawn once per test session: tests/conftest.py)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def run(command: str, **options: object) -> str:
    out = io.StringIO()
    call_command(command, stdout=out, **options)
    return out.getvalue()


def stored_files(media: Path) -> list[str]:
    return sorted(str(p.relative_to(media)) for p in media.rglob("*") if p.is_file())


@pytest.mark.django_db
def test_it_creates_the_demo_dataset_with_pictures_in_media_root(media: Path) -> None:
    output = run("seed_demo", count=8)

    demo = Dataset.objects.get(slug="demo")
    assert demo.name == "Demo images"
    assert demo.public
    assert "Pillow" in demo.description
    images = sorted(demo.images.all(), key=lambda image: image.source["index"])
    assert [image.file.name for image in images] == [demo_file_name(i) for i in range(8)]
    assert all(re.fullmatch(r"demo/demo-[0-9]{3}\.png", image.file.name) for image in images)
    for image in images:
        path = media / image.file.name
        data = path.read_bytes()
        assert image.dedupe_key == hashlib.sha256(data).hexdigest()
        with PILImage.open(path) as picture:
            assert picture.format == "PNG"
            assert picture.size == (768, 768) == (image.width, image.height)
        assert in_queue(image) and not image.is_captcha
        assert image.caption
        assert image.src == f"/media/{image.file.name}"
    assert len({image.dedupe_key for image in images}) == 8
    assert len({image.caption for image in images}) >= 6, "the captions describe different pictures"
    assert "created 8" in output


@pytest.mark.django_db
def test_it_creates_the_captchas_out_of_the_queue_with_their_answers(media: Path) -> None:
    output = run("seed_demo", count=2)

    pool = Dataset.objects.get(slug="captchas")
    assert pool.name == "Captchas"
    assert not pool.public
    captchas = list(pool.images.filter(RATING_CHECK))
    assert len(captchas) == 20
    assert Counter(image.captcha_answer for image in captchas) == {answer: 2 for answer in range(1, 11)}
    for image in captchas:
        assert image.is_captcha
        assert not in_queue(image)
        assert image.caption and "captcha" not in image.caption.lower()
        # The file name (which raters see in the image URL) is a demo picture's: it gives nothing away.
        assert re.fullmatch(r"demo/demo-[0-9]{3}\.png", image.file.name), image.file.name
        data = (media / image.file.name).read_bytes()
        assert image.dedupe_key == hashlib.sha256(data).hexdigest()
        with PILImage.open(io.BytesIO(data)) as picture:
            assert picture.size == (768, 768)
    assert "Captcha images: created 20" in output
    assert "Best-of checks: created 8" in output


@pytest.mark.django_db
def test_running_it_twice_creates_nothing_new(media: Path) -> None:
    run("seed_demo")
    images, files = Image.objects.count(), stored_files(media)
    assert Dataset.objects.get(slug="demo").images.count() == 36
    assert images == 36 + 20 + 8, "pictures, captchas and best-of checks"
    originals = [name for name in files if not name.startswith("renditions/")]
    assert len(originals) == images
    assert len(files) == images + 2 * images, "a display and a thumb rendition of each demo picture and captcha"

    output = run("seed_demo")

    assert "created 0" in output
    assert "Captcha images: created 0" in output
    assert Image.objects.count() == images
    assert stored_files(media) == files
    assert Image.objects.filter(BEST_CHECK).count() == 8


@pytest.mark.django_db
def test_a_larger_count_adds_only_the_missing_pictures(media: Path) -> None:
    run("seed_demo", count=3)
    first = set(Dataset.objects.get(slug="demo").images.values_list("pk", flat=True))

    output = run("seed_demo", count=5)

    demo = Dataset.objects.get(slug="demo")
    assert demo.images.count() == 5
    assert first < set(demo.images.values_list("pk", flat=True))
    assert "created 2" in output


@pytest.mark.django_db
def test_it_replaces_files_left_behind_by_a_reset_database(media: Path) -> None:
    first = demo_file_name(0)  # the same on a reset database of the same site (its SECRET_KEY)
    (media / "demo").mkdir(parents=True)
    (media / first).write_bytes(b"left over from an earlier database")

    run("seed_demo", count=1)

    image = Dataset.objects.get(slug="demo").images.get()
    assert image.file.name == first
    with PILImage.open(media / image.file.name) as picture:
        assert picture.size == (768, 768)
    assert stored_files(media).count(first) == 1
    captchas = set(Image.objects.filter(is_captcha=True).values_list("file", flat=True))
    left = [name for name in stored_files(media) if name.startswith("demo/") and name != first]
    assert not set(left) - captchas


@pytest.mark.django_db
def test_make_captchas_makes_only_the_captchas(media: Path) -> None:
    output = run("make_captchas", count=20)

    assert not Dataset.objects.filter(slug="demo").exists()
    pool = Dataset.objects.get(slug="captchas")
    assert pool.images.filter(is_captcha=True, queue_entry__isnull=True).count() == 20
    assert "created 20" in output
    assert "created 10" in run("make_captchas", count=10)
    assert pool.images.count() == 30


@pytest.mark.django_db
def test_make_captchas_takes_a_captcha_pool_made_public_by_mistake_off_the_list(media: Path) -> None:
    Dataset.objects.create(slug="captchas", name="Captchas", public=True)

    run("make_captchas", count=1)

    assert not Dataset.objects.get(slug="captchas").public
