"""Who may frame which page: only /embed/ pages, and only by EMBED_ALLOWED_ORIGINS (CSP frame-ancestors); every
other page stays unframeable (frame-ancestors 'none' and X-Frame-Options: DENY). The rest of the CSP is the same
everywhere. Placed last in MIDDLEWARE so that it marks the answer before django-csp and Django's X-Frame-Options
middleware write their headers. It also puts the embedded page's events (embed.events) in its htmx answers."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from ratings_site.embed.events import add_trigger_header
from ratings_site.embed.sessions import EMBED_PREFIX


class EmbedFramingMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        add_trigger_header(request, response)
        if request.path_info.startswith(EMBED_PREFIX) and settings.EMBED_ALLOWED_ORIGINS:
            response._csp_replace = {"frame-ancestors": list(settings.EMBED_ALLOWED_ORIGINS)}
            response.xframe_options_exempt = True
        return response
