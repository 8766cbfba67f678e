from django.contrib import admin

from ratings_site.kudos.models import KudosReward


@admin.register(KudosReward)
class KudosRewardAdmin(admin.ModelAdmin):
    list_display = ["created_at", "rater", "amount", "status", "attempts", "paid_at", "last_error"]
    list_filter = ["status"]
    list_select_related = ["rater"]
    raw_id_fields = ["rater", "rating"]
    search_fields = ["rater__username"]
