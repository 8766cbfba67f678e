"""A demo seeded before its pictures were numbered sparsely (demo/demo-000.png, -001, ... in a row, which left every
check image numbered above the last picture) keeps working: the next seed_demo moves each picture to its sparse
name (`demo_file_name`), the same row with its ratings and the same bytes, draws and duplicates nothing, and a run
after that moves nothing."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command

from ratings_site.datasets.management.commands.seed_demo import demo_file_name
from ratings_site.datasets.models import Dataset, Image
from ratings_site.raters.models import Rater
from ratings_site.ratings.models import Rating


@pytest.fixture
def media(settings, tmp_path: Path, demo_pictures_drawn_once: None) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _old_demo(count: int) -> list[Image]:
    """The demo as seed_demo made it before: demo/demo-000.png, -001, ... in a row."""
    from ratings_site.demo.painters import demo_image

    dataset = Dataset.objects.create(slug="demo", name="Demo images", public=True)
    made = []
    for index in range(count):
        picture = demo_image(index)
        name = default_storage.save(f"demo/demo-{index:03d}.png", ContentFile(picture.png))
        made.append(
            Image.objects.create(
                dataset=dataset,
                file=name,
                dedupe_key=hashlib.sha256(picture.png).hexdigest(),
                caption=picture.caption,
                width=picture.width,
                height=picture.height,
                source={"drawn": "demo", "index": index},
            )
        )
    return made


@pytest.mark.django_db
def test_the_pictures_of_an_old_demo_move_to_their_sparse_names(media: Path) -> None:
    old = _old_demo(4)
    rater = Rater.objects.create(username="Rater#5", horde_id=5)
    rated = Rating.objects.create(rater=rater, image=old[0], rating=7)
    out = io.StringIO()

    call_command("seed_demo", count=4, stdout=out)

    moved = [Image.objects.get(pk=image.pk) for image in old]
    expected = [demo_file_name(index) for index in range(4)]
    assert [image.file.name for image in moved] == expected
    assert f"moved {sum(name != f'demo/demo-{i:03d}.png' for i, name in enumerate(expected))}" in out.getvalue()
    assert "Demo images: created 0, 4 in the dataset" in out.getvalue()
    for before, after in zip(old, moved, strict=True):
        assert hashlib.sha256((media / after.file.name).read_bytes()).hexdigest() == before.dedupe_key
        if before.file.name != after.file.name:
            assert not (media / before.file.name).exists()
    assert Rating.objects.get(pk=rated.pk).image_id == old[0].pk
    demo_files = sorted(p.name for p in (media / "demo").iterdir())
    checks = set(Image.objects.filter(is_captcha=True).values_list("file", flat=True))
    assert sorted(f"demo/{name}" for name in demo_files) == sorted([*expected, *checks]), "nothing left behind"

    again = io.StringIO()
    call_command("seed_demo", count=4, stdout=again)

    assert "moved" not in again.getvalue()
    assert [Image.objects.get(pk=image.pk).file.name for image in old] == expected
    assert Image.objects.filter(dataset__slug="demo").count() == 4
