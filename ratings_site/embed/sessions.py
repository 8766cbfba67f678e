"""The sessions of embedded pages (/embed/...), in one place.

A framed page lives on another site's page, where browsers treat our cookies as third-party. Its session
(made when the frame redeems its token, `embed.views`, then marked here by `begin`) holds the embedding origin
and a secret of its own, and then:

- its cookie is sent `SameSite=None; Secure; Partitioned` (CHIPS: kept apart per embedding site), which Django 5.2
  has no setting for and Python 3.11's cookies cannot write, so `EmbedAwareSessionMiddleware` rewrites the
  session cookie of such sessions, and only theirs;
- it counts only on the embedded pages and the calls their pages make (`FRAME_CALLS`: rate, skip, undo, pick,
  skip a group, dismiss the welcome, log out). Anywhere else (/rate/, /kudos/, /ratings/, /admin/, the API...) it
  is set aside, as if the browser had no session, and its cookie is left as it is for its frame (issue 20: a
  frame's session must not become the browser's session on the site);
- where a browser blocks that cookie anyway, the page sends a credential of its own with every htmx request in
  the `X-Embed-Session` header (templates/embed/base.html puts it in `hx-headers`; a plain form posts it as the
  `embed_session` field): the session key and the session's secret, encrypted with a key derived from
  SECRET_KEY, so the page never holds the session key (which would open the session as a cookie) and the
  credential opens nothing but these same pages and calls. A request carrying a valid one gets that session,
  and needs no CSRF token: a custom header cannot be sent cross-site without CORS (which /embed/ never allows),
  and the credential is secret.

Requests of an embedded page (its path is under /embed/, or it carries the header) resolve URLs through
`ratings_site.embed.urlconf`, where the rating pages' names lead to their /embed/ twins, so that every link,
form and redirect of the shared views and templates stays inside the frame.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from http.cookies import Morsel

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.urls import Resolver404, resolve
from django.utils.cache import patch_vary_headers

HEADER = "X-Embed-Session"
FIELD = "embed_session"
ORIGIN_KEY = "embed_origin"
FRAME_SECRET = "embed_frame_secret"  # in the session: what its frame's credential must carry
EMBED_PREFIX = "/embed/"
URLCONF = "ratings_site.embed.urlconf"
# The site's URL names (outside /embed/) that an embedded page calls, by htmx or a form: where a frame's session
# counts besides /embed/. A new call from an embedded page's template is added here.
FRAME_CALLS = frozenset(
    {"rate_image", "skip_image", "undo_last_rating", "dismiss_welcome", "pick_best", "skip_group", "logout"}
)


def begin(request: HttpRequest, *, origin: str) -> None:
    """Mark the session just signed in by a redeemed token as the frame's of `origin`."""
    request.session[ORIGIN_KEY] = origin
    request.session[FRAME_SECRET] = secrets.token_urlsafe(24)
    request.session.set_expiry(settings.EMBED_SESSION_SECONDS)


def counts_here(path: str) -> bool:
    """Whether a frame's session counts on this path: the embedded pages, and the calls their pages make."""
    if path.startswith(EMBED_PREFIX):
        return True
    try:
        match = resolve(path, urlconf=settings.ROOT_URLCONF)
    except Resolver404:
        return False
    return match.url_name in FRAME_CALLS


def _fernet() -> Fernet:
    digest = hashlib.sha256(b"horde-ratings:embed-session:" + settings.SECRET_KEY.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def frame_credential(request: HttpRequest) -> str:
    """The frame's stand-in for its cookie, for the page's htmx requests and forms ("" outside a frame's session)."""
    session = request.session
    secret = session.get(FRAME_SECRET)
    if not secret or not session.get(ORIGIN_KEY):
        return ""
    if session.session_key is None:
        session.save()
    payload = json.dumps({"s": session.session_key, "k": secret}).encode()
    return _fernet().encrypt(payload).decode()


def _session_of(credential: str, store: type[SessionBase]) -> SessionBase | None:
    """The frame's session a credential stands for, or None when it is not valid (tampered, too old, a raw
    session key) or its session has ended."""
    try:
        data = json.loads(_fernet().decrypt(credential.encode(), ttl=settings.EMBED_SESSION_SECONDS))
        key, secret = str(data["s"]), str(data["k"])
    except (InvalidToken, ValueError, TypeError, KeyError):
        return None
    session = store(key)
    expected = session.get(FRAME_SECRET)
    if not session.get(ORIGIN_KEY) or not isinstance(expected, str) or not hmac.compare_digest(expected, secret):
        return None
    return session


def embed_origin(request: HttpRequest) -> str:
    """The origin embedding this request's page, or "" outside a frame."""
    session = getattr(request, "session", None)
    return session.get(ORIGIN_KEY, "") if session is not None else ""


def _confined(store: type[SessionBase]) -> type[SessionBase]:
    class ConfinedSessionStore(store):
        """The session engine's store, setting a frame's session aside where it does not count (`counts_here`):
        there the request has an empty session, and saving it makes a new one."""

        request_path = ""
        set_aside = False

        def load(self) -> dict:
            data = super().load()
            if data.get(ORIGIN_KEY) and not counts_here(self.request_path):
                self.set_aside = True
                self._session_key = None
                return {}
            return data

    # Django signs a session's data with a salt made of its store's class name: keep the engine's, so that this
    # store reads and writes the very sessions the engine's own store does (and those saved before it).
    ConfinedSessionStore.__qualname__ = store.__qualname__
    return ConfinedSessionStore


class PartitionedMorsel(Morsel):
    """A cookie with the Partitioned attribute, which http.cookies knows only from Python 3.14."""

    def OutputString(self, attrs=None) -> str:  # noqa: N802 (the stdlib's name)
        return super().OutputString(attrs) + "; Partitioned"


SESSION_ENDED = (
    "This frame's sign-in has ended, so nothing more can be saved here. Reload the app that shows this page to "
    "carry on; what you saved before is kept."
)


def session_ended(request: HttpRequest) -> HttpResponse:
    """The answer to an htmx request of a frame whose credential is not (or no longer) valid: a message in place
    of the page's content, never the login page (which may not be framed)."""
    response = HttpResponse(
        render_to_string("embed/_session_ended.html", {"message": SESSION_ENDED}), status=401
    )
    response["HX-Retarget"] = "#main"
    response["HX-Reswap"] = "innerHTML"
    return response


class EmbedAwareSessionMiddleware(SessionMiddleware):
    def __init__(self, get_response):
        super().__init__(get_response)
        self.FrameSessionStore = self.SessionStore  # the engine's own, to look up a credential's session
        self.SessionStore = _confined(self.SessionStore)

    def process_request(self, request: HttpRequest) -> HttpResponse | None:
        self._embedded_session(request)
        if request.embed_session_refused and request.headers.get("HX-Request"):
            return session_ended(request)
        return None

    def _embedded_session(self, request: HttpRequest) -> None:
        super().process_request(request)
        request.session.request_path = request.path_info
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
        session = _session_of(sent, self.FrameSessionStore) if counts_here(request.path_info) else None
        if session is None:
            request.embed_session_refused = True
            return
        request.session = session
        request._dont_enforce_csrf_checks = True

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        session = getattr(request, "session", None)
        if getattr(session, "set_aside", False) and not session.modified:
            # A frame's session met outside the frame: its cookie stays as it is, for its frame.
            patch_vary_headers(response, ("Cookie",))
            return response
        response = super().process_response(request, response)
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
