"""`export_ratings --since DATE` writes only what was recorded since then, into OUT_DIR/increments/<date>/, and
leaves the full export at the top of OUT_DIR (the one the download serves) alone."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from django.core.management.base import CommandError

from ratings_site.bestof.models import ImagePreference
from ratings_site.generations.models import GenerationSet, Preference
from ratings_site.ratings.models import Rating
from tests.export_helpers import (
    export,
    make_best_pick,
    make_dataset_images,
    make_rated_generation_set,
    make_rater,
    rate_all,
    read_rows,
)

pytestmark = pytest.mark.django_db

OLD = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
NEW = datetime(2026, 11, 29, 0, 30, tzinfo=UTC)


def _ratings_on_two_days():
    rater = make_rater()
    old, new = make_dataset_images(3), make_dataset_images(2)
    Rating.objects.filter(pk__in=[r.pk for r in rate_all(rater, old)]).update(created_at=OLD)
    Rating.objects.filter(pk__in=[r.pk for r in rate_all(rater, new)]).update(created_at=NEW)
    old_set, new_set = make_rated_generation_set(rater), make_rated_generation_set(rater)
    GenerationSet.objects.filter(pk=old_set.pk).update(rated_at=OLD)
    Preference.objects.filter(generation_set=old_set).update(created_at=OLD)
    GenerationSet.objects.filter(pk=new_set.pk).update(rated_at=NEW)
    ImagePreference.objects.filter(pick=make_best_pick(rater, old[:2])).update(created_at=OLD)
    make_best_pick(rater, new)
    return new, new_set


def test_only_what_was_recorded_since_the_date_is_written_into_its_increment(tmp_path, settings):
    settings.EXPORT_DIR = tmp_path
    new, new_set = _ratings_on_two_days()

    output = export(tmp_path, "--since", "2026-11-29")

    folder = tmp_path / "increments" / "2026-11-29"
    assert str(folder) in output
    assert {row["id"] for row in read_rows(folder / "ratings.parquet")} == {str(image.public_id) for image in new}
    assert {row["request_id"] for row in read_rows(folder / "generations.parquet")} == {new_set.request_id}
    pairs = read_rows(folder / "pairs.parquet")
    assert sorted(row["source"] for row in pairs) == ["best_of", "generation_set", "generation_set"]
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["since"] == "2026-11-29T00:00:00+00:00"
    assert "2026-11-29T00:00:00+00:00" in (folder / "README.md").read_text()
    assert not (tmp_path / "ratings.parquet").exists()  # the full export is not touched


def test_a_datetime_takes_its_time_of_day(tmp_path):
    _ratings_on_two_days()

    export(tmp_path, "--since", "2026-11-29T01:00:00Z")

    folder = tmp_path / "increments" / "2026-11-29T010000Z"
    assert read_rows(folder / "ratings.parquet") == []


def test_a_full_export_has_no_since(tmp_path):
    _ratings_on_two_days()

    export(tmp_path)

    assert len(read_rows(tmp_path / "ratings.parquet")) == 5
    assert json.loads((tmp_path / "manifest.json").read_text())["since"] is None


def test_a_malformed_date_is_refused(tmp_path):
    with pytest.raises(CommandError, match="ISO date"):
        export(tmp_path, "--since", "yesterday")
