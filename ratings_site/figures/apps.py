from django.apps import AppConfig


class FiguresConfig(AppConfig):
    name = "ratings_site.figures"
    label = "figures"
    verbose_name = "Site figures"
