"""MAX_IMAGE_PIXELS and ALLOW_PRIVATE_IMAGE_URLS come from the environment; a malformed value stops
start-up naming the variable. ALLOW_PRIVATE_IMAGE_URLS is a boolean or a list of addresses or networks."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHOW = "import django; django.setup(); from django.conf import settings as s; print(s.{})"


def _start(name: str, value: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", name)}
    environment.update({"SECRET_KEY": "x", "DJANGO_SETTINGS_MODULE": "ratings_site.settings", name: value})
    return subprocess.run(
        [sys.executable, "-c", SHOW.format(name)], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize(
    "name, value",
    [
        ("MAX_IMAGE_PIXELS", "lots"),
        ("MAX_IMAGE_PIXELS", "0"),
        ("ALLOW_PRIVATE_IMAGE_URLS", "maybe"),
        ("ALLOW_PRIVATE_IMAGE_URLS", "10.0.0.0/8,intranet"),
    ],
)
def test_a_malformed_value_stops_start_up_naming_the_variable(name: str, value: str) -> None:
    result = _start(name, value)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and name in result.stderr


@pytest.mark.parametrize(
    "name, value, seen",
    [
        ("MAX_IMAGE_PIXELS", "", "50000000"),
        ("MAX_IMAGE_PIXELS", "20000000", "20000000"),
        ("ALLOW_PRIVATE_IMAGE_URLS", "", "False"),
        ("ALLOW_PRIVATE_IMAGE_URLS", "yes", "True"),
        ("ALLOW_PRIVATE_IMAGE_URLS", "10.20.0.0/16, 192.0.2.7", "['10.20.0.0/16', '192.0.2.7']"),
    ],
)
def test_a_good_value_is_read(name: str, value: str, seen: str) -> None:
    result = _start(name, value)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == seen
