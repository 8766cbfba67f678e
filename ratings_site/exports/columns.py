"""The columns of the open dataset's files: name, type and meaning, in one place.

The parquet schemas (`services.py`) and the dataset card (`card.py`) are both made from these lists, so the card
lists every column of every file, with the type the file really has. No pyarrow here: type names are strings,
which `services.arrow_schema` turns into pyarrow types.
"""

from __future__ import annotations

from dataclasses import dataclass

from ratings_site.ratings.models import RaterTag
from ratings_site.reliability.weights import UNKNOWN_WEIGHT

LICENCE = "CC-BY-SA-4.0"
# The kudos column of an anonymous rater's rating, as in the public export of the Horde's ratings (§5).
ANONYMOUS_KUDOS = -50


@dataclass(frozen=True)
class Column:
    name: str
    # "string", "int16", "int32", "int64", "double", "bool", "timestamp[us, tz=UTC]" or "list<element: string>"
    type: str
    nullable: bool
    meaning: str


USER_ID_MEANING = (
    "The rater, hashed: 64 hex characters, HMAC-SHA256 of the rater's Horde id with the site's secret export salt "
    "as key. Stable from one export to the next, never the raw id. Every anonymous rater hashes the id 0, so they "
    "share one user_id; a local account of this site (no Horde id) hashes `local:<its number>`."
)

RATER_KUDOS_MEANING = (
    f"The rater's kudos on the AI Horde at the moment of rating (a trust signal: kudos come from giving the Horde "
    f"work), as the Horde's find_user said at their login or API key lookup, rounded; {ANONYMOUS_KUDOS} for an "
    "anonymous rater; null when the site did not know it (ratings made before it was recorded)."
)

_DAY = 86_400
# The steps account_age is published in (`services.account_age_bucket`): each step's lower bound in seconds, and
# what it covers. The column keeps the Horde export's name and integer type; only the precision changes.
ACCOUNT_AGE_BUCKETS = [
    (0, "under 1 day"),
    (_DAY, "1 to 7 days"),
    (7 * _DAY, "7 to 30 days"),
    (30 * _DAY, "30 to 90 days"),
    (90 * _DAY, "90 to 365 days"),
    (365 * _DAY, "365 to 730 days"),
    (730 * _DAY, "730 days or more"),
]
ACCOUNT_AGE_STEPS = ", ".join(f"{bound} ({covers})" for bound, covers in ACCOUNT_AGE_BUCKETS)
ACCOUNT_AGE_MEANING = (
    "The rater's Horde account age, as the Horde last reported it, in coarse steps: the lower bound in seconds of "
    f"the step it falls in, one of {ACCOUNT_AGE_STEPS}. Never the exact seconds, which beside the hashed user_id and "
    "the exact created_at would narrow the hash to a few Horde accounts."
)

# The tags raters put on images (ratings.models.RaterTag.Kind): their values and labels, in the order the `tags`
# lists and the tag_<value> columns follow.
TAGS = [(kind.value, kind.label) for kind in RaterTag.Kind]
TAG_NAMES = ", ".join(f"`{value}`" for value, _ in TAGS)
# What each tag says, for the card (raters see the labels).
TAG_MEANINGS = {
    RaterTag.Kind.WATERMARK: "a watermark, logo or stock-photo mark is on the image",
    RaterTag.Kind.TEXT: "the image shows text (letters, words, a signature)",
    RaterTag.Kind.NSFW: "not safe for work: nudity, sexual content or gore",
    RaterTag.Kind.BROKEN: "the image is broken: it does not load, or is corrupt, blank or cut off",
    RaterTag.Kind.NOT_ARTWORK: "not an artwork (a screenshot, a document, a product photo ...)",
}

# What a rater's weight is (reliability.models.RaterWeight, reliability.weights); a rater without one exports null,
# read as UNKNOWN_WEIGHT (the population's weight).
RATER_WEIGHT_MEANING = (
    "The rater's reliability weight when exported, 0 to 1: how much this row should count in a weighted mean. "
    "Estimated from how well the rater agrees with the other raters of the same images and from their answers to "
    "check images, shrunk toward the population for raters with few ratings. 1 = as reliable as the population or "
    "better; lower = less reliable; 0 = ignore. Null when the rater has no weight yet: treat null as "
    f"{UNKNOWN_WEIGHT} (the population's weight). See the card's section on rater weights."
)
TAGS_MEANING = (
    f"The tags this rater put on this image when rating it, from {TAG_NAMES}; an empty list when none. "
    "Every tag is a rater's opinion, not a moderator's verdict."
)


def _tag_count_meaning(value: str, label: str) -> str:
    return (
        f"How many raters whose ratings count tagged the image `{value}` ({label}), when exported: the same "
        "on every row of the image; 0 when none."
    )


TAG_COUNTS = [Column(f"tag_{value}", "int32", False, _tag_count_meaning(value, label)) for value, label in TAGS]

