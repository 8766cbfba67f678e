from django.apps import AppConfig


class ExportsConfig(AppConfig):
    name = "ratings_site.exports"
    verbose_name = "Open dataset export"
