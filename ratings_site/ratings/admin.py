from django.contrib import admin

from ratings_site.admin_paging import BigListMixin
from ratings_site.datasets.admin import ImageIdSearchMixin
from ratings_site.ratings.models import CaptchaAnswer, Rating, Skip
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
    list_display = ["created_at", "rater", "image", "reason", "note"]
    list_filter = ["reason"]


@admin.register(CaptchaAnswer)
class CaptchaAnswerAdmin(RaterImageRowsAdmin):
    list_display = ["created_at", "rater", "image", "answer", "passed"]
    list_filter = ["passed"]
