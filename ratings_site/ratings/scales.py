"""The two scales raters answer on, in one place for the rating pages, generation sets and the API.

The aesthetic rating is 1 (Terrible) to 10 (Masterpiece); the artifacts rating, optional, is 0 (Flawless:
no flaws and fits the prompt) to 5 (Garbage), as the Horde's clients labelled them (shared/horde-wire.md §3).
Input comes from forms (text) and JSON (numbers): `parse_rating` and `parse_artifacts` read both and say
clearly what is wrong; callers turn `InvalidScore` into their own refusal (a 400 page or JSON message).
"""

from __future__ import annotations

import re

RATING_MIN, RATING_MAX = 1, 10
ARTIFACTS_MIN, ARTIFACTS_MAX = 0, 5

RATING_LABELS = {
    1: "Terrible",
    2: "Very bad",
    3: "Bad",
    4: "Poor",
    5: "Mediocre",
    6: "Decent",
    7: "Good",
    8: "Great",
    9: "Excellent",
    10: "Masterpiece",
}
ARTIFACTS_LABELS = {
    0: "Flawless",
    1: "Small, hardly noticeable flaws",
    2: "Easily spotted flaws that do not harm the aesthetic",
    3: "Obviously wrong, mildly harmful",
    4: "Obviously wrong, significantly harmful",
    5: "Garbage",
}
ARTIFACTS_SHORT = {0: "Flawless", 1: "Tiny flaws", 2: "Minor flaws", 3: "Mildly harmful", 4: "Harmful", 5: "Garbage"}


class InvalidScore(ValueError):
    """A score that is missing, not a whole number, or off its scale; `message` says which, for people."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# ASCII digits only: Python's int() also reads "١٠" (Arabic-Indic), "７" (full width) and "1_0" as numbers,
# which no rater means to type and which clients must not get away with sending.
_ASCII_INTEGER = re.compile(r"-?[0-9]+")


def parse_score(value: object, *, name: str, low: int, high: int, required: bool) -> int | None:
    """An integer score within [low, high] from form or JSON input, or InvalidScore.

    Text must be ASCII digits (surrounding spaces allowed); JSON may send a whole number, or a float that is one.
    """
    if value is None or (isinstance(value, str) and value.strip() == ""):
        if required:
            raise InvalidScore(f"Choose a {name} from {low} to {high}.")
        return None
    if isinstance(value, bool):
        raise InvalidScore(f"The {name} must be a whole number from {low} to {high}.")
    number: int | None = None
    if isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str) and _ASCII_INTEGER.fullmatch(value.strip(" \t\r\n")):
        number = int(value.strip(" \t\r\n"))
    if number is None:
        raise InvalidScore(f"The {name} must be a whole number from {low} to {high}, not {str(value)[:20]!r}.")
    if not low <= number <= high:
        raise InvalidScore(f"The {name} must be from {low} to {high}, not {number}.")
    return number


def parse_rating(value: object) -> int:
    """The aesthetic rating, required: 1 to 10."""
    rating = parse_score(value, name="rating", low=RATING_MIN, high=RATING_MAX, required=True)
    assert rating is not None
    return rating


def parse_artifacts(value: object) -> int | None:
    """The artifacts rating, optional: 0 to 5, or None when not given."""
    return parse_score(value, name="artifacts rating", low=ARTIFACTS_MIN, high=ARTIFACTS_MAX, required=False)


def rating_label(rating: int) -> str:
    """ "7 · Good" """
    return f"{rating} · {RATING_LABELS[rating]}"


def artifacts_label(artifacts: int) -> str:
    """ "2 · Minor flaws" """
    return f"{artifacts} · {ARTIFACTS_SHORT[artifacts]}"


def describe_score(rating: int, artifacts: int | None) -> str:
    """ "8 · Great, Tiny flaws", or "8 · Great" when the artifacts were not rated."""
    return rating_label(rating) + ("" if artifacts is None else f", {ARTIFACTS_SHORT[artifacts]}")
