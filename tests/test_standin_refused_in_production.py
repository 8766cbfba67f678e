"""Production has no stand-in Horde: with DEBUG off and STANDIN_HORDE_ALLOWED unset, `manage.py standin_horde` is
an unknown command (the development-only app that holds it is not installed); allowed, the command is there."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _help_for_standin(**overrides: str) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key not in {"STANDIN_HORDE_ALLOWED", "DATABASE_URL"}}
    env.update(DJANGO_SETTINGS_MODULE="ratings_site.settings", DEBUG="0", SECRET_KEY="x" * 50, **overrides)
    return subprocess.run(
        [sys.executable, "manage.py", "help", "standin_horde"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_it_is_unknown_when_debug_is_off() -> None:
    done = _help_for_standin()
    assert done.returncode != 0
    assert "Unknown command: 'standin_horde'" in done.stderr


def test_it_is_there_when_explicitly_allowed() -> None:
    done = _help_for_standin(STANDIN_HORDE_ALLOWED="1")
    assert done.returncode == 0, done.stderr
    assert "stand-in AI Horde" in done.stdout
