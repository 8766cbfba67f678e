"""`make_captchas --count N` draws N new captchas, each unique (no table of file hashes gives an answer),
answers spread over 1 to 10, and hides the fixed captchas of earlier versions (their hashes are known)."""

from __future__ import annotations

import hashlib
import io
from collections import Counter
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from PIL import Image as PILImage
from PIL import ImageChops, ImageStat

from ratings_site.datasets.captchas import captcha_dataset
from ratings_site.datasets.drawing import captcha_layout, draw_captcha_image
from ratings_site.datasets.models import Image
from tests.helpers import in_queue


@pytest.fixture
def media(settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def run(**options: object) -> str:
    out = io.StringIO()
    call_command("make_captchas", stdout=out, **options)
    return out.getvalue()


@pytest.mark.django_db
def test_it_draws_count_new_unique_captchas_with_answers_spread(media: Path) -> None:
    output = run(count=40)

    captchas = list(Image.objects.filter(is_captcha=True))
    assert len(captchas) == 40
    assert "created 40" in output
    assert Counter(image.captcha_answer for image in captchas) == {answer: 4 for answer in range(1, 11)}
    hashes = {hashlib.sha256((media / image.file.name).read_bytes()).hexdigest() for image in captchas}
    assert len(hashes) == 40, "every file is different"
    assert all(not in_queue(image) and image.dataset.slug == "captchas" for image in captchas)
    assert all((media / "renditions" / "display" / f"{image.file.name}.webp").is_file() for image in captchas)

    assert "created 5" in run(count=5)
    assert Image.objects.filter(is_captcha=True).count() == 45, "each run draws new ones"


def test_two_captchas_with_the_same_answer_differ_all_over() -> None:
    """Not a pixel apart: different backgrounds, grain, band and number, so near-duplicate matching fails too."""
    first, second = (PILImage.open(io.BytesIO(draw_captcha_image(7, variant))).convert("RGB") for variant in (11, 12))
    layouts = captcha_layout(11), captcha_layout(12)
    difference = ImageStat.Stat(ImageChops.difference(first, second).convert("L"))
    assert difference.mean[0] > 20
    assert layouts[0].band != layouts[1].band


@pytest.mark.django_db
def test_it_hides_the_old_fixed_captchas(media: Path) -> None:
    pool = captcha_dataset()
    old = Image.objects.create(
        dataset=pool, file="captchas/0123456789abcdef0123456789abcdef.png", dedupe_key="old",
        caption="Captcha: rate this image a 7", is_captcha=True, captcha_answer=7,
    )

    output = run(count=1)

    old.refresh_from_db()
    assert old.hidden
    assert "Retired 1" in output
    assert Image.objects.filter(is_captcha=True, hidden=False).count() == 1


@pytest.mark.django_db
def test_a_count_below_one_is_refused(media: Path) -> None:
    with pytest.raises(CommandError, match="--count must be 1 or more"):
        run(count=0)
