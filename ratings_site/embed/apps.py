from django.apps import AppConfig


class EmbedConfig(AppConfig):
    name = "ratings_site.embed"
    verbose_name = "Rating pages embedded in client apps"
