from django.apps import AppConfig


class GenerationsConfig(AppConfig):
    name = "ratings_site.generations"
    label = "generations"
    verbose_name = "Generation sets"
