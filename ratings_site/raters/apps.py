from django.apps import AppConfig


class RatersConfig(AppConfig):
    name = "ratings_site.raters"
    label = "raters"
    verbose_name = "Raters"
