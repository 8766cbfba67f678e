"""The OpenAPI schema (/api/schema/) is generated with no warning and no error, and is valid OpenAPI 3.

drf-spectacular warns when a view's answers cannot be described (an APIView with no `extend_schema`, a field
it cannot type, two operations with one id); `--fail-on-warn` turns those into a failure. It runs in its own
process: drf-spectacular remembers the warnings it has printed in a process and would not print them twice.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_it_generates_the_schema_without_warnings(tmp_path: Path) -> None:
    out = tmp_path / "schema.json"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings"}
    env.pop("DATABASE_URL", None)  # generating the schema reads no database
    done = subprocess.run(
        [sys.executable, "manage.py", "spectacular", "--validate", "--fail-on-warn", "--format", "openapi-json",
         "--file", str(out)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Warning" not in done.stderr and "Error" not in done.stderr, done.stderr
    schema = json.loads(out.read_text())
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/generations" in schema["paths"]


def test_the_catch_all_is_not_an_operation(client, db) -> None:  # db: the per-address limit counts in a table
    schema = client.get("/api/schema/?format=json").json()
    assert all(not path.startswith("/api/{") and ".*" not in path for path in schema["paths"]), schema["paths"]
    assert "/api/schema/" not in schema["paths"] and "/api/docs/" not in schema["paths"]
