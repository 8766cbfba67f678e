from django.contrib import admin

from ratings_site.ratings.models import CaptchaAnswer, Rating, Skip


@admin.register(Rating)
class RatingAdmin(admin.ModelAdmin):
    list_display = ["created_at", "rater", "image", "rating", "artifacts", "client_agent"]
    list_filter = ["rating", "artifacts"]
    list_select_related = ["rater", "image__dataset"]
    raw_id_fields = ["rater", "image"]
    search_fields = ["rater__username", "=image__public_id"]
    show_full_result_count = False


@admin.register(Skip)
class SkipAdmin(admin.ModelAdmin):
    list_display = ["created_at", "rater", "image", "reason", "note"]
    list_filter = ["reason"]
    list_select_related = ["rater", "image__dataset"]
    raw_id_fields = ["rater", "image"]


@admin.register(CaptchaAnswer)
class CaptchaAnswerAdmin(admin.ModelAdmin):
    list_display = ["created_at", "rater", "image", "answer", "passed"]
    list_filter = ["passed"]
    list_select_related = ["rater", "image__dataset"]
    raw_id_fields = ["rater", "image"]
