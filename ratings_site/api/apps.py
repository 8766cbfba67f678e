from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "ratings_site.api"
    label = "api"
    verbose_name = "API"
