"""The export's background refresh brings the raters' reliability weights up to date before it writes the files: a
file exported hours after the last visit to /stats/ still carries every rater's current weight, not nulls or old
ones."""

from __future__ import annotations

import pytest

from ratings_site.exports.services import hashed_user_id
from ratings_site.exports.tasks import refresh_export
from ratings_site.ratings.counting import recount_image_counters
from ratings_site.reliability.models import RaterWeight
from tests.export_helpers import make_dataset_images, make_rater, rate_all, read_rows

pytestmark = pytest.mark.django_db


def test_the_refresh_weighs_every_rater_before_it_exports(tmp_path, settings) -> None:
    settings.EXPORT_DIR = tmp_path
    images = make_dataset_images(6)
    agreeing, also_agreeing, contrary = make_rater(), make_rater(), make_rater()
    rate_all(agreeing, images, rating=7)
    rate_all(also_agreeing, images, rating=8)
    rate_all(contrary, images, rating=1)
    recount_image_counters(image.pk for image in images)
    assert not RaterWeight.objects.exists()

    assert refresh_export.call()["skipped"] is False

    weights = {row["user_id"]: row["rater_weight"] for row in read_rows(tmp_path / "ratings.parquet")}
    name = {rater: hashed_user_id(rater.horde_id, rater.pk) for rater in (agreeing, also_agreeing, contrary)}
    assert None not in weights.values()
    assert weights[name[contrary]] < weights[name[agreeing]]
    assert weights[name[contrary]] < weights[name[also_agreeing]]
