from django.contrib import admin

from ratings_site.admin_paging import BigListMixin
from ratings_site.bestof.models import BestPick, CheckGroup, ImagePreference, PromptGroup, PromptGroupImage


class PromptGroupImageInline(admin.TabularInline):
    model = PromptGroupImage
    raw_id_fields = ["image"]
    extra = 0


@admin.register(PromptGroup)
class PromptGroupAdmin(BigListMixin, admin.ModelAdmin):
    list_display = ["id", "dataset", "prompt", "size", "picks_count", "wants_picks", "priority"]
    list_filter = ["wants_picks", "dataset"]
    list_select_related = ["dataset"]
    search_fields = ["prompt", "=prompt_key"]
    autocomplete_fields = ["dataset"]
    inlines = [PromptGroupImageInline]


@admin.register(BestPick)
class BestPickAdmin(BigListMixin, admin.ModelAdmin):
    list_display = ["created_at", "rater", "group", "winner", "source", "client_agent"]
    list_filter = ["source"]
    list_select_related = ["rater", "group", "winner__dataset"]
    raw_id_fields = ["rater", "group", "winner"]


@admin.register(ImagePreference)
class ImagePreferenceAdmin(BigListMixin, admin.ModelAdmin):
    list_display = ["created_at", "rater", "winner", "loser", "group", "source"]
    list_filter = ["source"]
    list_select_related = ["rater", "winner__dataset", "loser__dataset", "group"]
    raw_id_fields = ["rater", "winner", "loser", "group", "pick"]


@admin.register(CheckGroup)
class CheckGroupAdmin(BigListMixin, admin.ModelAdmin):
    list_display = ["served_at", "rater", "check_image", "group", "passed", "answered_at"]
    list_filter = ["passed"]
    list_select_related = ["rater", "check_image__dataset", "group"]
    raw_id_fields = ["rater", "check_image", "group"]
