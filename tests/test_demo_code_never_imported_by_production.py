"""The development-only package `ratings_site.demo` (the demo painters and the stand-in Horde) is never imported
in production: not by the web process, nor by any production module of the site (captchas, renditions, the Horde
client, the commands: `seed_demo` imports the painters in its function), and it is not an installed app there.

Checked in a fresh interpreter (this test process may have imported it already) with production's settings for
the stand-in (STANDIN_HORDE_ALLOWED off, as with DEBUG off), on a database of its own.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

WEB_PROCESS = r"""
import importlib, json, pkgutil, sys

import django
django.setup()

from django.core.management import call_command
call_command("migrate", verbosity=0)

import ratings_site
from ratings_site.wsgi import application  # what the WSGI server loads

# Every module of the site but the demo package itself (and the predictor's torch modules, which the
# web process never loads: tests/test_predictor_not_imported_by_web.py): models, views, urls, admin,
# captchas, renditions, every management command (seed_demo included).
DEMO = "ratings_site.demo"
PREDICTOR = "ratings_site.predictor."
PREDICTOR_WEB_MODULES = {"models", "admin", "apps", "views", "urls", "versions"}
imported = []


def walk(package):  # as pkgutil.walk_packages, which would import the demo package to look inside it
    for module in pkgutil.iter_modules(package.__path__, package.__name__ + "."):
        name = module.name
        if name == DEMO:
            continue
        if name.startswith(PREDICTOR) and name[len(PREDICTOR):].split(".")[0] not in PREDICTOR_WEB_MODULES:
            continue
        imported.append(name)
        loaded = importlib.import_module(name)
        if module.ispkg:
            walk(loaded)


walk(ratings_site)

from django.apps import apps
from django.test import Client

statuses = {}
anonymous = Client()
for url in ["/healthz", "/", "/login/", "/rate/", "/stats/"]:
    statuses["anonymous " + url] = anonymous.get(url).status_code

loaded = sorted(name for name in sys.modules if name == DEMO or name.startswith(DEMO + "."))
# The control: seed_demo's function does load them, so the check above would have seen them.
from ratings_site.datasets.management.commands.seed_demo import ensure_demo_images
ensure_demo_images(0)
print(json.dumps({
    "loaded": loaded,
    "imported": imported,
    "statuses": statuses,
    "installed": apps.is_installed(DEMO),
    "control": "ratings_site.demo.painters" in sys.modules,
}))
"""


def test_the_web_process_and_production_modules_do_not_import_the_demo_package(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'web.sqlite3'}",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "PYTHONPATH": str(ROOT),
        "STANDIN_HORDE_ALLOWED": "0",
    }
    done = subprocess.run(
        [sys.executable, "-c", WEB_PROCESS], check=False, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-4000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])

    assert result["loaded"] == []
    assert result["installed"] is False
    assert result["control"] is True
    imported = result["imported"]
    for module in [
        "ratings_site.wsgi",
        "ratings_site.urls",
        "ratings_site.datasets.captchas",
        "ratings_site.datasets.renditions",
        "ratings_site.datasets.drawing",
        "ratings_site.datasets.management.commands.make_captchas",
        "ratings_site.datasets.management.commands.seed_demo",
        "ratings_site.horde.client",
    ]:
        assert module in imported
    for app in ["datasets", "ratings", "raters", "kudos", "moderation", "predictor"]:
        assert f"ratings_site.{app}.views" in imported or f"ratings_site.{app}.urls" in imported or (
            f"ratings_site.{app}.admin" in imported
        )
    assert result["statuses"]["anonymous /healthz"] == 200


def test_the_stand_in_horde_lives_in_the_demo_package_only():
    """The Horde app holds the client alone: the stand-in and its command are demo code."""
    assert (ROOT / "ratings_site" / "demo" / "standin.py").is_file()
    assert (ROOT / "ratings_site" / "demo" / "management" / "commands" / "standin_horde.py").is_file()
    assert not list((ROOT / "ratings_site" / "horde").rglob("*standin*"))
