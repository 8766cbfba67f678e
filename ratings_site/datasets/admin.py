from django.contrib import admin, messages
from django.utils.html import format_html

from ratings_site.datasets.models import Dataset, Image
from ratings_site.datasets.services import refresh_queue, set_flags


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


@admin.register(Image)
class ImageAdmin(admin.ModelAdmin):
    list_display = [
        "thumbnail", "public_id", "dataset", "ratings_count", "average", "reports_count",
        "priority", "in_queue", "hidden", "nsfw", "broken", "is_captcha",
    ]
    list_filter = ["dataset", "in_queue", "hidden", "nsfw", "broken", "is_captcha"]
    search_fields = ["=public_id", "caption", "url"]
    list_select_related = ["dataset"]
    readonly_fields = ["public_id", "ratings_count", "rating_sum", "artifacts_count", "artifacts_sum", "reports_count", "in_queue", "dedupe_key", "created_at"]
    show_full_result_count = False  # no COUNT(*) over millions of rows
    actions = [
        _flag_action("Hide from raters and the export", hidden=True),
        _flag_action("Unhide", hidden=False),
        _flag_action("Mark NSFW", nsfw=True),
        _flag_action("Mark broken", broken=True),
    ]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        refresh_queue(Image.objects.filter(pk=obj.pk))  # flags edited in the form move it in or out

    @admin.display(description="Image")
    def thumbnail(self, obj: Image):
        return format_html('<img src="{}" alt="" style="max-height:64px;max-width:96px">', obj.src)

    @admin.display(description="Mean rating")
    def average(self, obj: Image):
        return f"{obj.average_rating:.2f}" if obj.average_rating is not None else "—"
