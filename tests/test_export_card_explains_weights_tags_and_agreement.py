"""The dataset card explains rater_weight (what it is, how to use it, null read as 1.0), the tag columns, and
Krippendorff's alpha with how to read it; each public dataset's agreement is in the card and in manifest.json
(null when not computed), and the new columns are documented with the others."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from ratings_site.datasets.models import Dataset
from ratings_site.exports.card import reading
from ratings_site.exports.columns import RATINGS, TAGS
from ratings_site.reliability.models import DatasetAgreement
from tests.export_helpers import export, make_dataset_images, make_rater, rate_all

pytestmark = pytest.mark.django_db

COMPUTED = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def _section(card: str, title: str) -> str:
    return card.split(f"## {title}", 1)[1].split("\n## ", 1)[0]


def _prose(card: str, title: str) -> str:
    """A section's text with its line breaks read as spaces."""
    return " ".join(_section(card, title).split())


@pytest.fixture
def exported(tmp_path) -> tuple[str, dict]:
    rate_all(make_rater(), make_dataset_images(3, dataset="landscapes"))
    make_dataset_images(1, dataset="portraits")
    make_dataset_images(1, dataset="sketches")
    make_dataset_images(1, dataset="hidden-set")
    Dataset.objects.filter(slug="hidden-set").update(public=False)
    for slug, rating_alpha, artifacts_alpha, per_image in [
        ("landscapes", 0.85, 0.7, [3, 4, 5]),
        ("portraits", 0.41, None, [2, 2]),
        ("hidden-set", 0.9, 0.9, [1, 1]),
    ]:
        DatasetAgreement.objects.create(
            dataset=Dataset.objects.get(slug=slug),
            rating_alpha=rating_alpha,
            artifacts_alpha=artifacts_alpha,
            ratings_per_image=per_image,
            computed_at=COMPUTED,
        )
    export(tmp_path)
    return (tmp_path / "README.md").read_text(), json.loads((tmp_path / "manifest.json").read_text())


def test_the_card_explains_rater_weight_and_how_to_use_it(exported):
    card, _ = exported
    weights = _prose(card, "Rater weights")
    for words in [
        "agrees with the other raters of the same images",
        "check images",
        "shrunk toward the population for raters with few ratings",
        "**1** means as reliable as the population or better",
        "**lower** means less reliable",
        "`sum(w * r) / sum(w)`",
        "sample weights",
        "treat null as 1.0",
    ]:
        assert words in weights, words


def test_the_card_explains_the_tag_columns(exported):
    card, _ = exported
    tags = _prose(card, "Tags")
    for value, label in TAGS:
        assert f"- `{value}` ({label}): " in _section(card, "Tags")
        assert f"`tag_{value}`" in tags
    assert "`tags` in `ratings.parquet` lists the tags the row's rater put on the row's image" in tags


def test_the_card_explains_alpha_and_shows_each_public_datasets_agreement(exported):
    card, _ = exported
    agreement = _section(card, "Agreement")
    prose = _prose(card, "Agreement")
    assert "Krippendorff's alpha" in prose and "interval metric" in prose and "ordinal metric" in prose
    assert "**≥ 0.8**: reliable" in prose
    assert "**0.667–0.8**: tentative" in prose
    assert "**below 0.667**: the disagreement is large" in prose
    assert "| `landscapes` | 0.850 (reliable) | 0.700 (tentative) | 9 | 2026-03-01T12:00:00+00:00 |" in agreement
    assert "| `portraits` | 0.410 (large disagreement) | null | 2 | 2026-03-01T12:00:00+00:00 |" in agreement
    assert "| `sketches` | null | null | null | never |" in agreement  # no agreement computed yet
    assert "hidden-set" not in card  # not public: not in the export


def test_the_manifest_holds_each_public_datasets_agreement(exported):
    _, manifest = exported
    assert manifest["agreement"] == [
        {
            "dataset": "landscapes",
            "rating_alpha": 0.85,
            "artifacts_alpha": 0.7,
            "images_rated_twice_or_more": 9,
            "computed_at": "2026-03-01T12:00:00+00:00",
        },
        {
            "dataset": "portraits",
            "rating_alpha": 0.41,
            "artifacts_alpha": None,
            "images_rated_twice_or_more": 2,
            "computed_at": "2026-03-01T12:00:00+00:00",
        },
        {
            "dataset": "sketches",
            "rating_alpha": None,
            "artifacts_alpha": None,
            "images_rated_twice_or_more": None,
            "computed_at": None,
        },
    ]


def test_the_new_columns_are_documented_with_the_others(exported):
    card, _ = exported
    names = [column.name for column in RATINGS]
    assert names[-7:] == ["rater_weight", "tags", *(f"tag_{value}" for value, _ in TAGS)]
    columns = _section(card, "Columns")
    assert "| `rater_weight` | `double`, nullable | The rater's reliability weight" in columns
    assert "| `tags` | `list<element: string>` | The tags this rater put on this image" in columns
    assert "| `tag_watermark` | `int32` | How many raters whose ratings count tagged the image" in columns


@pytest.mark.parametrize(
    ("alpha", "words"),
    [
        (1.0, "reliable"),
        (0.8, "reliable"),
        (0.7999, "tentative"),
        (0.667, "tentative"),
        (0.6669, "large disagreement"),
        (-0.2, "large disagreement"),
        (None, "not computed yet"),
    ],
)
def test_alpha_is_read_by_krippendorffs_thresholds(alpha, words):
    assert reading(alpha) == words
