from django.contrib import admin
from django.utils import timezone

from ratings_site.kudos.models import KudosReward
from ratings_site.kudos.services import schedule_payment


@admin.register(KudosReward)
class KudosRewardAdmin(admin.ModelAdmin):
    list_display = ["created_at", "rater", "amount", "status", "attempts", "paid_at", "last_error"]
    list_filter = ["status"]
    list_select_related = ["rater"]
    raw_id_fields = ["rater", "rating", "image"]
    search_fields = ["rater__username"]
    actions = ["mark_paid", "send_again"]

    @admin.action(description="Mark as paid (checked on the Horde)")
    def mark_paid(self, request, queryset):
        changed = queryset.exclude(status=KudosReward.Status.PAID).update(
            status=KudosReward.Status.PAID, paid_at=timezone.now(), last_error=""
        )
        self.message_user(request, f"{changed} lines marked paid.")

    @admin.action(description="Send again (only when the Horde did not pay them)")
    def send_again(self, request, queryset):
        lines = queryset.filter(status__in=[KudosReward.Status.SENDING, KudosReward.Status.FAILED])
        rater_ids = set(lines.values_list("rater_id", flat=True))
        changed = lines.update(status=KudosReward.Status.PENDING, attempts=0, last_error="")
        for rater_id in rater_ids:
            schedule_payment(rater_id)
        self.message_user(request, f"{changed} lines will be sent again.")
