"""The web process never imports torch or open_clip: not at start-up, not to serve pages or the admin.

Checked in a fresh interpreter (this test process has imported torch already), on a database of its own.
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

# Every module of the site outside the predictor, and what the web process loads of the predictor.
PREDICTOR = "ratings_site.predictor."
PREDICTOR_WEB_MODULES = {"models", "admin", "apps", "views", "urls", "versions"}
imported = []
for module in pkgutil.walk_packages(ratings_site.__path__, "ratings_site."):
    name = module.name
    if name.startswith(PREDICTOR) and name[len(PREDICTOR):].split(".")[0] not in PREDICTOR_WEB_MODULES:
        continue
    importlib.import_module(name)
    imported.append(name)

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

# An image with a predicted score, so that the admin and the stats page show one.
from ratings_site.datasets.models import Dataset, Image
from ratings_site.predictor.models import AestheticScore, PredictorVersion
image = Image.objects.create(
    dataset=Dataset.objects.create(slug="web", name="Web"), url="https://images.example.org/1.jpg", dedupe_key="1"
)
version = PredictorVersion.objects.create(
    name="v", clip_model="ViT-H-14", embedding_dim=1024, head_file="h.pth", head_sha256="0" * 64, is_current=True
)
AestheticScore.objects.create(image=image, version=version, score=6.5)

statuses = {}
anonymous = Client()
for url in ["/healthz", "/", "/login/", "/rate/", "/stats/"]:
    statuses["anonymous " + url] = anonymous.get(url).status_code
moderator = Client()
moderator.force_login(get_user_model().objects.create_superuser("moderator", "moderator@example.org", "pw"))
urls = ["/rate/", "/kudos/", "/stats/", "/admin/", f"/admin/datasets/image/{image.pk}/change/"]
urls += [reverse(f"admin:{m._meta.app_label}_{m._meta.model_name}_changelist") for m in admin.site._registry]
for url in urls:
    statuses["moderator " + url] = moderator.get(url).status_code

loaded = {name: name in sys.modules for name in ("torch", "open_clip", "torchvision")}
importlib.import_module("ratings_site.predictor.heads")  # the check itself sees torch once it is imported
print(json.dumps({"loaded": loaded, "imported": imported, "statuses": statuses, "control": "torch" in sys.modules}))
"""


def test_the_web_process_imports_neither_torch_nor_open_clip(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'web.sqlite3'}",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "PYTHONPATH": str(ROOT),
    }
    done = subprocess.run(
        [sys.executable, "-c", WEB_PROCESS], check=False, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-4000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])

    assert result["loaded"] == {"torch": False, "open_clip": False, "torchvision": False}
    assert result["control"] is True
    for module in ["ratings_site.urls", "ratings_site.predictor.models", "ratings_site.predictor.admin"]:
        assert module in result["imported"]
    for app in ["datasets", "ratings", "raters", "kudos", "moderation"]:
        assert f"ratings_site.{app}.views" in result["imported"] or f"ratings_site.{app}.admin" in result["imported"]
    statuses = result["statuses"]
    assert statuses["anonymous /healthz"] == 200
    assert statuses["anonymous /rate/"] == 302
    assert any("/admin/predictor/" in key for key in statuses), "the predictor's admin pages were served"
    assert all(status == 200 for key, status in statuses.items() if key.startswith("moderator ")), statuses
