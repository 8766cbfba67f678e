"""The renditions of image files (`renditions.py`), made on their first request."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_safe
from django.views.static import serve

from ratings_site.datasets.models import HAS_FILE, Image
from ratings_site.datasets.renditions import (
    KINDS,
    SUFFIX,
    RenditionError,
    ensure_rendition,
    rendition_name,
)


@require_safe
def rendition(request: HttpRequest, kind: str, path: str) -> HttpResponse:
    """/renditions/<kind>/<image file name>.webp, whether or not the site serves MEDIA_ROOT.

    Only an image's own file is rendered (one lookup on the `image_file` index), so nobody can
    make the site decode arbitrary files; anything else, and a broken original, is a 404.
    Cached as long as /media/ is: a rendition changes only when its original does.
    """
    name = path.removesuffix(SUFFIX)
    if kind not in KINDS or name == path or not Image.objects.filter(HAS_FILE, file=name).exists():
        raise Http404("No such rendition")
    try:
        ensure_rendition(kind, name)
        response = serve(request, rendition_name(kind, name), document_root=settings.MEDIA_ROOT)
    except (RenditionError, SuspiciousFileOperation):
        raise Http404("No such rendition") from None
    response["Content-Type"] = "image/webp"
    response["Cache-Control"] = "public, max-age=604800, immutable"
    response["X-Content-Type-Options"] = "nosniff"
    return response
