from __future__ import annotations

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.http import HttpRequest

from ratings_site.horde import client as horde
from ratings_site.raters.keys import remember_key
from ratings_site.raters.moderator_rights import is_moderator
from ratings_site.raters.services import LoginRefused, rater_for_key
from ratings_site.raters.throttle import client_address


class APIKeyField(forms.CharField):
    """A Horde API key: refused with one clear message unless it is a printable ASCII token, so that a
    key with a line break or a character no header can carry never reaches the Horde client."""

    widget = forms.PasswordInput

    def __init__(self, **kwargs):
        kwargs.setdefault("label", "Horde API key")
        kwargs.setdefault("strip", True)
        super().__init__(**kwargs)
        # NUL gets the same message as every other character a key cannot hold.
        self.validators = [v for v in self.validators if not isinstance(v, ProhibitNullCharactersValidator)]

    def validate(self, value: str) -> None:
        super().validate(value)
        if value in self.empty_values:
            return
        try:
            horde.check_api_key(value)
        except horde.MalformedAPIKey as exc:
            raise ValidationError(exc.message, code="malformed") from None


class LoginForm(forms.Form):
    apikey = APIKeyField(
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
        error_messages={"required": "Paste your Horde API key (or 0000000000 to rate anonymously)."},
    )

    def __init__(self, *args, autofocus: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not autofocus:
            # A page with more to read than the form (the landing page) must not jump past it to the key.
            self.fields["apikey"].widget.attrs.pop("autofocus", None)


class AdminKeyLoginForm(AdminAuthenticationForm):
    """The admin's login: a Horde moderator's key, or a local account's name and password."""

    apikey = APIKeyField(
        required=False,
        help_text="Horde moderators: your Horde API key. Local accounts: leave it empty and use the name and password.",
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
    )

    def __init__(self, request: HttpRequest | None = None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].required = False
        self.fields["password"].required = False
        self.fields["username"].widget.attrs.pop("autofocus", None)

    def clean(self):
        apikey = self.cleaned_data.get("apikey")
        if self.has_error("apikey"):
            return self.cleaned_data
        if not apikey:
            if not self.cleaned_data.get("username") or not self.cleaned_data.get("password"):
                raise ValidationError("Paste your Horde API key (moderators), or a local account's name and password.")
            return super().clean()
        from ratings_site.raters.backends import HORDE_KEY_BACKEND

        try:
            rater = rater_for_key(apikey=apikey, address=client_address(self.request), fresh=True)
        except LoginRefused as exc:
            raise ValidationError(exc.message) from None
        if not is_moderator(rater):
            raise ValidationError(
                "This Horde account is not a moderator, so it cannot use the admin. Rate at /rate/ instead."
            )
        rater.backend = HORDE_KEY_BACKEND
        self.user_cache = rater
        # Kept (encrypted) in the session like the rate page's login, so that HordeModeratorStillModeratorMiddleware
        # can ask the Horde whether this is still a moderator. Django's login() keeps it (same or no previous user).
        remember_key(self.request, apikey)
        return self.cleaned_data
