"""`make_captchas --best N` draws N best-of checks ("THIS IS THE BEST IMAGE / PICK IT"): each unique, with no
`captcha_answer` (what tells them from the rating page's checks), out of the queue, with renditions ready, and
captioned, named and sized like the dataset images they pass for."""

from __future__ import annotations

import hashlib
import io
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from PIL import Image as PILImage
from PIL import ImageChops, ImageStat

from ratings_site.datasets.captchas import BEST_CHECK, RATING_CHECK
from ratings_site.datasets.drawing import BEST_CHECK_LINES, draw_best_check
from ratings_site.datasets.models import Image
from tests.bestof_check_helpers import make_file_groups
from tests.helpers import in_queue


@pytest.fixture
def media(settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.mark.django_db
def test_it_draws_best_of_checks_that_pass_for_the_datasets_images(media: Path) -> None:
    make_file_groups(1, size=2)
    out = io.StringIO()

    call_command("make_captchas", count=0, best=3, stdout=out)

    checks = list(Image.objects.filter(BEST_CHECK))
    assert len(checks) == 3 and not Image.objects.filter(RATING_CHECK).exists()
    assert "Best-of checks: created 3; 3 in use." in out.getvalue()
    hashes = set()
    for check in checks:
        assert check.is_captcha and check.captcha_answer is None and not in_queue(check)
        assert check.dataset.slug == "captchas"
        assert check.source == {"poses_as": Image.objects.filter(is_captcha=False).first().dataset_id, "check": "best"}
        assert re.fullmatch(r"shots/shot-[0-9]{3}\.png", check.file.name), check.file.name
        data = (media / check.file.name).read_bytes()
        hashes.add(hashlib.sha256(data).hexdigest())
        with PILImage.open(io.BytesIO(data)) as picture:
            assert picture.size == (768, 768) == (check.width, check.height)
        assert check.caption
        assert not re.search(r"best|pick|check|captcha", check.caption, re.IGNORECASE), check.caption
        assert (media / "renditions" / "display" / f"{check.file.name}.webp").is_file()
    assert len(hashes) == 3, "every file is different"


def test_two_best_of_checks_differ_all_over() -> None:
    first, second = (PILImage.open(io.BytesIO(draw_best_check(variant).data)).convert("RGB") for variant in (5, 6))
    assert ImageStat.Stat(ImageChops.difference(first, second).convert("L")).mean[0] > 20
    assert draw_best_check(5).data == draw_best_check(5).data, "the same variant, the same bytes"
    assert BEST_CHECK_LINES == ("THIS IS THE BEST IMAGE", "PICK IT")
