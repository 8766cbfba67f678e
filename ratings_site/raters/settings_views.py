"""The rater's settings page, /settings/: their NSFW preference and whether the stats page lists them."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from ratings_site.raters.models import Rater

# What a checkbox may send: a browser sends "on" for a ticked box and nothing for an empty one; clients may say so.
_CHECKBOX_VALUES = {"on": True, "true": True, "1": True, "off": False, "false": False, "0": False}


class _Checkbox(forms.CheckboxInput):
    """A checkbox that passes on a value it does not know (Django's would read "maybe" as ticked), for the field to
    refuse."""

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        if name not in data:
            return False
        value = data.get(name)
        return _CHECKBOX_VALUES.get(value.strip().lower(), value) if isinstance(value, str) else value


class _OnOffField(forms.BooleanField):
    widget = _Checkbox

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(required=False, **kwargs)

    def to_python(self, value: Any) -> bool:
        if isinstance(value, bool):
            return value
        raise ValidationError(f"{self.label} is on or off (a ticked or empty box); {str(value)[:40]!r} is neither.")


class PreferencesForm(forms.Form):
    """The rater's preferences: fields named as the `Rater` fields they set."""

    hide_nsfw = _OnOffField(label="Hide NSFW images")
    in_top_raters = _OnOffField(label="Show me in the stats page's top raters")


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def settings_page(request: HttpRequest) -> HttpResponse:
    """GET: the form. POST (CSRF-checked): save it, say so, and back to the page; a value that is not on or off is
    refused with 400 and the form as sent, its message beside the box."""
    rater = request.user
    initial = {name: getattr(rater, name) for name in PreferencesForm.base_fields}
    form = PreferencesForm(request.POST if request.method == "POST" else None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            # These two columns only: a save() of the whole row could undo what was written to it meanwhile.
            Rater.objects.filter(pk=rater.pk).update(**form.cleaned_data)
            messages.success(request, "Your settings are saved.")
            return redirect("settings")
        status = 400
    context = {
        "form": form,
        "nsfw_hide_tags": settings.NSFW_HIDE_TAGS,
        "nsfw_hide_punsafe": settings.NSFW_HIDE_PUNSAFE,
    }
    return render(request, "raters/settings.html", context, status=status)
