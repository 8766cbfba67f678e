from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from ratings_site.admin_paging import BigListMixin
from ratings_site.kudos.models import KudosReward
from ratings_site.kudos.payments import flag_stuck_payments
from ratings_site.kudos.tasks import schedule_payment


class WaitingForModeratorFilter(admin.SimpleListFilter):
    """The lines a moderator must check on the Horde: sent, maybe paid, no answer recorded."""

    title = "needs a moderator"
    parameter_name = "waiting"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [("yes", "Waiting for a moderator")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[KudosReward]) -> QuerySet[KudosReward]:
        if self.value() == "yes":
            return queryset.waiting_for_moderator()  # type: ignore[attr-defined]
        return queryset


@admin.register(KudosReward)
class KudosRewardAdmin(BigListMixin, admin.ModelAdmin):
    """The ledger. Horde moderators settle the lines waiting for them with the two actions; only local superusers
    edit a line's fields."""

    list_display = [
        "created_at",
        "rater",
        "kind",
        "subject",
        "amount",
        "status",
        "waiting_for_moderator",
        "attempts",
        "sending_since",
        "paid_at",
        "last_error",
    ]
    list_filter = [WaitingForModeratorFilter, "status", "kind"]
    list_select_related = ["rater"]
    raw_id_fields = ["rater", "rating", "image", "generation_set"]
    search_fields = ["rater__username", "subject"]
    ordering = ["-pk"]  # newest first, by the primary key's index (the model's created_at has none)
    actions = ["mark_paid", "send_again"]

    def get_readonly_fields(self, request: HttpRequest, obj: KudosReward | None = None) -> list[str]:
        if request.user.is_superuser:
            return list(super().get_readonly_fields(request, obj))
        return [field.name for field in KudosReward._meta.fields if field.editable and not field.primary_key]

    @admin.display(boolean=True, description="needs a moderator")
    def waiting_for_moderator(self, line: KudosReward) -> bool:
        return line.waiting_for_moderator

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        """Stuck lines get their reason before the moderator reads the list (cron may not have run yet)."""
        flag_stuck_payments()
        return super().changelist_view(request, extra_context)

    @admin.action(description="Mark as paid (checked on the Horde)", permissions=["change"])
    def mark_paid(self, request: HttpRequest, queryset: QuerySet[KudosReward]) -> None:
        # Lines the Horde paid itself are paid already, and stay marked so.
        changed = queryset.exclude(status__in=[KudosReward.Status.PAID, KudosReward.Status.HORDE]).update(
            status=KudosReward.Status.PAID, paid_at=timezone.now(), last_error=""
        )
        self.message_user(request, f"{changed} lines marked paid.")

    @admin.action(description="Send again (only when the Horde did not pay them)", permissions=["change"])
    def send_again(self, request: HttpRequest, queryset: QuerySet[KudosReward]) -> None:
        lines = queryset.filter(status__in=[KudosReward.Status.SENDING, KudosReward.Status.FAILED])
        rater_ids = set(lines.values_list("rater_id", flat=True))
        changed = lines.update(status=KudosReward.Status.PENDING, attempts=0, last_error="", sending_since=None)
        for rater_id in rater_ids:
            schedule_payment(rater_id)
        self.message_user(request, f"{changed} lines will be sent again.")
