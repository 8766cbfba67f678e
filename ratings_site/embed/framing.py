"""Who may frame which page: only /embed/ pages, and only by EMBED_ALLOWED_ORIGINS (CSP frame-ancestors); every
other page stays unframeable (frame-ancestors 'none' and X-Frame-Options: DENY). A page of a frame's session (and
the answer that redeems its token) may be framed by that session's origin only, so the browser itself keeps the
frame on the page of the app its token was issued for. The rest of the CSP is the same everywhere. Placed last in
MIDDLEWARE so that it marks the answer before django-csp and Django's X-Frame-Options middleware write their
headers. It also puts the embedded page's events (embed.events) in its htmx answers.

`refusal_to_redeem` says whether a token may be redeemed by this request: only inside a frame on the token's
origin (issue 20: a link opened as a page must sign nobody in, or the victim would rate for the attacker).
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from ratings_site.embed.events import add_trigger_header
from ratings_site.embed.sessions import EMBED_PREFIX, embed_origin

NOT_IN_A_FRAME = (
    "This link works only inside the app that shows this rating page, so it has signed nobody in. If someone sent "
    "you the link, close this page; to rate, open the app you use, or Horde Ratings itself."
)
ANOTHER_SITE = (
    "This rating page was opened by another site than the app it was made for, so it has signed nobody in. "
    "Reload the app that shows this page."
)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower() if parts.scheme and parts.netloc else ""


def refusal_to_redeem(request: HttpRequest, origin: str) -> str | None:
    """Why this request may not redeem a token issued for `origin`, or None when it comes from a frame on that
    origin's page.

    - `Sec-Fetch-Dest` (sent by every current browser, and never settable by a page) must be `iframe`: a page
      opened from a link, a bookmark or the address bar (`document`), a script's fetch (`empty`) or anything
      else is refused.
    - The frame's ancestor must be `origin`. A frame's navigation carries its parent page's origin as `Referer`
      (the default referrer policy, strict-origin-when-cross-origin) and, when it is a POST, as `Origin`: either
      one naming another origin is refused. A frame whose parent sends no Referer (its policy is no-referrer) is
      let in: the answer may be framed by `origin` only (frame-ancestors, below), so the browser shows it nowhere
      else, and its cookie is partitioned by the top-level site, so it reaches no other site's frame nor the
      site itself (and an embed session opens no page outside /embed/ anyway, embed.sessions).
    - A browser that sends no Sec-Fetch-Dest (Safari before 16.4, Firefox before 90) cannot tell us whether this
      is a frame: we decide conservatively and let it in only when its Referer or Origin shows the navigation
      began on `origin`'s page, which another site cannot make a browser claim. Without either it is refused:
      such a browser's users reload the app from a page that keeps the default referrer policy.

    `Sec-Fetch-Site` is not asked: it compares the site of whoever started the navigation with ours, which says
    nothing of the frame's ancestor (a client app's frame and an attacker's link are both `cross-site`).
    """
    destination = request.headers.get("Sec-Fetch-Dest")
    if destination is not None and destination != "iframe":
        return NOT_IN_A_FRAME
    seen = [_origin(request.headers[name]) for name in ("Origin", "Referer") if request.headers.get(name)]
    if any(framer != origin.lower() for framer in seen):
        return ANOTHER_SITE
    if destination is None and not seen:
        return NOT_IN_A_FRAME
    return None


def frame_ancestors(request: HttpRequest) -> list[str]:
    """Who may frame this /embed/ answer: its session's origin while it is listed, else every listed origin (the
    refusal pages, which must show in whichever listed app's frame asked)."""
    origin = embed_origin(request)
    if origin in settings.EMBED_ALLOWED_ORIGINS:
        return [origin]
    return list(settings.EMBED_ALLOWED_ORIGINS)


class EmbedFramingMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        add_trigger_header(request, response)
        if request.path_info.startswith(EMBED_PREFIX) and settings.EMBED_ALLOWED_ORIGINS:
            response._csp_replace = {"frame-ancestors": frame_ancestors(request)}
            response.xframe_options_exempt = True
        return response
