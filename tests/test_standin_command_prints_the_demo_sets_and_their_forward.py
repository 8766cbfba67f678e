"""`make run` starts the stand-in Horde with the site's intake as its ratings service and prints the demo
generation sets a developer can open, with the demo key that owns each, and how the site takes its forward (by
address, with no credential, as the real Horde's)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from ratings_site.demo.standin import DEMO_SET_FOUR, DEMO_SET_PURPOSES

ROOT = Path(__file__).resolve().parent.parent


def test_the_command_lists_every_demo_set_and_where_rated_sets_go() -> None:
    env = {**os.environ, "DEBUG": "1"}
    env.pop("DATABASE_URL", None)
    process = subprocess.Popen(
        [sys.executable, "manage.py", "standin_horde", "--port", "0",
         "--ratings-set-url", "http://127.0.0.1:9/api/v1/rating/set"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    lines: list[str] = []
    try:
        for line in process.stdout:
            lines.append(line.rstrip())
            if line.startswith("Quit with Ctrl-C"):
                break
    finally:
        process.kill()
        process.wait(timeout=10)
    out = "\n".join(lines)
    for set_id in DEMO_SET_PURPOSES:
        assert set_id in out, out
    four = next(line for line in lines if DEMO_SET_FOUR in line)
    assert "demo-rater-0001" in four and "pick the best" in four
    assert "Rated sets are forwarded to http://127.0.0.1:9/api/v1/rating/set" in out
    assert "no credential" in out and "HORDE_RATINGS_SET_ALLOWED_IPS" in out
