"""`manage.py check --deploy` passes without a single warning when the production variables of README.md are set,
and the HSTS variables reach the settings (a malformed one stops start-up naming it)."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# README.md's "Production" section: what a deployment behind TLS sets (besides its database and Horde key), and
# the Horde's addresses, whose forward of rated sets the intake takes (an example address here).
PRODUCTION_VARIABLES = {
    "DEBUG": "false",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "ratings.aihorde.net",
    "CSRF_TRUSTED_ORIGINS": "https://ratings.aihorde.net",
    "SESSION_COOKIE_SECURE": "true",
    "CSRF_COOKIE_SECURE": "true",
    "SECURE_SSL_REDIRECT": "true",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "true",
    "SECURE_HSTS_PRELOAD": "true",
    "HORDE_RATINGS_SET_ALLOWED_IPS": "203.0.113.10",
}


def _python(*args: str, **variables: str) -> subprocess.CompletedProcess:
    """Python in a fresh process whose environment holds only `variables` (not the test suite's)."""
    environment = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/tmp"),
        "DJANGO_SETTINGS_MODULE": "ratings_site.settings",
        **variables,
    }
    return subprocess.run(
        [sys.executable, *args], check=False, cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_passes_with_no_warning_with_the_production_variables(tmp_path):
    database = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    done = _python("manage.py", "check", "--deploy", "--fail-level", "WARNING", DATABASE_URL=database, **PRODUCTION_VARIABLES)

    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("System check identified no issues")
    assert "WARNING" not in done.stdout + done.stderr


def test_the_hsts_variables_reach_the_settings(tmp_path):
    show = "from ratings_site import settings as s; print(s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_HSTS_PRELOAD)"
    variables = {**PRODUCTION_VARIABLES, "SECURE_HSTS_SECONDS": "600", "SECURE_HSTS_PRELOAD": "false"}

    done = _python("-c", show, DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}", **variables)

    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["600", "True", "False"]


def test_a_malformed_hsts_variable_stops_start_up_naming_it(tmp_path):
    variables = {**PRODUCTION_VARIABLES, "SECURE_HSTS_SECONDS": "a year"}

    done = _python("manage.py", "check", DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}", **variables)

    assert done.returncode != 0
    assert "ImproperlyConfigured: SECURE_HSTS_SECONDS must be an integer, got 'a year'" in done.stderr
