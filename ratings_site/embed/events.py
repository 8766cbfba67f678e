"""What an embedded page tells the app around it, once per rating, pick or set submission:
`{"type": "horde-ratings:rated", "image_id" | "request_id", "reward", "kudos_total"}`.

Views say when something was saved (`ratings.signals.announce`); `announce` here hears it (connected in
`EmbedConfig.ready`, so that the rating apps never import this one) and, outside a frame, does nothing. The answer carries
the events: htmx answers in the `HX-Trigger` header (htmx fires them as DOM events, static/js/embed.js posts them to
the parent), full pages in the embed base template (`embed_events`, read by the same script on load). kudos_total
is what the rater has earned on this site (pending and paid ledger lines), counted once per answer.
"""

from __future__ import annotations

import json

from django.http import HttpRequest, HttpResponse

from ratings_site.kudos.services import ledger_totals

EVENT = "horde-ratings:rated"


def announce(
    sender: object,
    *,
    request: HttpRequest,
    reward: int,
    image_id: str | None = None,
    request_id: str | None = None,
    **kwargs: object,
) -> None:
    if not getattr(request, "embed", False):
        return
    event: dict = {"type": EVENT, "reward": int(reward)}
    if image_id is not None:
        event["image_id"] = str(image_id)
    if request_id is not None:
        event["request_id"] = str(request_id)
    request.__dict__.setdefault("embed_events", []).append(event)


def pending_events(request: HttpRequest) -> list[dict]:
    """The request's events with kudos_total filled in (one query, only when there are events)."""
    events = getattr(request, "embed_events", None) or []
    if not events:
        return []
    totals = ledger_totals(request.user)
    total = totals["pending"] + totals["paid"]
    for event in events:
        event["kudos_total"] = total
    return events


def add_trigger_header(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """An htmx answer carries its events in HX-Trigger (the last one, when several were announced)."""
    if getattr(request, "htmx", False) and getattr(request, "embed_events", None) and not getattr(
        request, "embed_events_rendered", False
    ):
        events = pending_events(request)
        response["HX-Trigger"] = json.dumps({EVENT: events[-1]})
    return response


def events_for_page(request: HttpRequest) -> str:
    """The events as JSON for a full page (templates/embed/base.html), marked as delivered."""
    request.embed_events_rendered = True
    return json.dumps(pending_events(request))
