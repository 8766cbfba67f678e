from django.apps import AppConfig


class ReliabilityConfig(AppConfig):
    name = "ratings_site.reliability"
    verbose_name = "Agreement and reliability"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from ratings_site.reliability import agreement

        agreement.connect()  # changed, deleted and (un)counted ratings mark their images for the agreement job
