"""The embedded rating pages: the site's own views and templates (the flows, captchas and rules are the same),
framed by client apps. A page opened with `?token=` redeems the token (embed.tokens) and starts the frame's
session, only inside a frame on the token's origin (embed.framing); without one it needs that session. Every
refusal is a plain page inside the frame, never a redirect to the login page (which may not be framed) and never a
500."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ratings_site.bestof import views as bestof
from ratings_site.embed import framing, sessions, tokens
from ratings_site.generations import views as generations
from ratings_site.raters.backends import HORDE_KEY_BACKEND
from ratings_site.ratings import views as ratings

NO_SESSION = (
    "This page is shown by an app that signs you in for it, and that sign-in has ended. "
    "Reload the app (or open it again) to carry on rating."
)


def refused(request: HttpRequest, message: str, *, status: int = 403) -> HttpResponse:
    return render(request, "embed/refused.html", {"message": message}, status=status)


def embedded(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def page(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        token = request.GET.get("token")
        if token:
            origin = tokens.origin_of(token)
            refusal = framing.refusal_to_redeem(request, origin) if origin is not None else None
            if refusal is not None:  # not a frame on the token's origin: the token stays unused
                return refused(request, refusal, status=403)
            try:
                redeemed = tokens.redeem(token)
            except tokens.TokenRefused as exc:
                return refused(request, exc.message, status=exc.status)
            login(request, redeemed.rater, backend=HORDE_KEY_BACKEND)
            sessions.begin(request, origin=redeemed.origin)
        elif getattr(request, "embed_session_refused", False) or not (
            request.user.is_authenticated and sessions.embed_origin(request)
        ):
            return refused(request, NO_SESSION, status=401)
        return view(request, *args, **kwargs)

    return page


rate_page = embedded(ratings.rate_page)
best_page = embedded(bestof.best_page)
generation_set = embedded(generations.generation_set)
