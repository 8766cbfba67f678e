"""Project-level views: the landing page, the health check, the icon and media files."""

from __future__ import annotations

import sys

from django.conf import settings
from django.db import InterfaceError, OperationalError, connection
from django.http import HttpRequest, HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from ratings_site.datasets.views import media_file
from ratings_site.figures.services import site_figures_for_page
from ratings_site.raters.forms import LoginForm
from ratings_site.raters.views import safe_next


@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """200 when the database answers: for load balancers (over plain HTTP too: SECURE_REDIRECT_EXEMPT)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any database failure means "unhealthy", never a 500 page
        return JsonResponse({"status": "unavailable", "database": type(exc).__name__}, status=503)
    return JsonResponse({"status": "ok"})


def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico where a page links no icon (the admin's pages). Not permanent: the
    icon's static name changes with its content."""
    return redirect(static("favicon.svg"))


@require_safe
def media(request: HttpRequest, path: str) -> HttpResponse:
    """Files under MEDIA_ROOT, when SERVE_MEDIA is on: pictures only, served as pictures, and a hidden image's only
    to moderators (`datasets.views.media_file`)."""
    return media_file(request, path)


def home(request: HttpRequest) -> HttpResponse:
    """Raters go on rating; visitors see what the site is, what it has gathered, and the login form."""
    if request.user.is_authenticated:
        return redirect("rate")
    context = {
        "form": LoginForm(autofocus=False),
        "next": safe_next(request),
        "figures": site_figures_for_page(),
        "kudos_per_rating": settings.KUDOS_PER_RATING,
    }
    return render(request, "home.html", context)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form without a valid CSRF token: a clear page, 403, nothing saved."""
    response = render(request, "403_csrf.html", status=403)
    if request.headers.get("HX-Request"):
        response["HX-Refresh"] = "true"  # reload the page: it carries a fresh token
    return response


DATABASE_RETRY_AFTER_SECONDS = 5


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 page (handler500), or a 503 when the database did not answer (benchmarks/postgres_restart_fault.py).

    The 500 page says the administrators were told only when they were: with ADMINS set, Django's
    AdminEmailHandler has mailed them the report. Both are rendered without the request's context: the context
    processors read the database, which may be what failed."""
    if isinstance(sys.exc_info()[1], OperationalError | InterfaceError):
        # The database is not answering (restarting, unreachable, out of connections): it passes, and nothing was
        # saved by this request, so say so with a 503 and when to try again, not "something went wrong".
        response = HttpResponse(loader.get_template("503.html").render({}), status=503)
        response["Retry-After"] = str(DATABASE_RETRY_AFTER_SECONDS)
        return response
    page = loader.get_template("500.html").render({"reported": bool(settings.ADMINS)})
    return HttpResponseServerError(page)
