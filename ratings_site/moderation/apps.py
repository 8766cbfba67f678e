from django.apps import AppConfig


class ModerationConfig(AppConfig):
    name = "ratings_site.moderation"
    label = "moderation"
    verbose_name = "Moderation"