RATINGS = [
    Column("id", "string", False, "The image: its public uuid on this site."),
    Column("ratings_count", "int32", False, "How many ratings the image had when exported, as the site counts them."),
    Column("rating", "int16", False, "The rating, 1 (Terrible) to 10 (Masterpiece)."),
    Column(
        "kudos",
        "int64",
        False,
        f"{ANONYMOUS_KUDOS} for an anonymous rater. For the others it is the kudos this site's ledger awarded them "
        "for this rating (0 when none): the reward, not the rater's Horde kudos (that is `rater_kudos`).",
    ),
    Column("account_age", "int64", False, ACCOUNT_AGE_MEANING),
    Column("usage_requests", "int64", True, "Always null: this site does not know the rater's Horde usage."),
    Column("created_at", "timestamp[us, tz=UTC]", False, "When the rating was made."),
    Column("client_agent", "string", False, "The client that sent the rating (name:version:contact), or empty."),
    Column("artifacts", "int16", True, "Artifacts seen, 0 (Flawless) to 5 (Garbage); null when not given."),
    Column("user_id", "string", False, USER_ID_MEANING),
    Column("trusted", "bool", False, "Whether the rater is trusted on the Horde."),
    Column("validated", "bool", False, "Always false: this site does not validate raters yet."),
    Column(
        "captchas_failed",
        "int32",
        False,
        "How many captcha images (images of known quality) the rater answered wrongly or skipped, at export time.",
    ),
    Column("country", "string", True, "Always null: this site does not know where raters are."),
    Column("rater_kudos", "int64", True, RATER_KUDOS_MEANING),
    Column(
        "image_url",
        "string",
        False,
        "A permanent URL of the image: the file this site keeps, or the URL the dataset was imported with.",
    ),
    Column("caption", "string", False, "The image's caption, or its prompt for generated images; may be empty."),
    Column("dataset", "string", False, "The dataset the image belongs to (its slug on this site)."),
    Column(
        "predicted_score",
        "double",
        True,
        "The current aesthetic predictor's score of the image (a predicted mean rating, 1 to 10); null when the image "
        "was not scored.",
    ),
    Column("predictor_version", "string", True, "The name of the predictor that made predicted_score; null with it."),
    Column("rater_weight", "double", True, RATER_WEIGHT_MEANING),
    Column("tags", "list<element: string>", False, TAGS_MEANING),
    *TAG_COUNTS,
]

GENERATIONS = [
    Column("request_id", "string", False, "The Horde's request id of the generation set (one prompt, several images)."),
    Column("generation_id", "string", False, "The Horde's id of this image."),
    Column("prompt", "string", False, "The prompt; empty when the client did not tell us."),
    Column("negative_prompt", "string", False, "The negative prompt; empty when none or not told."),
    Column("params", "string", False, "The generation parameters the client sent, as a JSON object ({} when unknown)."),
    Column("model", "string", False, "The model that made the image."),
    Column("seed", "string", False, "The seed, as the Horde sends it (a string)."),
    Column("rating", "int16", False, "The rating, 1 (Terrible) to 10 (Masterpiece)."),
    Column("artifacts", "int16", True, "Artifacts seen, 0 (Flawless) to 5 (Garbage); null when not given."),
    Column("best", "bool", False, "Whether this image is the best of its set (picked, or inferred from the ratings)."),
    Column(
        "image_url",
        "string",
        True,
        "A permanent URL of the copy of the image this site keeps; null when it holds no copy (the Horde's own "
        "links expire within the hour).",
    ),
    Column("sha256", "string", True, "SHA-256 of the copy's bytes (hex); null when no copy."),
    Column("width", "int32", True, "The copy's width in pixels; null when no copy."),
    Column("height", "int32", True, "The copy's height in pixels; null when no copy."),
    Column("user_id", "string", True, USER_ID_MEANING + " Null when the set reached us before we knew its rater."),
    Column("client_agent", "string", False, "The client that registered the set, or empty."),
    Column("rated_at", "timestamp[us, tz=UTC]", False, "When the set's rating was recorded."),
]

PAIRS = [
    Column(
        "winner",
        "string",
        False,
        "The image the rater judged better: a dataset image's public uuid (source best_of) or the Horde's generation "
        "id (source generation_set).",
    ),
    Column("loser", "string", False, "The image it beat, named the same way."),
    Column(
        "group",
        "string",
        False,
        "What the two images were shown in: the generation set's request id, or the number of the best-of prompt "
        "group on this site.",
    ),
    Column(
        "source",
        "string",
        False,
        '"generation_set": the best image of a rated generation set beats every other rated image of the set; '
        '"best_of": a rater picked the best of a prompt group of dataset images (2 to 4 sharing a caption).',
    ),
    Column("user_id", "string", True, USER_ID_MEANING + " Null when a generation set reached us before its rater."),
    Column("created_at", "timestamp[us, tz=UTC]", False, "When the pick was recorded."),
]

_RATING_COLUMN = {column.name: column for column in RATINGS}

# The file the AI Horde's ratings service published (on the Hub as Haidra-Org/AI-Horde-Ratings): its columns, in
# its order and with its meanings (shared/horde-wire.md §5), for ratings of images imported from DiffusionDB.
DIFFUSIONDB_NAME = "diffusiondb_export.parquet"
DIFFUSIONDB = [
    Column(
        "id",
        "string",
        False,
        "The DiffusionDB image: its file name (DiffusionDB's `image_name`) without the extension, a uuid. Join to "
        "DiffusionDB's metadata on `image_name` with the extension taken off.",
    ),
    *(_RATING_COLUMN[name] for name in ("ratings_count", "rating")),
    Column("kudos", "int64", True, RATER_KUDOS_MEANING),
    *(
        _RATING_COLUMN[name]
        for name in (
            "account_age",
            "usage_requests",
            "created_at",
            "client_agent",
            "artifacts",
            "user_id",
            "trusted",
            "validated",
            "captchas_failed",
            "country",
        )
    ),  # fmt: skip
]

FILES = {
    "ratings.parquet": RATINGS,
    "generations.parquet": GENERATIONS,
    "pairs.parquet": PAIRS,
    DIFFUSIONDB_NAME: DIFFUSIONDB,
}
