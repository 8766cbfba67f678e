from django.apps import AppConfig


class BestOfConfig(AppConfig):
    name = "ratings_site.bestof"
    label = "bestof"
    verbose_name = "Best of a prompt group"
