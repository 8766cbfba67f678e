from django.apps import AppConfig


class HordeConfig(AppConfig):
    name = "ratings_site.horde"
    label = "horde"
    verbose_name = "The AI Horde"

    def ready(self) -> None:
        # Every process that loads the site (web, task worker, commands) scrubs Horde keys from its logs.
        from ratings_site.horde.client import install_key_scrubber

        install_key_scrubber()
