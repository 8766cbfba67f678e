from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from ratings_site.admin_paging import BigListMixin, DefaultChoiceFilter
from ratings_site.datasets.admin import ImageIdSearchMixin
from ratings_site.ratings.models import CaptchaAnswer, RaterTag, Rating, Skip
from ratings_site.ratings.scales import ARTIFACTS_SHORT, RATING_LABELS


class ScaleFilter(admin.SimpleListFilter):
    """A filter by one step of a fixed scale (ratings.scales). Django's filter of a plain integer field would list
    its values with a SELECT DISTINCT over every rating on each page."""

    labels: dict[int, str]

    def lookups(self, request, model_admin):
        return [(str(value), f"{value} · {label}") for value, label in self.labels.items()]

    def queryset(self, request, queryset):
        if self.value() not in {str(value) for value in self.labels}:
            return queryset
        return queryset.filter(**{self.parameter_name: int(self.value())})


class RatingScaleFilter(ScaleFilter):
    title = "rating"
    parameter_name = "rating"
    labels = RATING_LABELS


class ArtifactsScaleFilter(ScaleFilter):
    title = "artifacts"
    parameter_name = "artifacts"
    labels = ARTIFACTS_SHORT


class ReportOrSkipFilter(DefaultChoiceFilter):
    """Reports (a reason other than "skipped") or plain skips; reports unless asked otherwise."""

    title = "kind"
    parameter_name = "kind"
    default = "reports"

    def lookups(self, request, model_admin):
        return [("reports", "Reports"), ("skips", "Plain skips"), ("all", "All")]

    def queryset(self, request, queryset):
        if self.value() == "reports":
            return queryset.exclude(reason=Skip.Reason.SKIPPED)
        if self.value() == "skips":
            return queryset.filter(reason=Skip.Reason.SKIPPED)
        return queryset


class RaterImageRowsAdmin(ImageIdSearchMixin, BigListMixin, admin.ModelAdmin):
    """What a rater did with an image (ratings, skips and reports, check answers), millions of rows: found by the
    start of the image's id or by the rater's name, the rater and the image (named by its dataset) in the list's one
    query, and picked by id in a form."""

    list_select_related = ["rater", "image__dataset"]
    raw_id_fields = ["rater", "image"]
    search_fields = ["rater__username"]  # and the start of the image's id (ImageIdSearchMixin)
    search_help_text = "The start of an image's id (8 characters or more), or a rater's name."
    public_id_field = "image__public_id"


@admin.register(Rating)
class RatingAdmin(RaterImageRowsAdmin):
    list_display = ["created_at", "rater", "image", "rating", "artifacts", "client_agent"]
    list_filter = [RatingScaleFilter, ArtifactsScaleFilter]


@admin.register(Skip)
class SkipAdmin(RaterImageRowsAdmin):
    """Plain skips and reports, told apart (reports first: the filter opens on them), each with its image's thumbnail
    linking to the image's page. Open reports are worked through in the reports queue (/admin/moderation/reports/)."""

    list_display = ["created_at", "rater", "thumbnail", "reason", "note", "resolved_at"]
    list_filter = [ReportOrSkipFilter, "reason"]

    @admin.display(description="Image")
    def thumbnail(self, skip: Skip):
        page = reverse("admin:datasets_image_change", args=[skip.image_id])
        return format_html(
            '<a href="{}"><img src="{}" alt="{}" class="image-thumbnail" loading="lazy"></a>',
            page,
            skip.image.thumbnail_src,
            skip.image,
        )


@admin.register(CaptchaAnswer)
class CaptchaAnswerAdmin(RaterImageRowsAdmin):
    list_display = ["created_at", "rater", "image", "answer", "passed"]
    list_filter = ["passed"]


@admin.register(RaterTag)
class RaterTagAdmin(RaterImageRowsAdmin):
    """Who tagged what (ratings.tags): by tag, found by the start of an image's id or a rater's name. Written only by
    raters (the rate page, the API): moderators read them here, and each image's counts on its page."""

    list_display = ["created_at", "rater", "image", "tag"]
    list_filter = ["tag"]
    ordering = ["-created_at", "-pk"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
