"""`user_id` is HMAC-SHA256 of the Horde id with EXPORT_SALT: 64 hex characters, stable across exports and files,
never the raw id, different under another salt; every anonymous rater shares the hash of 0."""

from __future__ import annotations

import hashlib
import hmac
import re

import pytest

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


def _user_ids(out) -> list[str]:
    return [row["user_id"] for row in read_rows(out / "ratings.parquet")]


def test_the_user_id_is_the_keyed_hash_of_the_horde_id(tmp_path, settings):
    settings.EXPORT_SALT = "salt-one"
    rater = make_rater()
    rate_all(rater, make_dataset_images(2))

    export(tmp_path)

    expected = hmac.new(b"salt-one", str(rater.horde_id).encode(), hashlib.sha256).hexdigest()
    assert _user_ids(tmp_path) == [expected, expected]
    assert re.fullmatch(r"[0-9a-f]{64}", expected)
    assert str(rater.horde_id) not in expected


def test_it_is_stable_across_exports_and_files(tmp_path, settings):
    rater = make_rater()
    images = make_dataset_images(2)
    rate_all(rater, images)
    make_rated_generation_set(rater)
    make_best_pick(rater, images)

    export(tmp_path / "first")
    export(tmp_path / "second")

    first = set(_user_ids(tmp_path / "first"))
    assert first == set(_user_ids(tmp_path / "second"))
    assert {row["user_id"] for row in read_rows(tmp_path / "first" / "generations.parquet")} == first
    assert {row["user_id"] for row in read_rows(tmp_path / "first" / "pairs.parquet")} == first


def test_another_salt_gives_other_ids(tmp_path, settings):
    rate_all(make_rater(), make_dataset_images(1))
    settings.EXPORT_SALT = "salt-one"
    export(tmp_path / "one")
    settings.EXPORT_SALT = "salt-two"
    export(tmp_path / "two")

    assert _user_ids(tmp_path / "one") != _user_ids(tmp_path / "two")


def test_anonymous_raters_share_the_hash_of_zero_and_no_raw_id_appears(tmp_path, settings):
    settings.EXPORT_SALT = "salt-one"
    images = make_dataset_images(2)
    first, second = make_rater("anonymous"), make_rater("anonymous")
    rate_all(first, images[:1])
    rate_all(second, images[1:])

    export(tmp_path)

    zero = hmac.new(b"salt-one", b"0", hashlib.sha256).hexdigest()
    assert _user_ids(tmp_path) == [zero, zero]
    parquet = (tmp_path / "ratings.parquet").read_bytes()
    assert b"anonymous#" not in parquet  # no username either
