"""A check image named beside numbered files (the demo's demo/demo-417.png) takes a free number inside the range
the dataset's own files use, of the same width: its number never marks it out as above the dataset's last image.
The demo's pictures are numbered sparsely over 000-999 for it (not 000, 001, ... in a row); a demo seeded before
that is moved to sparse numbers (tests/test_seed_demo_moves_contiguous_demo_names.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from ratings_site.datasets.captchas import captcha_file_name, make_best_checks, make_captchas
from ratings_site.datasets.management.commands.seed_demo import ensure_demo_images
from ratings_site.datasets.models import Dataset, Image


@pytest.fixture
def media(settings, tmp_path: Path, demo_pictures_drawn_once: None) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _number(name: str) -> int:
    return int(re.fullmatch(r"demo/demo-([0-9]{3})\.png", name).group(1))


@pytest.mark.django_db
def test_the_checks_numbers_fall_within_the_demos_and_not_all_above_it(media: Path) -> None:
    dataset, _ = ensure_demo_images(12)
    pictures = sorted(_number(name) for name in dataset.images.values_list("file", flat=True))
    assert pictures != list(range(12)), "the demo's pictures are numbered sparsely"
    assert pictures[-1] - pictures[0] > 100

    checks = [*make_captchas(15), *make_best_checks(3)]

    numbers = [_number(check.file.name) for check in checks]
    assert all(pictures[0] <= number <= pictures[-1] for number in numbers), (pictures, numbers)
    assert any(number < pictures[-1] for number in numbers)
    assert not set(numbers) & set(pictures) and len(set(numbers)) == len(numbers)


@pytest.mark.django_db
def test_a_name_is_taken_inside_the_range_of_any_numbered_dataset(media: Path) -> None:
    dataset = Dataset.objects.create(slug="frames", name="Frames")
    for number in (200, 240, 299):
        name = default_storage.save(f"frames/frame-{number:04d}.jpg", ContentFile(b"x"))
        Image.objects.create(dataset=dataset, file=name, dedupe_key=str(number))

    names = {captcha_file_name(sample="frames/frame-0200.jpg", data=b"", ext="jpg", dataset=dataset) for _ in range(50)}

    assert all(200 < int(re.fullmatch(r"frames/frame-([0-9]{4})\.jpg", name).group(1)) < 299 for name in names)
    assert len(names) > 20
