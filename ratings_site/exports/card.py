"""The dataset card (README.md) written beside the parquet files: licence, columns, how ids are hashed, counts,
how to use the rater weights and tags, and each dataset's agreement."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from ratings_site.exports.columns import (
    ACCOUNT_AGE_BUCKETS,
    ANONYMOUS_KUDOS,
    DIFFUSIONDB_NAME,
    FILES,
    LICENCE,
    TAG_MEANINGS,
    TAGS,
    Column,
)
from ratings_site.reliability.weights import UNKNOWN_WEIGHT

# Krippendorff's guidance on reading alpha (Content Analysis, 2004, 241-242): at or above RELIABLE the data can be
# relied on; from TENTATIVE, only tentative conclusions; below, the raters disagree too much.
RELIABLE = 0.8
TENTATIVE = 0.667


def _column_table(columns: list[Column]) -> str:
    lines = ["| column | type | meaning |", "|---|---|---|"]
    for column in columns:
        kind = f"`{column.type}`, nullable" if column.nullable else f"`{column.type}`"
        meaning = column.meaning.replace("|", "\\|")
        lines.append(f"| `{column.name}` | {kind} | {meaning} |")
    return "\n".join(lines)


def reading(alpha: float | None) -> str:
    """What an alpha says, in Krippendorff's words: reliable, tentative, or disagreement too large."""
    if alpha is None:
        return "not computed yet"
    if alpha >= RELIABLE:
        return "reliable"
    if alpha >= TENTATIVE:
        return "tentative"
    return "large disagreement"


def _alpha(alpha: float | None) -> str:
    return "null" if alpha is None else f"{alpha:.3f} ({reading(alpha)})"


def _agreement_table(agreement: Sequence[dict[str, Any]]) -> str:
    if not agreement:
        return "No public dataset yet."
    lines = [
        "| dataset | `rating_alpha` (interval) | `artifacts_alpha` (ordinal) | images rated twice or more "
        "| computed at |",
        "|---|---|---|---|---|",
    ]
    for row in agreement:
        compared = row["images_rated_twice_or_more"]
        lines.append(
            f"| `{row['dataset']}` | {_alpha(row['rating_alpha'])} | {_alpha(row['artifacts_alpha'])} | "
            f"{'null' if compared is None else f'{compared:,}'} | {row['computed_at'] or 'never'} |"
        )
    return "\n".join(lines)


