"""The README.md dataset card names the licence, the hashing, the row counts and every column of each file with
its real parquet type; manifest.json lists each file with its rows, size and sha256; no temporary file is left."""

from __future__ import annotations

import hashlib
import json

import pyarrow.parquet as pq
import pytest

from ratings_site.exports.columns import FILES
from tests.export_helpers import export, make_dataset_images, make_rater, rate_all

pytestmark = pytest.mark.django_db


def test_the_card_lists_every_column_of_every_file_with_its_type(tmp_path):
    rate_all(make_rater(), make_dataset_images(3))

    export(tmp_path)

    card = (tmp_path / "README.md").read_text()
    assert "CC-BY-SA-4.0" in card
    assert "HMAC-SHA256" in card
    assert "`ratings.parquet`: 3 rows" in card
    for name in FILES:
        schema = pq.read_schema(tmp_path / name)
        section = card.split(f"### `{name}`", 1)[1].split("###", 1)[0]
        assert [field.name for field in schema] == [c.name for c in FILES[name]]
        for field in schema:
            line = next(line for line in section.splitlines() if line.startswith(f"| `{field.name}` |"))
            assert str(field.type) in line, (name, field.name, line)


def test_the_manifest_lists_each_file_with_rows_size_and_sha256(tmp_path):
    rate_all(make_rater(), make_dataset_images(4))

    export(tmp_path)

    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["licence"] == "CC-BY-SA-4.0" and manifest["created_at"]
    entries = {entry["name"]: entry for entry in manifest["files"]}
    assert set(entries) == {*FILES, "README.md"}
    for name, entry in entries.items():
        data = (tmp_path / name).read_bytes()
        assert entry["size"] == len(data)
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()
    assert entries["ratings.parquet"]["rows"] == 4 == pq.read_metadata(tmp_path / "ratings.parquet").num_rows
    assert entries["README.md"]["rows"] is None
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith(".export.lock")) == sorted(
        [*entries, "manifest.json"]
    )


def test_an_empty_site_exports_empty_files(tmp_path):
    export(tmp_path)

    for name in FILES:
        assert pq.read_metadata(tmp_path / name).num_rows == 0
