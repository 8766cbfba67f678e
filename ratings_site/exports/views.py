"""GET /api/v1/download/ and /api/v1/download/<name>: the last export's files, as its manifest lists them.

Plain Django views. A file is found by looking its name up in the manifest, never by joining the request's text
to a path. The listing asks for a background refresh when the export is stale; it never builds one.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from functools import wraps
from pathlib import Path

from django.conf import settings
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date, quote_etag

from ratings_site.exports.columns import LICENCE
from ratings_site.exports.manifest import created_at, file_entry, is_recent, read_manifest
from ratings_site.exports.tasks import request_refresh

logger = logging.getLogger(__name__)

CONTENT_TYPES = {".parquet": "application/vnd.apache.parquet", ".md": "text/markdown; charset=utf-8"}


def _message(status: int, message: str, **headers: str) -> JsonResponse:
    response = JsonResponse({"message": message}, status=status)
    for name, value in headers.items():
        response[name] = value
    return response


def _get_or_head_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def checked(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method not in ("GET", "HEAD"):
            return _message(405, f"{request.method} is not allowed here: use GET.", Allow="GET, HEAD")
        return view(request, *args, **kwargs)

    return checked


@_get_or_head_only
def download_listing(request: HttpRequest) -> JsonResponse:
    manifest = read_manifest(settings.EXPORT_DIR)
    if not is_recent(manifest):
        try:
            request_refresh()
        except Exception:  # a full queue must not cost the listing: the next request asks again
            logger.exception("Could not enqueue the export's refresh")
    if manifest is None:
        return JsonResponse(
            {
                "files": [],
                "created_at": None,
                "licence": LICENCE,
                "message": "No export yet: one is being prepared, come back later.",
            }
        )
    files = [
        {
            "name": entry["name"],
            "url": request.build_absolute_uri(reverse("download_file", args=[entry["name"]])),
            "size": entry.get("size"),
            "sha256": entry.get("sha256"),
            "rows": entry.get("rows"),
            "created_at": manifest["created_at"],
        }
        for entry in manifest["files"]
        if isinstance(entry, dict) and isinstance(entry.get("name"), str)
    ]
    return JsonResponse({"files": files, "created_at": manifest["created_at"], "licence": LICENCE})


def _open_listed(name: str) -> tuple[dict, dict, object] | None:
    """The manifest, its entry for `name` and the file opened; None when the export does not list it.

    os.replace keeps a file's inode, so an open file whose inode is the manifest's is the file that manifest
    describes; while a new export is being moved into place they may differ for a moment: read again.
    """
    for _ in range(3):
        manifest = read_manifest(settings.EXPORT_DIR)
        entry = file_entry(manifest, name) if manifest else None
        if entry is None or Path(name).name != name or name.startswith("."):
            return None
        try:
            handle = open(Path(settings.EXPORT_DIR) / entry["name"], "rb")  # FileResponse closes it
        except OSError:
            return None
        stat = os.fstat(handle.fileno())
        if entry.get("inode") in (None, stat.st_ino) and entry.get("size") in (None, stat.st_size):
            return manifest, entry, handle
        handle.close()
    return None


@_get_or_head_only
def download_file(request: HttpRequest, name: str) -> HttpResponse:
    opened = _open_listed(name)
    if opened is None:
        return _message(404, f"No file {name!r} in the export: GET /api/v1/download/ lists them.")
    manifest, entry, handle = opened
    etag = quote_etag(str(entry.get("sha256") or ""))
    made = created_at(manifest)
    last_modified = int(made.timestamp())
    conditional = get_conditional_response(request, etag=etag, last_modified=last_modified)
    if conditional is not None:
        handle.close()
        conditional["ETag"] = etag
        conditional["Last-Modified"] = http_date(last_modified)
        return conditional
    content_type = CONTENT_TYPES.get(Path(name).suffix, "application/octet-stream")
    response = FileResponse(handle, as_attachment=True, filename=name, content_type=content_type)
    response["ETag"] = etag
    response["Last-Modified"] = http_date(last_modified)
    response["Cache-Control"] = "public, max-age=300"
    return response
