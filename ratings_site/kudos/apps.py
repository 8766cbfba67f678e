from django.apps import AppConfig


class KudosConfig(AppConfig):
    name = "ratings_site.kudos"
    label = "kudos"
    verbose_name = "Kudos"
