"""A malformed HORDE_RATINGS_SET_TOKEN (too short to be a secret), HORDE_RATINGS_SET_ALLOWED_IPS (not addresses)
or copy setting stops start-up with a message naming the variable."""

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
        [sys.executable, "-c", "import django; django.setup(); from django.conf import settings; "
                               "print(settings.HORDE_RATINGS_SET_ALLOWED_IPS)"],
        cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60,
    )


@pytest.mark.parametrize(
    "name, value",
    [
        ("HORDE_RATINGS_SET_TOKEN", "short"),
        ("HORDE_RATINGS_SET_ALLOWED_IPS", "10.0.0.1,horde.example.org"),
        ("HORDE_RATINGS_SET_ALLOWED_IPS", "10.0.0.300"),
        ("GENERATION_COPY_MAX_ATTEMPTS", "0"),
        ("GENERATION_COPY_RETRY_BASE_SECONDS", "soon"),
        ("GENERATION_COPY_TIMEOUT", "0"),
    ],
)
def test_it_refuses_a_malformed_value_naming_the_variable(name, value):
    result = _start(**{name: value})

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and name in result.stderr


def test_it_takes_addresses_and_networks():
    result = _start(HORDE_RATINGS_SET_ALLOWED_IPS="10.0.0.1, 2001:db8::/32", HORDE_RATINGS_SET_TOKEN="a" * 16)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "['10.0.0.1', '2001:db8::/32']"
