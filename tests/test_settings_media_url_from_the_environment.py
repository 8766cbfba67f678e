"""MEDIA_URL comes from the environment, so that production can serve MEDIA_ROOT from another origin (a cookieless
host or object storage): a path or an http(s) URL ending with "/". The site then does not serve MEDIA_ROOT itself
(SERVE_MEDIA is false, and may not be set true). A malformed value stops start-up naming the variable."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHOW = "import django; django.setup(); from django.conf import settings as s; print(s.MEDIA_URL, s.SERVE_MEDIA)"


def _start(**variables: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "MEDIA_URL", "SERVE_MEDIA")}
    environment.update({"SECRET_KEY": "x", "DJANGO_SETTINGS_MODULE": "ratings_site.settings", **variables})
    return subprocess.run([sys.executable, "-c", SHOW], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize(
    "variables, seen",
    [
        ({}, "/media/ True"),
        ({"MEDIA_URL": "/files/"}, "/files/ True"),
        ({"MEDIA_URL": "https://media.ratings.example/"}, "https://media.ratings.example/ False"),
        ({"MEDIA_URL": "https://bucket.example/ratings/", "SERVE_MEDIA": "false"}, "https://bucket.example/ratings/ False"),
    ],
)
def test_a_good_value_is_read(variables: dict[str, str], seen: str) -> None:
    result = _start(**variables)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == seen


@pytest.mark.parametrize(
    "variables",
    [
        {"MEDIA_URL": "https://media.ratings.example"},  # no closing slash
        {"MEDIA_URL": "media/"},
        {"MEDIA_URL": "//media.ratings.example/"},
        {"MEDIA_URL": "javascript:alert(1)/"},
        {"MEDIA_URL": "https://media.ratings.example/", "SERVE_MEDIA": "true"},
    ],
)
def test_a_malformed_value_stops_start_up_naming_the_variable(variables: dict[str, str]) -> None:
    result = _start(**variables)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and "MEDIA_URL" in result.stderr
