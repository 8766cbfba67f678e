from django.contrib import admin, messages
from django.db import transaction

from ratings_site.predictor.models import PredictorVersion


@admin.register(PredictorVersion)
class PredictorVersionAdmin(admin.ModelAdmin):
    list_display = ["name", "clip_model", "embedding_dim", "ensemble_size", "is_current", "created_at"]
    list_filter = ["is_current", "clip_model"]
    readonly_fields = [f.name for f in PredictorVersion._meta.fields]
    actions = ["make_current"]

    def has_add_permission(self, request):
        return False  # versions are made by predict_aesthetics and train_predictor

    @admin.action(description="Make this the current predictor")
    def make_current(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, "Choose exactly one version.", messages.ERROR)
            return
        with transaction.atomic():
            PredictorVersion.objects.filter(is_current=True).update(is_current=False)
            queryset.update(is_current=True)
        self.message_user(request, "Done. Run predict_aesthetics to score images with it, then prioritise_images.")
