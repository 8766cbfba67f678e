from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from ratings_site.raters.models import Rater


@admin.register(Rater)
class RaterAdmin(UserAdmin):
    list_display = ["username", "horde_id", "trusted", "moderator", "flagged", "paused_until", "is_staff"]
    list_filter = ["trusted", "moderator", "flagged", "is_staff"]
    search_fields = ["username", "=horde_id"]
    fieldsets = UserAdmin.fieldsets + (
        ("Horde", {"fields": ["horde_id", "trusted", "moderator", "flagged", "account_age"]}),
        ("Rating pause", {"fields": ["paused_until", "pause_reason"]}),
    )
