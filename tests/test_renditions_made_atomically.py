"""Requests racing for a missing rendition each get a whole file, and no temporary file is left behind."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from ratings_site.datasets.renditions import ensure_rendition
from tests.picture_files import encoded, file_image, media, opened, picture  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


def test_racing_requests_each_read_a_whole_webp(media: Path) -> None:
    name = file_image(encoded(picture((1200, 900)))).file.name

    def make_and_read(_: int) -> bytes:
        return ensure_rendition("display", name).read_bytes()

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(make_and_read, range(16)))

    for data in results:
        assert opened(data).size == (1200, 900)
    assert len(set(results)) == 1
    assert [p.name for p in (media / "renditions/display/images/tests").iterdir()] == [f"{Path(name).name}.webp"]