def render_card(
    *, rows: dict[str, int], created_at: datetime, since: datetime | None, agreement: Sequence[dict[str, Any]] = ()
) -> str:
    """The README.md of one export: `rows` maps each parquet file's name to its row count, `agreement` holds each
    public dataset's agreement as the manifest has it (services.dataset_agreement)."""
    counts = "\n".join(f"- `{name}`: {rows.get(name, 0):,} rows" for name in FILES)
    scope = (
        f"This is an **increment**: only ratings, rated generation sets and picks recorded since "
        f"{since.isoformat()} (`--since`). The full export lives at the top of the download folder."
        if since
        else "This is the **full export**: every rating, rated generation set and pick the site holds."
    )
    age_steps = "\n".join(f"| {bound} | {covers} |" for bound, covers in ACCOUNT_AGE_BUCKETS)
    tag_list = "\n".join(f"- `{value}` ({label}): {TAG_MEANINGS.get(value, label)}" for value, label in TAGS)
    tag_columns = ", ".join(f"`tag_{value}`" for value, _ in TAGS)
    sections = "\n\n".join(f"### `{name}`\n\n{_column_table(columns)}" for name, columns in FILES.items())
    return f"""# Horde Ratings: open aesthetic ratings

Ratings of images by AI Horde users, collected by Horde Ratings for LAION's open aesthetic dataset.

- Licence: **{LICENCE}** (Creative Commons Attribution-ShareAlike 4.0). Images keep their own licences; the
  files list URLs, not image bytes.
- Exported at: {created_at.isoformat()} (UTC)
- Since: {since.isoformat() if since else "not used (full export)"}

{scope}

## Files

{counts}
- `README.md`: this card.
- `manifest.json`: the files' sizes, row counts and SHA-256, for downloads to check.

One row of `ratings.parquet` is one rating of a dataset image, with the columns of the AI Horde's public ratings
export (`id` … `country`), the rater's Horde kudos (`rater_kudos`) and what is needed to use the data without this
site (`image_url` … `predictor_version`).
One row of `generations.parquet` is one rated image of a generation set (images the Horde made from one prompt,
rated by the person who asked for them). One row of `pairs.parquet` is one pairwise preference: `winner` was
judged better than `loser`.

`{DIFFUSIONDB_NAME}` is the file the AI Horde's ratings service published (on the Hugging Face Hub as
`Haidra-Org/AI-Horde-Ratings`), kept with its columns and their meanings so that existing users need change
nothing: one row per rating of an image imported from DiffusionDB, `id` being the DiffusionDB image's file name
without its extension (join it to DiffusionDB's metadata on `image_name` with the extension taken off) and `kudos`
the rater's Horde kudos at the moment of rating. The same ratings are in `ratings.parquet` too, with this site's
image uuids and more columns.

## Left out

Never exported: captcha images and the answers to them (they only check raters), images hidden by a moderator,
every rating and pick of an image whose dataset is not public (a dataset made non-public leaves the next export
with all its ratings and picks), and every rating and pick of a rater flagged by a moderator or banned (account
disabled).

## How raters are identified

`user_id` is never a Horde id. It is HMAC-SHA256 (hex, 64 characters) of the rater's Horde id written in decimal,
keyed with a secret salt that this site keeps and never changes: the same rater has the same `user_id` in every
export and in every file, but the id cannot be recovered, or checked by guessing, without the salt.
All anonymous raters (Horde id 0) hash the id 0 and share one `user_id`.

## Account age

`account_age` (in `ratings.parquet` and `{DIFFUSIONDB_NAME}`) is the rater's Horde account age as the Horde last
reported it, published in coarse steps only: the column holds the lower bound, in seconds, of the step the age
falls in. The exact age in seconds, beside the hashed `user_id` and the exact `created_at`, would narrow the hash
to a few Horde accounts. The column keeps the Horde export's name and integer type; its values are these:

| `account_age` | the account's age |
|---|---|
{age_steps}

## Kudos

Kudos are the Horde's currency, earned by giving it work, so a rater's kudos say something about how far to trust
them. Each rating keeps the rater's Horde kudos as the Horde reported them when the rater logged in or their API key
was looked up (the Horde is never asked per rating), rounded to a whole number, and {ANONYMOUS_KUDOS} for anonymous
raters, as in the Horde's export: `kudos` in `{DIFFUSIONDB_NAME}`, `rater_kudos` in `ratings.parquet`. It is
null for ratings made before this site recorded it. In `ratings.parquet`, `kudos` is something else: the reward this
site awarded for that rating (0 when none; {ANONYMOUS_KUDOS} for anonymous raters).

## Rater weights (`rater_weight`)

`rater_weight` in `ratings.parquet` is a reliability weight per rater: how much each of their ratings should count.
It is estimated from how well the rater agrees with the other raters of the same images and from their answers to
check images (images whose quality is known), and shrunk toward the population for raters with few ratings, so that
a handful of ratings can neither make a rater look perfect nor condemn them. It lies between 0 and 1: **1** means
as reliable as the population or better; **lower** means less reliable; 0 means ignore their ratings. The weight is
the one this site held when the export was made: it is refreshed as raters rate, so the same rater may have another
weight in the next export. It is **null** for a rater who has no weight yet: treat null as {UNKNOWN_WEIGHT}, the
population's weight.

How to use it:

- A weighted mean per image instead of the plain mean: `sum(w * r) / sum(w)` over the image's rows, with `w` the
  row's `rater_weight` (null read as {UNKNOWN_WEIGHT}) and `r` its `rating` (or `artifacts`).
- Or as sample weights when training on the rows (e.g. the `weight` of a loss per row), so that careless or
  adversarial raters pull less.

With pandas: `df["w"] = df["rater_weight"].fillna({UNKNOWN_WEIGHT}); df["wr"] = df["w"] * df["rating"];
g = df.groupby("id"); score = g["wr"].sum() / g["w"].sum()`.

## Tags

While rating, raters may tag an image with any of:

{tag_list}

Each tag is one rater's opinion, not a moderator's verdict. `tags` in `ratings.parquet` lists the tags the row's rater
put on the row's image (an empty list when none). The per-image counts
{tag_columns} say how many raters whose ratings count gave each tag; they describe the image,
so they repeat on every row of the image (take them once per `id`), and a tag nobody gave is 0. Only the tags of raters whose ratings count are exported or counted.

## Agreement

How far the raters of a dataset agree, as Krippendorff's alpha over the counted ratings of its images rated twice
or more (hidden images left out, as they are from these files): `rating_alpha` on the 1–10 ratings with the interval metric, `artifacts_alpha` on the 0–5 artifacts with
the ordinal metric. Alpha is 1 when raters always agree, 0 when they agree no better than chance (below 0: worse
than chance). It is computed over the whole dataset, an increment's included, and `manifest.json` holds the same
figures under `agreement`; null when not computed yet (too few images rated twice or more).

How to read it (Krippendorff's guidance): **≥ {RELIABLE}**: reliable; **{TENTATIVE}–{RELIABLE}**: tentative
conclusions only; **below {TENTATIVE}**: the disagreement is large, use the scores with care (aesthetics are partly
a matter of taste, so a lower alpha is expected for ratings than for artifacts).

{_agreement_table(agreement)}

## Columns

{sections}
"""
