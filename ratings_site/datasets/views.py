"""Serving stored pictures: the renditions of image files (`renditions.py`), made on their first request, and the
files under MEDIA_ROOT (`ratings_site.views.media`), both through `picture_response`.

A stored file is served only as what it is: a picture of an allowed format (`datasets.pictures`), with that format's
image content type read from its own bytes, `nosniff`, and a CSP that runs nothing (PICTURE_POLICY), so that a file
planted under MEDIA_ROOT never runs as a page or a script on the site's origin. Anything else is a 404.

A hidden image's file and renditions are served to moderators only (`sees_hidden_images`: the admin's preview), and
never for caches to keep; everyone else gets a 404. Which files are hidden is one query on the `image_file` index.
"""

from __future__ import annotations

import posixpath

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.utils._os import safe_join
from django.views.decorators.http import require_safe
from django.views.static import serve

from ratings_site.datasets.models import HAS_FILE, Image
from ratings_site.datasets.pictures import MEDIA_TYPES, PICTURE_ENDINGS, picture_format
from ratings_site.datasets.renditions import (
    KINDS,
    RENDITIONS_DIR,
    SUFFIX,
    RenditionError,
    ensure_rendition,
    rendition_name,
)
from ratings_site.raters.moderator_rights import is_moderator

# A picture opened on its own (its URL in the address bar) runs nothing and loads nothing: it is a document of its
# own then, and this is its policy (the site's CSP middleware keeps a policy a view has set).
PICTURE_POLICY = "default-src 'none'; sandbox"
# Names hold content hashes, and a rendition changes only when its original does: cached long.
PUBLIC_CACHING = "public, max-age=604800, immutable"
PRIVATE_CACHING = "private, no-store"  # a hidden image, shown to a moderator


def image_file_state(name: str) -> bool | None:
    """Whether the image whose file is the stored `name` is hidden (True when any image with that file is), or None
    when no image has that file. One query on the `image_file` index."""
    return Image.objects.filter(HAS_FILE, file=name).order_by("-hidden").values_list("hidden", flat=True).first()


def sees_hidden_images(user) -> bool:
    """Moderators who may view images still see hidden images: the admin shows them."""
    return is_moderator(user) and user.has_perm("datasets.view_image")


def picture_response(request: HttpRequest, name: str, *, hidden: bool) -> HttpResponse:
    """The stored file `name` (a normalised path under MEDIA_ROOT) served as the picture it is, or a 404: for a
    name not ending as a picture does, a file that is not a picture of an allowed format, and a hidden image's file
    asked by anyone but a moderator."""
    if hidden and not sees_hidden_images(request.user):
        raise Http404("No such file")
    if posixpath.splitext(name)[1].lower() not in PICTURE_ENDINGS:
        raise Http404("No such file")  # a front server serving MEDIA_ROOT would go by the name
    try:
        kind = picture_format(safe_join(settings.MEDIA_ROOT, name))
    except SuspiciousFileOperation:
        raise Http404("No such file") from None
    if kind is None:
        raise Http404("No such file")
    response = serve(request, name, document_root=settings.MEDIA_ROOT)
    if response.status_code == 200:
        response["Content-Type"] = MEDIA_TYPES[kind]
    response["Cache-Control"] = PRIVATE_CACHING if hidden else PUBLIC_CACHING
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = PICTURE_POLICY
    return response


def normalised(path: str) -> str:
    """`path` as stored names are written (no empty, `.` or `..` parts, no leading slash), or a 404: a file is
    looked up by its exact name, so another spelling of it must not get past that lookup."""
    if not path or path.startswith("/") or posixpath.normpath(path) != path:
        raise Http404("No such file")
    return path


def media_file(request: HttpRequest, path: str) -> HttpResponse:
    """A file under MEDIA_ROOT at /media/ (`ratings_site.views.media`, when SERVE_MEDIA is on): a picture, not a
    hidden image's (nor a rendition of one, which lies under MEDIA_ROOT too) unless asked by a moderator."""
    name = normalised(path)
    original = name
    prefix = f"{RENDITIONS_DIR}/"
    if name.startswith(prefix) and name.endswith(SUFFIX):  # renditions/<kind>/<original>.webp
        kind, _, rest = name.removeprefix(prefix).partition("/")
        if kind in KINDS and rest:
            original = rest.removesuffix(SUFFIX)
    return picture_response(request, name, hidden=bool(image_file_state(original)))


@require_safe
def rendition(request: HttpRequest, kind: str, path: str) -> HttpResponse:
    """/renditions/<kind>/<image file name>.webp, whether or not the site serves MEDIA_ROOT.

    Only an image's own file is rendered (one lookup on the `image_file` index), so nobody can
    make the site decode arbitrary files; anything else, and a broken original, is a 404. A hidden
    image's renditions are a moderator's only, as its file is.
    Cached as long as /media/ is: a rendition changes only when its original does.
    """
    name = path.removesuffix(SUFFIX)
    hidden = image_file_state(name) if kind in KINDS and name != path else None
    if hidden is None:
        raise Http404("No such rendition")
    if hidden and not sees_hidden_images(request.user):
        raise Http404("No such rendition")
    try:
        ensure_rendition(kind, name)
    except (RenditionError, SuspiciousFileOperation):
        raise Http404("No such rendition") from None
    return picture_response(request, rendition_name(kind, name), hidden=hidden)
