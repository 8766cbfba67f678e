from django.apps import AppConfig


class ReliabilityConfig(AppConfig):
    name = "ratings_site.reliability"
    verbose_name = "Agreement and reliability"
    default_auto_field = "django.db.models.BigAutoField"
