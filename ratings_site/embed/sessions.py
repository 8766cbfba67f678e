"""The sessions of embedded pages (/embed/...), in one place.

A framed page lives on another site's page, where browsers treat our cookies as third-party. Its session
(made when the frame redeems its token, `embed.views`) is marked with the embedding origin, and then:

- its cookie is sent `SameSite=None; Secure; Partitioned` (CHIPS: kept apart per embedding site), which Django 5.2
  has no setting for and Python 3.11's cookies cannot write, so `EmbedAwareSessionMiddleware` rewrites the
  session cookie of such sessions, and only theirs;
- where a browser blocks that cookie anyway, the page sends a signed session token with every htmx request in
  the `X-Embed-Session` header (templates/embed/base.html puts it in `hx-headers`; a plain form posts it as the
  `embed_session` field). A request carrying a valid one gets that session, and needs no CSRF token: a custom
  header cannot be sent cross-site without CORS (which /embed/ never allows), and the token is secret.

Requests of an embedded page (its path is under /embed/, or it carries the header) resolve URLs through
`ratings_site.embed.urlconf`, where the rating pages' names lead to their /embed/ twins, so that every link,
form and redirect of the shared views and templates stays inside the frame.
"""

from __future__ import annotations

from http.cookies import Morsel

from django.conf import settings
from django.contrib.sessions.middleware import SessionMiddleware
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

HEADER = "X-Embed-Session"
FIELD = "embed_session"
ORIGIN_KEY = "embed_origin"
SALT = "horde-ratings.embed-session"
EMBED_PREFIX = "/embed/"
URLCONF = "ratings_site.embed.urlconf"


def session_token(request: HttpRequest) -> str:
    """The signed stand-in for this embedded session's cookie, for the page's htmx requests."""
    session = request.session
    if session.session_key is None:
        session.save()
    return signing.dumps({"s": session.session_key, "o": session.get(ORIGIN_KEY, "")}, salt=SALT)


def embed_origin(request: HttpRequest) -> str:
    """The origin embedding this request's page, or "" outside a frame."""
    session = getattr(request, "session", None)
    return session.get(ORIGIN_KEY, "") if session is not None else ""


class PartitionedMorsel(Morsel):
    """A cookie with the Partitioned attribute, which http.cookies knows only from Python 3.14."""

    def OutputString(self, attrs=None) -> str:  # noqa: N802 (the stdlib's name)
        return super().OutputString(attrs) + "; Partitioned"


SESSION_ENDED = (
    "This frame's sign-in has ended, so nothing more can be saved here. Reload the app that shows this page to "
    "carry on; what you saved before is kept."
)


def session_ended(request: HttpRequest) -> HttpResponse:
    """The answer to an htmx request of a frame whose session token is not (or no longer) valid: a message in place
    of the page's content, never the login page (which may not be framed)."""
    response = HttpResponse(
        render_to_string("embed/_session_ended.html", {"message": SESSION_ENDED}), status=401
    )
    response["HX-Retarget"] = "#main"
    response["HX-Reswap"] = "innerHTML"
    return response


class EmbedAwareSessionMiddleware(SessionMiddleware):
    def process_request(self, request: HttpRequest) -> HttpResponse | None:
        response = self._embedded_session(request)
        if response is None and request.embed_session_refused and request.headers.get("HX-Request"):
            return session_ended(request)
        return response

    def _embedded_session(self, request: HttpRequest) -> None:
        super().process_request(request)
        request.embed = request.path_info.startswith(EMBED_PREFIX)
        request.embed_session_refused = False
        sent = request.headers.get(HEADER)
        if sent is None and request.embed and request.method == "POST":
            sent = request.POST.get(FIELD)
        if sent is None:
            if request.embed:
                request.urlconf = URLCONF
            return
        request.embed = True
        request.urlconf = URLCONF
        try:
            data = signing.loads(sent, salt=SALT, max_age=settings.EMBED_SESSION_SECONDS)
            key, origin = str(data["s"]), str(data["o"])
        except (signing.BadSignature, TypeError, KeyError):
            request.embed_session_refused = True
            return
        if request.session.session_key != key:
            session = self.SessionStore(key)
            if session.get(ORIGIN_KEY) != origin:  # ended, or not that frame's session
                request.embed_session_refused = True
                return
            request.session = session
        elif request.session.get(ORIGIN_KEY) != origin:
            request.embed_session_refused = True
            return
        request._dont_enforce_csrf_checks = True

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        response = super().process_response(request, response)
        session = getattr(request, "session", None)
        name = settings.SESSION_COOKIE_NAME
        if session is None or name not in response.cookies:
            return response
        try:
            is_embedded = bool(session.get(ORIGIN_KEY))
        except Exception:  # a deleted session (logout) has nothing to mark
            is_embedded = False
        if is_embedded:
            cookie = response.cookies[name]
            marked = PartitionedMorsel()
            marked.set(cookie.key, cookie.value, cookie.coded_value)
            for attribute, value in cookie.items():
                marked[attribute] = value
            marked["samesite"] = "None"
            marked["secure"] = True
            dict.__setitem__(response.cookies, name, marked)
        return response
