from django.apps import AppConfig


class HordeConfig(AppConfig):
    name = "ratings_site.horde"
    label = "horde"
    verbose_name = "The AI Horde"
