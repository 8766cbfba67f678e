from django import forms
from django.contrib import admin, messages
from django.db.models import FloatField, OuterRef, Subquery
from django.utils.html import format_html

from ratings_site.datasets.fetch import validate_image_url
from ratings_site.datasets.models import Dataset, Image, QueueEntry
from ratings_site.datasets.services import recount_images, refresh_queue, set_flags
from ratings_site.predictor.models import AestheticScore, PredictorVersion


@admin.register(Dataset)
class DatasetAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "public", "created_at"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name", "slug"]


def _flag_action(description: str, **flags: bool):
    def action(modeladmin, request, queryset):
        changed = set_flags(queryset, **flags)
        modeladmin.message_user(request, f"{changed} images updated.", messages.SUCCESS)

    action.short_description = description
    action.__name__ = "flag_" + "_".join(f"{k}_{v}" for k, v in flags.items())
    return action


class AestheticScoreInline(admin.TabularInline):
    model = AestheticScore
    fields = ["version", "score", "uncertainty", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ["-created_at"]

    def has_add_permission(self, request, obj=None):
        return False


class InQueueFilter(admin.SimpleListFilter):
    title = "in the queue"
    parameter_name = "in_queue"

    def lookups(self, request, model_admin):
        return [("1", "Yes"), ("0", "No")]

    def queryset(self, request, queryset):
        if self.value() in ("0", "1"):
            return queryset.filter(queue_entry__isnull=self.value() == "0")
        return queryset


class ImageAdminForm(forms.ModelForm):
    """The image form. Its URL follows the importer's rule (`datasets.fetch.check_image_url`): the model's
    URLField alone takes ftp:// and internal addresses, which the importer refuses and the predictor cannot fetch."""

    class Meta:
        model = Image
        fields = "__all__"

    def clean_url(self) -> str:
        url = self.cleaned_data["url"]
        if url:  # blank: an image stored as a file
            validate_image_url(url)
        return url


@admin.register(Image)
class ImageAdmin(admin.ModelAdmin):
    form = ImageAdminForm
    list_display = [
        "thumbnail", "public_id", "dataset", "ratings_count", "average", "predicted", "reports_count",
        "priority", "in_queue", "hidden", "nsfw", "broken", "is_captcha",
    ]
    list_filter = ["dataset", InQueueFilter, "hidden", "nsfw", "broken", "is_captcha"]
    search_fields = ["=public_id", "caption", "url"]
    list_select_related = ["dataset", "queue_entry"]
    readonly_fields = [
        "preview", "public_id", "ratings_count", "rating_sum", "artifacts_count", "artifacts_sum", "reports_count",
        "in_queue", "priority", "dedupe_key", "created_at",
    ]
    show_full_result_count = False  # no COUNT(*) over millions of rows
    actions = [
        _flag_action("Hide from raters and the export", hidden=True),
        _flag_action("Unhide", hidden=False),
        _flag_action("Mark NSFW", nsfw=True),
        _flag_action("Mark broken", broken=True),
    ]

    inlines = [AestheticScoreInline]

    class Media:
        css = {"all": ["css/admin.css"]}

    def get_fields(self, request, obj=None):
        fields = [name for name in super().get_fields(request, obj) if name != "preview"]
        return ["preview", *fields] if obj is not None else fields  # the picture first: it is what is judged

    def get_queryset(self, request):
        # The current predictor's score beside the human mean, in the same query (no N+1).
        version = PredictorVersion.current()
        score = AestheticScore.objects.filter(version=version, image=OuterRef("pk")).values("score")[:1]
        return super().get_queryset(request).annotate(predicted_score=Subquery(score, output_field=FloatField()))

    @admin.display(description="Predicted", ordering="predicted_score")
    def predicted(self, obj: Image):
        value = getattr(obj, "predicted_score", None)
        return f"{value:.2f}" if value is not None else "—"

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        refresh_queue(Image.objects.filter(pk=obj.pk))  # flags edited in the form move it in or out
        recount_images(Dataset.objects.filter(pk=obj.dataset_id))

    @admin.display(description="Image")
    def thumbnail(self, obj: Image):
        return format_html('<img src="{}" alt="" class="image-thumbnail" loading="lazy">', obj.src)

    @admin.display(description="Image")
    def preview(self, obj: Image):
        caption = obj.caption or "No caption"
        return format_html('<a href="{0}"><img src="{0}" alt="{1}" class="image-preview"></a>', obj.src, caption)

    @admin.display(description="Mean rating")
    def average(self, obj: Image):
        return f"{obj.average_rating:.2f}" if obj.average_rating is not None else "—"

    @admin.display(description="In the queue", boolean=True)
    def in_queue(self, obj: Image):
        return _queue_entry(obj) is not None

    @admin.display(description="Priority", ordering="queue_entry__priority")
    def priority(self, obj: Image):
        entry = _queue_entry(obj)
        return f"{entry.priority:.3f}" if entry is not None else "—"


def _queue_entry(image: Image) -> QueueEntry | None:
    try:
        return image.queue_entry
    except QueueEntry.DoesNotExist:
        return None
