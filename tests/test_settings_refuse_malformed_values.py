"""A malformed environment value stops start-up with a message naming the variable."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _start(**env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    environment.update({"SECRET_KEY": "x", "DJANGO_SETTINGS_MODULE": "ratings_site.settings", **env})
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60,
    )


@pytest.mark.parametrize(
    "name, value",
    [
        ("RATINGS_PER_IMAGE", "five"),
        ("RATINGS_PER_IMAGE", "0"),
        ("KUDOS_PER_RATING", "-1"),
        ("CAPTCHA_RATE", "2"),
        ("CAPTCHA_RATE", "often"),
        ("DEBUG", "maybe"),
        ("SERVE_MEDIA", "perhaps"),
        ("RATINGS_PER_MINUTE_MAX", "1.5"),
        ("RATING_UNDO_MINUTES", "-1"),
        ("RATING_UNDO_MINUTES", "ten"),
        ("SESSION_COOKIE_SECURE", "y3s"),
        ("PREDICTOR_DEVICE", "gpu"),
        ("PREDICTOR_DEVICE", "cuda:one"),
    ],
)
def test_it_refuses_a_malformed_value_naming_the_variable(name, value):
    result = _start(**{name: value})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert name in result.stderr


def test_it_requires_a_secret_key_when_debug_is_off():
    result = _start(SECRET_KEY="", DEBUG="false")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_it_starts_with_good_values():
    result = _start(
        RATINGS_PER_IMAGE="3", CAPTCHA_RATE="0", DEBUG="off", DATABASE_URL="sqlite:////tmp/x.sqlite3", PREDICTOR_DEVICE="cuda:1"
    )
    assert result.returncode == 0, result.stderr
