"""The export's manifest.json: which files the last export wrote, their rows, sizes and hashes.

The download views and the refresh task read it instead of opening parquet files (no pyarrow in the web
process). It is written last, after every file it lists is in place.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_datetime

MANIFEST_NAME = "manifest.json"


def read_manifest(directory: Path | str | None = None) -> dict[str, Any] | None:
    """The manifest of the export in `directory` (EXPORT_DIR by default); None when there is none or it is unreadable."""
    path = Path(directory if directory is not None else settings.EXPORT_DIR) / MANIFEST_NAME
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), list) or not created_at(manifest):
        return None
    return manifest


def created_at(manifest: dict[str, Any]) -> datetime | None:
    value = manifest.get("created_at")
    try:
        moment = parse_datetime(value) if isinstance(value, str) else None
    except ValueError:
        return None
    if moment is None or timezone.is_naive(moment):
        return None
    return moment


def file_entry(manifest: dict[str, Any], name: str) -> dict[str, Any] | None:
    """The manifest's entry for the file called exactly `name`, or None: names are looked up, never joined."""
    for entry in manifest["files"]:
        if isinstance(entry, dict) and entry.get("name") == name:
            return entry
    return None


def is_recent(manifest: dict[str, Any] | None, now: datetime | None = None) -> bool:
    """Whether the export is younger than EXPORT_MIN_INTERVAL_SECONDS (then no refresh is due)."""
    if manifest is None:
        return False
    made = created_at(manifest)
    age_limit = timedelta(seconds=settings.EXPORT_MIN_INTERVAL_SECONDS)
    return made is not None and made > (now or timezone.now()) - age_limit
