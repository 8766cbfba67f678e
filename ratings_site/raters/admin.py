from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from ratings_site.admin_paging import BigListMixin
from ratings_site.raters.forms import AdminKeyLoginForm
from ratings_site.raters.models import Rater

# Horde moderators log in to the admin with their Horde key (raters.services gives them the moderators group).
admin.site.login_form = AdminKeyLoginForm
admin.site.login_template = "raters/admin_login.html"


@admin.register(Rater)
class RaterAdmin(BigListMixin, UserAdmin):
    list_display = ["username", "horde_id", "trusted", "moderator", "flagged", "paused_until", "is_staff"]
    list_filter = ["trusted", "moderator", "flagged", "is_staff"]
    search_fields = ["username", "=horde_id"]
    ordering = ["-pk"]  # newest first, by the primary key's index (every anonymous login makes a rater)
    fieldsets = UserAdmin.fieldsets + (
        ("Horde", {"fields": ["horde_id", "trusted", "moderator", "flagged", "account_age"]}),
        ("Rating pause", {"fields": ["paused_until", "pause_reason"]}),
    )
