"""TRUST_X_FORWARDED_PROTO (believe the TLS proxy's X-Forwarded-Proto) is a setting of its own: on by default where
SECURE_SSL_REDIRECT is on, as before, so existing deployments keep their behaviour; settable either way without the
redirect; a malformed value stops start-up naming it."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHOW = "from ratings_site import settings as s; print(getattr(s, 'SECURE_PROXY_SSL_HEADER', None))"
TRUSTED = "('HTTP_X_FORWARDED_PROTO', 'https')"


def _settings(tmp_path, **variables: str) -> subprocess.CompletedProcess:
    """Import the settings in a fresh process whose environment holds only `variables` (not the test suite's)."""
    environment = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/tmp"),
        "SECRET_KEY": "a-secret-for-this-test-only",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        **variables,
    }
    return subprocess.run(
        [sys.executable, "-c", SHOW], check=False, cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize(
    ("variables", "shown"),
    [
        ({}, "None"),
        ({"SECURE_SSL_REDIRECT": "true"}, TRUSTED),
        ({"TRUST_X_FORWARDED_PROTO": "true"}, TRUSTED),
        ({"TRUST_X_FORWARDED_PROTO": "false", "SECURE_SSL_REDIRECT": "true"}, "None"),
    ],
)
def test_the_proxy_header_is_trusted_as_set_or_with_the_redirect(tmp_path, variables, shown):
    done = _settings(tmp_path, **variables)

    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == shown


def test_a_malformed_value_stops_start_up_naming_it(tmp_path):
    done = _settings(tmp_path, TRUST_X_FORWARDED_PROTO="https")

    assert done.returncode != 0
    assert "TRUST_X_FORWARDED_PROTO must be a boolean" in done.stderr
