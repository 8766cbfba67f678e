from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "ratings_site.api"
    label = "api"
    verbose_name = "API"

    def ready(self) -> None:
        from ratings_site.api import checks  # noqa: F401  (registers the deployment checks)
