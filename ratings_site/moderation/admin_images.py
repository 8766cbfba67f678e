"""The image page and the reports queue for moderators.

- The reports queue (/admin/moderation/reports/): open reports grouped per image, the most reported first, then the
  most recently reported, each with its thumbnail, reasons and notes, and one-click Hide, Tag and Dismiss.
- The image page (the image's change page): who rated it, what and when; the mean and the predicted score; its
  reports, tags and history of acts; the safe acts (hide, NSFW, tag, dismiss reports, invalidate one rating); the
  raters' tags (ratings.tags): the counts, and who tagged what.
- The image list: the raters' tag counts in a column, and a filter by a tag raters gave (`RaterTagFilter`).

Every act goes through moderation.actions: these views turn one POST into one act, its refusal into a message,
and send the moderator back where they were with an Undo button for what they just did.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit, urlunsplit

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, F, FloatField, Max, OuterRef, QuerySet, Subquery, Window
from django.db.models.functions import RowNumber
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, QueryDict
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import Truncator
from django.views.decorators.http import require_POST

from ratings_site.datasets.admin import ImageAdmin
from ratings_site.datasets.models import Image
from ratings_site.moderation import actions
from ratings_site.moderation.models import ImageTag, ModerationAction
from ratings_site.predictor.models import AestheticScore, PredictorVersion
from ratings_site.raters.standing import counting_raters, rater_counts
from ratings_site.ratings import tags as tagging
from ratings_site.ratings.models import OPEN_REPORT, RaterTag, Rating, Skip
from ratings_site.refusals import Refusal

QUEUE_PAGE_SIZE = 25
NOTES_SHOWN = 3  # the latest notes of an image's open reports
NOTE_CHARS = 200
IMAGE_PAGE_ROWS = 50
ACT_FLAGS = (
    "hidden",
    "nsfw",
)  # changed only by acts (recorded, undoable), never in the image's form  # the latest ratings, reports and acts on the image page

ON_IMAGES, ON_RATERS = actions.ACT_ON_IMAGES, actions.ACT_ON_RATERS


def open_reports() -> QuerySet[Skip]:
    """Reports no moderator has dealt with yet; never plain skips. The partial index `open_report_by_time` holds
    exactly these rows, so the queue reads them and nothing else, however many skips and old reports there are."""
    return Skip.objects.filter(OPEN_REPORT)


# The reports queue


@dataclass
class ReportedImage:
    """One row of the queue: an image and what its open reports say."""

    image: Image
    open_count: int
    latest: datetime
    reasons: list[tuple[str, int]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def reported_images(*, offset: int, limit: int) -> list[ReportedImage]:
    """Images with open reports, the most reported first, then the most recently reported: four queries whatever
    the page, each over open reports (or the page's images) only."""
    groups = list(
        open_reports()
        .values("image")
        .annotate(open_count=Count("pk"), latest=Max("created_at"))
        .order_by("-open_count", "-latest", "-image")[offset : offset + limit]
    )
    ids = [group["image"] for group in groups]
    images = Image.objects.select_related("dataset").in_bulk(ids)
    rows = {
        group["image"]: ReportedImage(images[group["image"]], group["open_count"], group["latest"]) for group in groups
    }
    labels = dict(Skip.Reason.choices)
    by_reason = open_reports().filter(image_id__in=ids).values("image", "reason").annotate(count=Count("pk"))
    for reason in by_reason.order_by("image", "-count", "reason"):
        rows[reason["image"]].reasons.append((labels.get(reason["reason"], reason["reason"]), reason["count"]))
    latest_first = Window(RowNumber(), partition_by=[F("image_id")], order_by=[F("created_at").desc(), F("pk").desc()])
    notes = open_reports().filter(image_id__in=ids).exclude(note="").annotate(rank=latest_first)
    for image_id, note in (
        notes.filter(rank__lte=NOTES_SHOWN).order_by("image_id", "rank").values_list("image_id", "note")
    ):
        rows[image_id].notes.append(Truncator(note).chars(NOTE_CHARS))
    return list(rows.values())


def reports_queue(request: HttpRequest) -> HttpResponse:
    """The queue, one page of QUEUE_PAGE_SIZE images, with no count of the whole (a next link when there is more)."""
    _require(request, ON_IMAGES)
    page = request.GET.get("page", "1")
    if not page.isdigit() or int(page) < 1:
        return HttpResponseBadRequest("The page must be a whole number from 1.")
    page = int(page)
    rows = reported_images(offset=(page - 1) * QUEUE_PAGE_SIZE, limit=QUEUE_PAGE_SIZE + 1)
    context = {
        **admin.site.each_context(request),
        "title": "Reports to deal with",
        "rows": rows[:QUEUE_PAGE_SIZE],
        "page": page,
        "has_next": len(rows) > QUEUE_PAGE_SIZE,
        "tags": ImageTag.Tag.choices,
        **_last_act_context(request),
    }
    return TemplateResponse(request, "admin/moderation/reports_queue.html", context)


# The acts, for the queue and the image page


def _hide(request, image):
    return actions.hide_image(actor=request.user, image=image, reason=_reason(request), resolve_reports=True)


def _unhide(request, image):
    return actions.unhide_image(actor=request.user, image=image, reason=_reason(request))


def _mark_nsfw(request, image):
    return actions.mark_nsfw(actor=request.user, image=image, reason=_reason(request), resolve_reports=True)


def _unmark_nsfw(request, image):
    return actions.unmark_nsfw(actor=request.user, image=image, reason=_reason(request))


def _tag(request, image):
    tag = request.POST.get("tag", "")
    return actions.tag_image(actor=request.user, image=image, tag=tag, resolve_reports=True)


def _dismiss(request, image):
    return actions.resolve_reports(actor=request.user, image=image, reason=_reason(request))


def _invalidate(request, image):
    rating_id = request.POST.get("rating", "")
    rating = Rating.objects.filter(image=image, pk=rating_id).first() if rating_id.isdigit() else None
    if rating is None:
        raise _BadRequest("No such rating of this image.")
    return actions.invalidate_rating(actor=request.user, rating=rating, reason=_reason(request))


# act (the form's `act`) → (the permission it needs, what it does)
IMAGE_ACTS: dict[str, tuple[str, Callable]] = {
    "hide": (ON_IMAGES, _hide),
    "unhide": (ON_IMAGES, _unhide),
    "mark_nsfw": (ON_IMAGES, _mark_nsfw),
    "unmark_nsfw": (ON_IMAGES, _unmark_nsfw),
    "tag": (ON_IMAGES, _tag),
    "dismiss": (ON_IMAGES, _dismiss),
    "invalidate": (ON_RATERS, _invalidate),
}


class _BadRequest(Refusal):
    """A form no page of ours sends (an unknown act, a rating of another image): answered 400."""

    code = "bad_request"


@require_POST
def act_on_image(request: HttpRequest, image_id: int) -> HttpResponse:
    """Do the act the form names on the image, then go back (`next`) with a message and the act to undo."""
    if request.POST.get("act") not in IMAGE_ACTS:
        return HttpResponseBadRequest(f"Unknown act: choose one of {', '.join(IMAGE_ACTS)}.")
    permission, act = IMAGE_ACTS[request.POST["act"]]
    _require(request, permission)
    image = get_object_or_404(Image, pk=image_id)
    back = _back(request, reverse("admin:datasets_image_change", args=[image.pk]))
    try:
        done = act(request, image)
    except _BadRequest as error:
        return HttpResponseBadRequest(error.message)
    except actions.ActionRefused as refused:
        messages.error(request, refused.message)
        return redirect(back)
    messages.success(request, _what_was_done(done, image))
    return redirect(_with_query(back, done=done.pk))


@require_POST
def undo_act(request: HttpRequest, act_id: int) -> HttpResponse:
    """Undo one act (moderation.actions.undo), then go back (`next`) with a message."""
    act = get_object_or_404(ModerationAction, pk=act_id)
    _require(request, actions.permission_for(act))
    back = _back(request, reverse("admin:moderation_reports"))
    try:
        actions.undo(actor=request.user, action=act, reason=_reason(request))
    except actions.ActionRefused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, f"Undone: {act.get_kind_display().lower()}.")
    return redirect(back)


