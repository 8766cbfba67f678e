from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login, logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_POST

from ratings_site.raters.backends import HORDE_KEY_BACKEND
from ratings_site.raters.forms import LoginForm
from ratings_site.raters.keys import remember_key
from ratings_site.raters.services import LoginRefused, rater_for_key
from ratings_site.raters.throttle import client_address


def safe_next(request: HttpRequest) -> str:
    """Where to go after logging in: the `next` asked for when it is on this site, else the rate page."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return "/rate/"


@sensitive_post_parameters("apikey")
@sensitive_variables("apikey")
def login_view(request: HttpRequest) -> HttpResponse:
    # Bound on every POST, even an empty one, so a missing key gets its message.
    form = LoginForm(request.POST if request.method == "POST" else None)
    status, retry_after = 200, None
    if request.method == "POST":
        status = 400
        if form.is_valid():
            apikey = form.cleaned_data["apikey"]
            try:
                rater = rater_for_key(apikey=apikey, address=client_address(request))
            except LoginRefused as exc:
                status, retry_after = exc.status, exc.retry_after
                form.add_error("apikey" if exc.about_key else None, exc.message)
            else:
                login(request, rater, backend=HORDE_KEY_BACKEND)  # rotates the session id
                remember_key(request, apikey)
                if rater.is_horde_anonymous:
                    messages.info(
                        request,
                        "You are logged in with the anonymous key: your ratings count, but they earn no kudos. "
                        "Log in with your own key to earn kudos.",
                    )
                else:
                    messages.success(request, f"Welcome, {rater.username}.")
                return redirect(safe_next(request))
    response = render(request, "raters/login.html", {"form": form, "next": safe_next(request)}, status=status)
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)  # flushes the session, and the encrypted key with it
    messages.info(request, "You are logged out.")
    return redirect("login")
