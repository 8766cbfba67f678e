"""The dataset card (README.md) written beside the parquet files: licence, columns, how ids are hashed, counts."""

from __future__ import annotations

from datetime import datetime

from ratings_site.exports.columns import ACCOUNT_AGE_BUCKETS, ANONYMOUS_KUDOS, DIFFUSIONDB_NAME, FILES, LICENCE, Column


def _column_table(columns: list[Column]) -> str:
    lines = ["| column | type | meaning |", "|---|---|---|"]
    for column in columns:
        kind = f"{column.type}, nullable" if column.nullable else column.type
        meaning = column.meaning.replace("|", "\\|")
        lines.append(f"| `{column.name}` | {kind} | {meaning} |")
    return "\n".join(lines)


def render_card(*, rows: dict[str, int], created_at: datetime, since: datetime | None) -> str:
    """The README.md of one export: `rows` maps each parquet file's name to its row count."""
    counts = "\n".join(f"- `{name}`: {rows.get(name, 0):,} rows" for name in FILES)
    scope = (
        f"This is an **increment**: only ratings, rated generation sets and picks recorded since "
        f"{since.isoformat()} (`--since`). The full export lives at the top of the download folder."
        if since
        else "This is the **full export**: every rating, rated generation set and pick the site holds."
    )
    age_steps = "\n".join(f"| {bound} | {covers} |" for bound, covers in ACCOUNT_AGE_BUCKETS)
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

## Columns

{sections}
"""
