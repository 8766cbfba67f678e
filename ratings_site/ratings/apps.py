from django.apps import AppConfig


class RatingsConfig(AppConfig):
    name = "ratings_site.ratings"
    label = "ratings"
    verbose_name = "Ratings"
