"""What the shared page templates need to know about the frame: which base to extend (the site's, or the bare
embed base without header and footer), the embedding origin, the frame's credential and the events to announce."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from ratings_site.embed import events, sessions


def embed(request: HttpRequest) -> dict:
    if not getattr(request, "embed", False):
        return {"base_template": "base.html", "embedded": False}
    return {
        "base_template": "embed/base.html",
        "embedded": True,
        "embed_origin": sessions.embed_origin(request),
        "embed_session": SimpleLazyObject(lambda: sessions.frame_credential(request)),
        "embed_events": SimpleLazyObject(lambda: events.events_for_page(request)),
    }