def _what_was_done(act: ModerationAction, image: Image) -> str:
    said = f"Done: {act.get_kind_display().lower()} ({str(image.public_id)[:8]})"
    resolved = len(act.subject_ids.get("reports", []))
    if resolved:
        said += f", {resolved} report{'s' if resolved != 1 else ''} resolved"
    return said + "."


def _last_act_context(request: HttpRequest) -> dict:
    """The act just done (`?done=` after an act), when it can be undone, and where its Undo comes back to."""
    done = request.GET.get("done", "")
    act = ModerationAction.objects.select_related("undone_by").filter(pk=done).first() if done.isdigit() else None
    if act is None or not actions.can_undo(act):
        return {}
    return {"last_act": act, "undo_next": _with_query(request.get_full_path(), done=None)}


def _require(request: HttpRequest, permission: str) -> None:
    """Moderators reach these pages through the admin site (admin_view: ModeratorsAdminSite.has_permission); an
    act needs its own permission too (a superuser has them all)."""
    if not request.user.has_perm(permission):
        raise PermissionDenied


def _reason(request: HttpRequest) -> str:
    return request.POST.get("reason", "").strip()


def _back(request: HttpRequest, default: str) -> str:
    """Where the form came from (`next`), when it is a page of this site; `default` otherwise."""
    url = request.POST.get("next", "")
    safe = url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}, require_https=request.is_secure())
    return url if safe else default


