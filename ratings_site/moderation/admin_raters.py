"""The rater page and the history of moderators' acts.

- The rater page is the rater's change view, extended (`RaterPageAdmin`): their pace, their suspect divergences,
  their missed check images, their pause, standing and the Horde's flags, their recent ratings, the acts on them;
  and, for a moderator with `moderation.act_on_raters`, the acts (ban, unban, invalidate a span or one rating) and
  the undo of each. The figures are read by moderation.rater_page; every change goes through moderation.actions.
- The history (`ModerationActionAdmin`): every act, read only, with "Undo" for the selected ones.
- The ratings list (`RatingActsAdmin`): "Invalidate selected" (one act per rating, with the fixed reason
  LIST_REASON) and "Restore selected" (undoes the acts that invalidated them).

A form with bad input (no reason, a date that is not one, a span that ends before it starts) is answered with the
admin's error message and a redirect back to the page, the typed values kept in the address.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from ratings_site.admin_paging import BigListMixin
from ratings_site.moderation import actions, rater_page
from ratings_site.moderation.checks import DEFAULT_DIVERGENCE
from ratings_site.moderation.models import ModerationAction
from ratings_site.raters.admin import RaterAdmin
from ratings_site.raters.models import Rater
from ratings_site.raters.standing import ban_reason, is_banned
from ratings_site.ratings.admin import RatingAdmin
from ratings_site.ratings.models import Rating

Kind = ModerationAction.Kind
ACT_ON_RATERS, ACT_ON_IMAGES = actions.ACT_ON_RATERS, actions.ACT_ON_IMAGES
LIST_REASON = "Invalidated from the ratings list."
DATETIME_INPUT = "%Y-%m-%dT%H:%M"


def rater_page_url(rater_id: int) -> str:
    return reverse("admin:raters_rater_change", args=[rater_id])


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def describe(act: ModerationAction) -> str:
    """What an act changed, in a sentence for the moderator who just did it."""
    lines = len(act.subject_ids.get("kudos_lines", []))
    ratings = len(act.subject_ids.get("ratings", []))
    if act.kind == Kind.BAN:
        return (
            f"Banned {act.rater}: they are told “{act.reason}” when they log in or rate; their ratings no longer "
            f"count; {_plural(lines, 'unpaid kudos line')} cancelled."
        )
    if act.kind == Kind.UNBAN:
        return f"Lifted the ban on {act.rater}: their ratings count again; {_plural(lines, 'kudos line')} reinstated."
    if act.kind in (Kind.INVALIDATE, Kind.RESTORE):
        done = "Invalidated" if act.kind == Kind.INVALIDATE else "Restored"
        return (
            f"{done} {_plural(ratings, 'rating')}; {_plural(rater_page.images_in_queue(act), 'image')} of theirs "
            f"in the queue now; {_plural(lines, 'kudos line')} {'cancelled' if done == 'Invalidated' else 'reinstated'}."
        )
    return f"Done: {act.get_kind_display()}."


def may_undo(user, act: ModerationAction) -> bool:
    """Undoing an act needs the right to do it: acts on raters, or acts on images."""
    return user.has_perm(actions.permission_for(act))


# The rater page's forms. Each has a prefix, so that the values typed into one come back into that one alone.


class ReasonForm(forms.Form):
    reason = forms.CharField(
        max_length=actions.REASON_MAX, error_messages={"required": "Give a reason: it is kept with the act."}
    )


class BanForm(ReasonForm):
    prefix = "ban"
    reason = forms.CharField(
        max_length=actions.REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Give a reason for the ban: the rater is shown it."},
    )


class UnbanForm(ReasonForm):
    prefix = "unban"
    reason = forms.CharField(max_length=actions.REASON_MAX, required=False)


class SpanForm(ReasonForm):
    prefix = "span"
    start = forms.DateTimeField(
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_INPUT),
        error_messages={"required": "Give the span's start.", "invalid": "The start is not a date and time."},
    )
    end = forms.DateTimeField(
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_INPUT),
        error_messages={"required": "Give the span's end.", "invalid": "The end is not a date and time."},
    )

    def clean(self) -> dict:
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            raise forms.ValidationError("The span ends before it starts: put the earlier time first.")
        return data


class OneRatingForm(ReasonForm):
    prefix = "one"
    rating = forms.IntegerField(min_value=1, widget=forms.HiddenInput)


def _first_error(form: forms.Form) -> str:
    return next(message for messages_ in form.errors.values() for message in messages_)


def _typed(form: forms.Form) -> dict[str, str]:
    """What was typed into the form, to put back into it (the address of the redirect)."""
    return {f"{form.prefix}-{name}": form.data.get(f"{form.prefix}-{name}", "") for name in form.fields}


def _unbound(form_class: type[ReasonForm], request: HttpRequest, **defaults) -> ReasonForm:
    """The form as the page shows it: with what was typed last time (the address), else the defaults."""
    prefix = form_class.prefix
    typed = {
        name: request.GET[f"{prefix}-{name}"] for name in form_class.base_fields if f"{prefix}-{name}" in request.GET
    }
    return form_class(initial={**defaults, **typed})


# The acts of the rater page: each takes the valid form's data and returns the act.


def _ban(actor: Rater, rater: Rater, data: dict) -> ModerationAction:
    return actions.ban(actor=actor, rater=rater, reason=data["reason"])


def _unban(actor: Rater, rater: Rater, data: dict) -> ModerationAction:
    return actions.unban(actor=actor, rater=rater, reason=data["reason"])


def _invalidate_span(actor: Rater, rater: Rater, data: dict) -> ModerationAction:
    return actions.invalidate_span(
        actor=actor, rater=rater, start=data["start"], end=data["end"], reason=data["reason"]
    )


def _invalidate_one(actor: Rater, rater: Rater, data: dict) -> ModerationAction:
    rating = Rating.objects.filter(pk=data["rating"], rater=rater).first()
    if rating is None:
        raise actions.ActionRefused("That rating is not one of this rater's.")
    return actions.invalidate_rating(actor=actor, rating=rating, reason=data["reason"])


RATER_ACTS = {
    "ban": (BanForm, _ban),
    "unban": (UnbanForm, _unban),
    "invalidate_span": (SpanForm, _invalidate_span),
    "invalidate_one": (OneRatingForm, _invalidate_one),
}


admin.site.unregister(Rater)


@admin.register(Rater)
class RaterPageAdmin(RaterAdmin):
    """The rater's change view with the moderator's figures and acts above the fields (see the module)."""

    change_form_template = "admin/moderation/rater_page.html"

    class Media:
        css = {"all": ["css/admin.css", "css/rater_page.css"]}

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<path:object_id>/act/<str:act>/", view(require_POST(self.act_view)), name="raters_rater_act"),
            path(
                "<path:object_id>/undo/<int:action_id>/", view(require_POST(self.undo_view)), name="raters_rater_undo"
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        rater = self.get_object(request, unquote(object_id))
        if rater is not None and self.has_view_or_change_permission(request, rater):
            extra_context = {**(extra_context or {}), **self._page_context(request, rater)}
        return super().change_view(request, object_id, form_url, extra_context)

    def _page_context(self, request: HttpRequest, rater: Rater) -> dict:
        now = timezone.localtime()
        history = rater_page.history_of(rater)
        done = request.GET.get("done", "")
        return {
            "rater": rater,
            "banned": is_banned(rater),
            "banned_because": ban_reason(rater),
            "pause": rater.active_pause(),
            "pace": rater_page.pace_of(rater),
            "latest": rater_page.latest_ratings(rater),
            "missed": rater_page.missed_checks_of(rater),
            "reliability": rater_page.reliability_of(rater),
            "history": history,
            "done": next(((act, undoable) for act, undoable in history if str(act.pk) == done), None),
            "may_act": request.user.has_perm(ACT_ON_RATERS),
            "ban_form": _unbound(BanForm, request),
            "unban_form": _unbound(UnbanForm, request),
            "span_form": _unbound(SpanForm, request, start=now - timedelta(hours=1), end=now),
            "one_reason": request.GET.get("one-reason", ""),
            "time_zone": timezone.get_current_timezone_name(),
            "windows": {
                "pace": rater_page.PACE_WINDOW,
                "latest": rater_page.LATEST_WINDOW,
                "divergence": DEFAULT_DIVERGENCE,
            },
        }

    def _rater_to_act_on(self, request: HttpRequest, object_id: str) -> Rater:
        rater = self.get_object(request, unquote(object_id))
        if rater is None:
            raise Http404("No such rater.")
        if not request.user.has_perm(ACT_ON_RATERS):
            raise PermissionDenied
        return rater

    def act_view(self, request: HttpRequest, object_id: str, act: str) -> HttpResponseRedirect:
        rater = self._rater_to_act_on(request, object_id)
        if act not in RATER_ACTS:
            raise Http404("No such act.")
        form_class, do = RATER_ACTS[act]
        form = form_class(request.POST)
        page = rater_page_url(rater.pk)
        if not form.is_valid():
            messages.error(request, _first_error(form))
            return HttpResponseRedirect(f"{page}?{urlencode(_typed(form))}#rater-acts")
        try:
            done = do(request.user, rater, form.cleaned_data)
        except actions.ActionRefused as refusal:
            messages.error(request, refusal.message)
            return HttpResponseRedirect(f"{page}?{urlencode(_typed(form))}#rater-acts")
        messages.success(request, describe(done))
        return HttpResponseRedirect(f"{page}?done={done.pk}#rater-done")

    def undo_view(self, request: HttpRequest, object_id: str, action_id: int) -> HttpResponseRedirect:
        rater = self._rater_to_act_on(request, object_id)
        act = ModerationAction.objects.filter(pk=action_id, rater=rater).first()
        if act is None:
            raise Http404("No such act on this rater.")
        reason = request.POST.get("undo-reason", "")  # optional; actions cut a reason too long to keep
        try:
            reverse_act = actions.undo(actor=request.user, action=act, reason=reason)
        except actions.ActionRefused as refusal:
            messages.error(request, refusal.message)
        else:
            messages.success(request, f"Undid “{act.get_kind_display()}”. {describe(reverse_act)}")
        return HttpResponseRedirect(f"{rater_page_url(rater.pk)}#rater-history")


@admin.register(ModerationAction)
class ModerationActionAdmin(BigListMixin, admin.ModelAdmin):
    """Every moderator's act, newest first, read only; "Undo" reverses the selected acts one by one."""

    list_display = ["created_at", "actor", "kind", "rater_page", "image", "reason", "affected", "undone"]
    list_filter = ["kind"]
    list_select_related = ["actor", "rater", "image__dataset", "undone_by"]
    raw_id_fields = ["actor", "rater", "image", "undoes"]
    actions = ["undo_selected"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_undo_permission(self, request) -> bool:
        return request.user.has_perm(ACT_ON_RATERS) or request.user.has_perm(ACT_ON_IMAGES)

    @admin.display(description="rater", ordering="rater")
    def rater_page(self, act: ModerationAction):
        if act.rater_id is None:
            return "–"
        return format_html('<a href="{}">{}</a>', rater_page_url(act.rater_id), act.rater)

    @admin.display(description="undone", boolean=True)
    def undone(self, act: ModerationAction) -> bool:
        return hasattr(act, "undone_by")

    @admin.action(description="Undo the selected acts", permissions=["undo"])
    def undo_selected(self, request, queryset):
        for act in queryset.select_related("rater", "image"):
            if not may_undo(request.user, act):
                messages.error(request, f"You may not undo “{act}”.")
                continue
            try:
                reverse_act = actions.undo(actor=request.user, action=act, reason="Undone from the history list.")
            except actions.ActionRefused as refusal:
                messages.error(request, f"“{act}”: {refusal.message}")
            else:
                messages.success(request, f"Undid “{act}”. {describe(reverse_act)}")


admin.site.unregister(Rating)


@admin.register(Rating)
class RatingActsAdmin(RatingAdmin):
    """The ratings list with the moderators' acts on the selected ratings (see the module)."""

    list_display = [*RatingAdmin.list_display, "counts"]
    list_filter = [*RatingAdmin.list_filter, "invalidated"]
    actions = ["invalidate_selected", "restore_selected"]

    def has_act_on_raters_permission(self, request) -> bool:
        return request.user.has_perm(ACT_ON_RATERS)

    @admin.action(description="Invalidate the selected ratings", permissions=["act_on_raters"])
    def invalidate_selected(self, request, queryset):
        done = refused = 0
        for rating in queryset.select_related("rater"):
            try:
                actions.invalidate_rating(actor=request.user, rating=rating, reason=LIST_REASON)
                done += 1
            except actions.ActionRefused:
                refused += 1
        messages.success(request, f"Invalidated {_plural(done, 'rating')}; they count no more.")
        if refused:
            messages.warning(request, f"{_plural(refused, 'rating')} left alone: already invalidated.")

    @admin.action(description="Restore the selected ratings", permissions=["act_on_raters"])
    def restore_selected(self, request, queryset):
        selected = set(queryset.filter(invalidated=True).values_list("pk", flat=True))
        acts = ModerationAction.objects.filter(
            kind=Kind.INVALIDATE, undone_by__isnull=True, rater__in=queryset.values("rater_id")
        )
        undone = [act for act in acts if selected & set(act.subject_ids.get("ratings", []))]
        reason = "Restored from the ratings list."
        restored = sum(
            len(actions.undo(actor=request.user, action=act, reason=reason).subject_ids["ratings"]) for act in undone
        )
        if not undone:
            messages.warning(request, "None of the selected ratings was invalidated by a moderator.")
            return
        messages.success(
            request,
            f"Restored {_plural(restored, 'rating')} by undoing {_plural(len(undone), 'act')} (an act restores "
            "every rating it invalidated).",
        )
