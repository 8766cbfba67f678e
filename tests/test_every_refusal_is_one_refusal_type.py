"""One refusal type: every refusal a person or a client can meet is a `ratings_site.refusals.Refusal` with a stable
snake_case `code`, so that the API (api.errors) and the pages translate it once. No new parallel family of
exceptions may start from `Exception`, except the failures that never reach a person as a refusal."""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import pytest

from ratings_site.refusals import Refusal

SITE = Path(__file__).resolve().parent.parent / "ratings_site"

# Failures, not refusals: logged, retried or turned into a refusal by their callers.
NOT_REFUSALS = {
    "ratings_site.predictor.priorities.PrioritisationError",
    "ratings_site.predictor.training.data.NotEnoughTrainingData",
    "ratings_site.predictor.clip.PredictorError",
    "ratings_site.datasets.importers.DatasetImportError",
    "ratings_site.datasets.fetch.FetchError",
    "ratings_site.datasets.renditions.RenditionError",
    "ratings_site.horde.client.HordeError",
    "ratings_site.horde.standin._BadJSON",  # the stand-in Horde's, for development and tests
    "ratings_site.demo.standin._BadJSON",  # the same, once moved to the dev-only package
    "ratings_site.generations.copies.CopyFailed",
    "ratings_site.refusals.Refusal",
}

REFUSALS = [
    "ratings_site.ratings.limits.RatingRefused",
    "ratings_site.ratings.limits.RaterNotAllowed",
    "ratings_site.ratings.limits.RatingPaused",
    "ratings_site.ratings.limits.TooSoon",
    "ratings_site.ratings.limits.NotServed",
    "ratings_site.ratings.services.InvalidRating",
    "ratings_site.ratings.services.ImageUnavailable",
    "ratings_site.ratings.services.ImageFull",
    "ratings_site.ratings.services.RatingNotFound",
    "ratings_site.ratings.services.TooLateToChange",
    "ratings_site.ratings.restore.InvalidUndo",
    "ratings_site.bestof.services.InvalidPick",
    "ratings_site.bestof.services.GroupUnavailable",
    "ratings_site.bestof.services.GroupFull",
    "ratings_site.raters.services.LoginRefused",
    "ratings_site.raters.services.SharedKeyRefused",
    "ratings_site.raters.throttle.LoginThrottled",
    "ratings_site.generations.intake.IntakeRefused",
    "ratings_site.generations.rules.SetRatingRefused",
    "ratings_site.generations.services.NotYourSet",
    "ratings_site.generations.services.SetAlreadyRated",
    "ratings_site.generations.status.StatusLookupsThrottled",
    "ratings_site.embed.tokens.TokenRefused",
]


def _classes_straight_from_exception() -> set[str]:
    found = set()
    for path in SITE.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        module = ".".join(path.relative_to(SITE.parent).with_suffix("").parts)
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ClassDef) and any(
                isinstance(base, ast.Name) and base.id == "Exception" for base in node.bases
            ):
                found.add(f"{module}.{node.name}")
    return found


def test_no_other_family_of_refusals_starts_from_exception():
    assert _classes_straight_from_exception() - NOT_REFUSALS == set()


@pytest.mark.parametrize("name", REFUSALS)
def test_each_family_is_a_refusal_with_a_snake_case_code(name):
    module, _, attribute = name.rpartition(".")
    refusal = getattr(importlib.import_module(module), attribute)

    assert issubclass(refusal, Refusal)
    assert re.fullmatch(r"[a-z]+(_[a-z]+)*", refusal.code), refusal.code
    assert refusal.code != Refusal.code, f"{name} names its own code"
