from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


class HtmxRedirectMiddleware:
    """Turn redirects answered to htmx requests (e.g. to /login/ when a session ended) into HX-Redirect.

    Otherwise htmx follows the redirect inside its request and swaps the login page into the card.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if getattr(request, "htmx", False) and response.status_code in (301, 302, 303, 307, 308):
            redirect = HttpResponse(status=200)
            redirect["HX-Redirect"] = response["Location"]
            return redirect
        return response


class HordeModeratorStillModeratorMiddleware:
    """A Horde moderator's rights follow the Horde during a session, not only at the next login.

    On the moderators' pages (the admin and /stats/), a rater who is staff because the Horde called them a
    moderator is checked again with find_user (cached FIND_USER_CACHE_SECONDS, so at most one Horde call
    per moderator that often): when the Horde no longer says so, they lose the rights and the session.
    A session without the key to ask with (logged in before keys were kept) must log in again. When the
    Horde does not answer, the rights stay until it does: moderators are not locked out by an outage.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(MODERATOR_PAGES):
            return self.get_response(request)  # don't load the user (a session read) for every other request
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and user.moderator
            and user.horde_id is not None
            and not user.is_superuser
        ):
            demoted = _moderator_rights_withdrawn(request)
            if demoted is not None:
                return demoted
        return self.get_response(request)


MODERATOR_PAGES = ("/admin/", "/stats/")


def _moderator_rights_withdrawn(request: HttpRequest) -> HttpResponse | None:
    from django.contrib import messages
    from django.contrib.auth import logout
    from django.shortcuts import redirect

    from ratings_site.horde import client as horde
    from ratings_site.raters.keys import recall_key
    from ratings_site.raters.services import rater_from_horde_user

    apikey = recall_key(request)
    if apikey:
        try:
            answer = horde.find_user(apikey)
        except horde.HordeUnavailable:
            return None
        except horde.HordeError:
            answer = None
        if answer is not None and answer.id == request.user.horde_id and answer.moderator:
            return None
        if answer is not None and answer.id == request.user.horde_id:
            rater_from_horde_user(user=answer)  # takes the moderators' group and staff away
    logout(request)
    messages.warning(
        request,
        "The Horde no longer lists you as a moderator, or your session predates keys being kept: "
        "log in again with your Horde API key.",
    )
    return redirect(f"/admin/login/?next={request.path}")
