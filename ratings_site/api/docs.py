"""/api/docs/: the API's reference, readable, from the OpenAPI schema at /api/schema/; /api and /api/ lead here.

Swagger UI from drf-spectacular-sidecar's files (no CDN). drf-spectacular's own page holds an inline script
and an inline style, which the site's CSP (script-src and style-src 'self') refuses, so our page
(templates/api/docs.html) loads only files: the sidecar's bundle and CSS, and static/js/api-docs.js, which
starts Swagger UI on the schema URL written in the page. No CSP relaxation is needed.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.views import APIView


@require_safe
def api_docs(request: HttpRequest) -> HttpResponse:
    return render(request, "api/docs.html", {"schema_url": reverse("api:schema") + "?format=json"})


class APIRoot(APIView):
    """`GET /api` and `/api/`: a redirect to the docs (the dataset's card links the API as `https://<host>/api`).
    Any other method is refused as every API call refuses, in JSON."""

    authentication_classes: list = []
    permission_classes: list = []
    throttle_classes: list = []

    @extend_schema(exclude=True)
    def get(self, request: Request) -> HttpResponseRedirect:
        return HttpResponseRedirect(reverse("api:docs"))


_ERROR = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
_LISTED_FILE = {
    "type": "object",
    "properties": {
        "name": {"type": "string"},
        "url": {"type": "string", "format": "uri"},
        "size": {"type": "integer", "nullable": True, "description": "Bytes."},
        "sha256": {"type": "string", "nullable": True},
        "rows": {"type": "integer", "nullable": True, "description": "Rows of a parquet file; null for the card."},
        "created_at": {"type": "string", "format": "date-time"},
    },
    "required": ["name", "url", "size", "sha256", "rows", "created_at"],
}
_LISTING = {
    "type": "object",
    "properties": {
        "files": {"type": "array", "items": _LISTED_FILE},
        "created_at": {"type": "string", "nullable": True, "format": "date-time"},
        "licence": {"type": "string", "example": "CC-BY-SA-4.0"},
        "message": {"type": "string", "description": "Only while no export exists yet."},
    },
    "required": ["files", "created_at", "licence"],
}


def add_download_paths(result: dict, generator, request, public) -> dict:
    """A drf-spectacular postprocessing hook: the open dataset's downloads are plain Django views (streamed files,
    exports.views), which the generator does not see; describe them here, with the same error shape."""
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components.setdefault(
        "Error",
        {"type": "object", "properties": {"message": {"type": "string"}}, "required": ["message"]},
    )
    paths = result.setdefault("paths", {})
    paths["/api/v1/download/"] = {
        "get": {
            "operationId": "list_downloads",
            "summary": "The open dataset: the last export's files",
            "description": "The files of the last export (CC-BY-SA-4.0): ratings.parquet, generations.parquet, "
            "pairs.parquet, diffusiondb_export.parquet (the AI Horde ratings service's file, with its columns: "
            "ratings of DiffusionDB images, id = DiffusionDB's image name without its extension) and the README.md "
            "dataset card. Refreshed at most hourly.",
            "tags": ["download"],
            "responses": {
                "200": {"description": "The listing.", "content": {"application/json": {"schema": _LISTING}}},
                "405": {"description": "Only GET and HEAD.", "content": _ERROR},
            },
        }
    }
    paths["/api/v1/download/{name}"] = {
        "get": {
            "operationId": "download_file",
            "summary": "One file of the open dataset",
            "description": "Streamed, with ETag (its sha256) and Last-Modified: send If-None-Match or "
            "If-Modified-Since to get 304 when you have it already.",
            "tags": ["download"],
            "parameters": [
                {"name": "name", "in": "path", "required": True, "schema": {"type": "string"},
                 "example": "ratings.parquet"},
            ],
            "responses": {
                "200": {
                    "description": "The file.",
                    "content": {
                        "application/vnd.apache.parquet": {"schema": {"type": "string", "format": "binary"}},
                        "text/markdown": {"schema": {"type": "string"}},
                    },
                },
                "304": {"description": "Not modified since your copy."},
                "404": {"description": "Not a file of the last export.", "content": _ERROR},
                "405": {"description": "Only GET and HEAD.", "content": _ERROR},
            },
        }
    }
    return result