def _with_query(url: str, **params) -> str:
    """`url` with each of `params` set in its query (or taken out when None)."""
    parts = urlsplit(url)
    query = QueryDict(parts.query, mutable=True)
    for name, value in params.items():
        query.pop(name, None)
        if value is not None:
            query[name] = str(value)
    return urlunsplit(parts._replace(query=query.urlencode()))


admin.site.extra_urls += [
    path("moderation/reports/", admin.site.admin_view(reports_queue), name="moderation_reports"),
    path("moderation/images/<int:image_id>/act/", admin.site.admin_view(act_on_image), name="moderation_image_act"),
    path("moderation/acts/<int:act_id>/undo/", admin.site.admin_view(undo_act), name="moderation_undo"),
]
# The admin's home page links to the queue.
admin.site.index_template = "admin/moderation/index.html"


# The image page


class AestheticScoreInline(admin.TabularInline):
    model = AestheticScore
    fields = ["version", "score", "uncertainty", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ["-created_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("version")  # each row names its version

    def has_add_permission(self, request, obj=None):
        return False


def _act_on_selected(act: Callable, description: str):
    """An admin action doing a moderator's act on each selected image, each recorded and undoable on its own."""

    def action(modeladmin, request, queryset):
        done = refused = 0
        for image in queryset:
            try:
                act(actor=request.user, image=image, reason="From the images list")
                done += 1
            except actions.ActionRefused:
                refused += 1  # already in that state
        unchanged = f"; {refused} already were" if refused else ""
        modeladmin.message_user(request, f"{description}: {done} images{unchanged}.", messages.SUCCESS)

    action.short_description = description
    action.__name__ = act.__name__
    action.allowed_permissions = ("act_on_images",)
    return action


class RaterTagFilter(admin.SimpleListFilter):
    """Images that raters in good standing tagged with one tag: the images Image.tag_counts counts it for.

    An EXISTS over RaterTag, read through its (tag, image) index `image_by_tag` (and the rater's row by its key), so
    a filtered page costs what the tagged images cost, however many images there are. Not a lookup of the key in
    `tag_counts`: no index serves a JSON key (one would be needed per tag, on the wide image table), so that would
    read every image's row."""

    title = "rater tags"
    parameter_name = "rater_tag"

    def lookups(self, request, model_admin):
        return [(tag, f"Tagged by raters: {label}") for tag, label in tagging.vocabulary()]

    def queryset(self, request, queryset):
        if self.value() not in tagging.LABELS:
            return queryset
        tagged = RaterTag.objects.filter(tag=self.value(), image=OuterRef("pk")).filter(counting_raters("rater__"))
        return queryset.filter(Exists(tagged))


def tag_counts_text(image: Image) -> str:
    """The raters' tags of an image as a moderator reads them: "NSFW 2 · Text 1" (the most given first), or "—"."""
    counts = sorted(((n, tag) for tag, n in tagging.counts_of(image).items() if n), key=lambda item: -item[0])
    return " · ".join(f"{tagging.LABELS[tag]} {n}" for n, tag in counts) or "—"


class ModeratedImageAdmin(ImageAdmin):
    """The image admin of datasets, with the moderators' panel on each image's page, the predictor's score beside
    the raters' mean, and hiding and NSFW as recorded acts (the panel, the reports queue, the list's actions), never
    as a bare change of the flag in the form."""

    change_form_template = "admin/moderation/image_change_form.html"
    inlines = [AestheticScoreInline]
    list_filter = [*ImageAdmin.list_filter, RaterTagFilter]
    actions = [
        *ImageAdmin.actions,
        _act_on_selected(actions.hide_image, "Hide from raters and the export"),
        _act_on_selected(actions.unhide_image, "Unhide"),
        _act_on_selected(actions.mark_nsfw, "Mark NSFW"),
        _act_on_selected(actions.unmark_nsfw, "Unmark NSFW"),
    ]

    class Media:
        css = {"all": ["css/moderation.css"]}

    def has_act_on_images_permission(self, request) -> bool:
        return request.user.has_perm(ON_IMAGES)

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        return [*readonly, *(flag for flag in ACT_FLAGS if flag not in readonly), "rater_tags"]

    def get_fields(self, request, obj=None):
        # The flags once, read-only; the raters' tag counts as words, never as an editable JSON (ratings.tags keeps
        # them).
        fields = [name for name in super().get_fields(request, obj) if name not in ("tag_counts", "rater_tags")]
        return [*dict.fromkeys(fields), "rater_tags"]

    @admin.display(description="Rater tags")
    def rater_tags(self, obj: Image):
        """How many raters in good standing gave each tag (Image.tag_counts: no query)."""
        return tag_counts_text(obj)

    @admin.display(description="Flags")
    def flags(self, obj: Image):
        """The flags, then the raters' tags ("NSFW · tagged NSFW 2, Text 1"): in one column, so that the list still
        fits a 1366 px screen."""
        tagged = tag_counts_text(obj)
        if tagged == "—":
            return super().flags(obj)
        return format_html(
            '{} · <span class="rater-tags">tagged {}</span>', super().flags(obj), tagged.replace(" · ", ", ")
        )

    def get_queryset(self, request):
        # The current predictor's score beside the human mean, in the same query (no N+1).
        version = PredictorVersion.current()
        score = AestheticScore.objects.filter(version=version, image=OuterRef("pk")).values("score")[:1]
        return super().get_queryset(request).annotate(predicted_score=Subquery(score, output_field=FloatField()))

    @admin.display(description="Mean · predicted")
    def scores(self, obj: Image):
        """The raters' mean beside the current predictor's score. Not sortable: at a million images, sorting by the
        prediction would look up every image's score on every page."""
        predicted = getattr(obj, "predicted_score", None)
        return " · ".join(f"{value:.2f}" if value is not None else "—" for value in (obj.average_rating, predicted))

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context.update(image_moderation(request, obj))
        return super().render_change_form(request, context, add, change, form_url, obj)


def image_moderation(request: HttpRequest, image: Image) -> dict:
    """What the image page shows a moderator: each list bounded (IMAGE_PAGE_ROWS, the latest first) and read in one
    query, so the page costs the same however many ratings and reports the image has."""
    history = ModerationAction.objects.filter(image=image).select_related("actor", "rater", "undone_by")
    reports = Skip.objects.filter(image=image).exclude(reason=Skip.Reason.SKIPPED).select_related("rater")
    ratings = Rating.objects.filter(image=image).select_related("rater").order_by("-created_at", "-pk")
    latest_rater_tags = RaterTag.objects.filter(image=image).select_related("rater").order_by("-created_at", "-pk")
    latest_rater_tags = latest_rater_tags[:IMAGE_PAGE_ROWS]
    return {
        "ratings": ratings[:IMAGE_PAGE_ROWS],
        "all_ratings_url": reverse("admin:ratings_rating_changelist") + f"?image={image.pk}",
        "predicted": getattr(image, "predicted_score", None),  # ImageAdmin.get_queryset's annotation
        "reports": reports.order_by("-created_at", "-pk")[:IMAGE_PAGE_ROWS],
        "open_reports": open_reports().filter(image=image).count(),
        "tags": ImageTag.objects.filter(image=image).select_related("tagged_by"),
        "rater_tag_rows": [(row, rater_counts(row.rater)) for row in latest_rater_tags],
        "rater_tags_text": tag_counts_text(image),
        "all_rater_tags_url": reverse("admin:ratings_ratertag_changelist") + f"?image={image.pk}",
        "tag_choices": ImageTag.Tag.choices,
        "history": [(act, actions.can_undo(act)) for act in history[:IMAGE_PAGE_ROWS]],
        "act_url": reverse("admin:moderation_image_act", args=[image.pk]),
        "here": _with_query(request.get_full_path(), done=None),
        **_last_act_context(request),
    }


admin.site.unregister(Image)
admin.site.register(Image, ModeratedImageAdmin)
