"""account_age is published in coarse steps, never in seconds: the lower bound of the step the rater's Horde
account age falls in (0, 1 day, 7 days, 30 days, 90 days, 365 days, 730 days), in both files that carry it, with
the Horde export's integer type kept; the column's meaning and the dataset card say which steps."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from ratings_site.exports.columns import DIFFUSIONDB, RATINGS
from tests.export_helpers import export, make_dataset_images, make_rater, rate_all, read_rows

pytestmark = pytest.mark.django_db

DAY = 86_400
STEPS = [0, DAY, 7 * DAY, 30 * DAY, 90 * DAY, 365 * DAY, 730 * DAY]
# A Horde account age in seconds -> what the export publishes.
AGES = {
    0: 0,
    5: 0,
    DAY - 1: 0,
    DAY: DAY,
    3 * DAY + 17: DAY,
    7 * DAY: 7 * DAY,
    29 * DAY + 86_399: 7 * DAY,
    45 * DAY + 123: 30 * DAY,
    200 * DAY + 1: 90 * DAY,
    400 * DAY + 3: 365 * DAY,
    730 * DAY: 730 * DAY,
    3_000 * DAY + 42: 730 * DAY,
}


def test_both_files_publish_the_step_not_the_seconds(tmp_path, settings):
    settings.EXPORT_DIR = tmp_path
    image = make_dataset_images(1, dataset="diffusiondb", source={"image_name": "a.png", "part_id": 1})[0]
    expected = {}
    for seconds, step in AGES.items():
        rater = make_rater(account_age=seconds)
        rate_all(rater, [image], rating=1 + len(expected) % 10, client_agent=f"client:{seconds}:x")
        expected[f"client:{seconds}:x"] = step

    export(tmp_path)

    for name in ("ratings.parquet", "diffusiondb_export.parquet"):
        rows = read_rows(tmp_path / name)
        assert {row["client_agent"]: row["account_age"] for row in rows} == expected, name
        assert pq.read_schema(tmp_path / name).field("account_age").type == pa.int64()
        assert {row["account_age"] for row in rows} <= set(STEPS)


def test_the_meaning_and_the_card_say_which_steps(tmp_path, settings):
    settings.EXPORT_DIR = tmp_path
    export(tmp_path)

    card = (tmp_path / "README.md").read_text()
    for columns in (RATINGS, DIFFUSIONDB):
        meaning = next(c.meaning for c in columns if c.name == "account_age")
        assert "seconds" in meaning and all(str(step) in meaning for step in STEPS)
    steps_table = card.split("## Account age", 1)[1].split("##", 1)[0]
    cells = [line.split("|")[1].strip() for line in steps_table.splitlines() if line.startswith("| ")]
    assert cells == ["`account_age`", *map(str, STEPS)]
