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

    On the moderators' pages (the admin, /stats/ and the moderators' API calls as pages), a rater who is staff
    because the Horde called them a moderator is checked again with find_user (cached FIND_USER_CACHE_SECONDS, so at most one Horde call
    per moderator that often; raters.moderator_rights, the rule the API's moderators' calls follow too):
    when the Horde no longer says so, they lose the rights and the session.
    A session without the key to ask with (logged in before keys were kept) must log in again. When the
    Horde does not answer, the rights stay until it does: moderators are not locked out by an outage.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not _is_moderator_page(request):
            return self.get_response(request)  # don't load the user (a session read) for every other request
        from ratings_site.raters import moderator_rights

        user = getattr(request, "user", None)
        if moderator_rights.is_moderator(user) and moderator_rights.follows_the_horde(user):
            demoted = _moderator_rights_withdrawn(request)
            if demoted is not None:
                return demoted
        return self.get_response(request)


MODERATOR_PAGES = ("/admin/", "/stats/")
# The moderators' API calls answered as pages, which a moderator's admin session opens (api.moderation_views).
MODERATOR_API_PAGES = ("/api/v1/user/", "/api/v1/image/ratings/")


def _is_moderator_page(request: HttpRequest) -> bool:
    if request.path.startswith(MODERATOR_PAGES):
        return True
    return request.path.startswith(MODERATOR_API_PAGES) and request.GET.get("format") == "html"


def _moderator_rights_withdrawn(request: HttpRequest) -> HttpResponse | None:
    from django.contrib import messages
    from django.contrib.auth import logout
    from django.shortcuts import redirect

    from ratings_site.raters import moderator_rights
    from ratings_site.raters.keys import recall_key

    apikey = recall_key(request)
    if apikey and moderator_rights.horde_still_says_moderator(rater=request.user, apikey=apikey) is not False:
        return None  # still a moderator, or the Horde is not answering
    logout(request)
    messages.warning(
        request,
        "The Horde no longer lists you as a moderator, or your session predates keys being kept: "
        "log in again with your Horde API key.",
    )
    return redirect(f"/admin/login/?next={request.path}")
