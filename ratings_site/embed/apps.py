from django.apps import AppConfig


class EmbedConfig(AppConfig):
    name = "ratings_site.embed"
    verbose_name = "Rating pages embedded in client apps"

    def ready(self) -> None:
        # What the rating pages saved reaches the app framing them (the rating apps never import this one).
        from ratings_site.embed.events import announce
        from ratings_site.ratings.signals import rated

        rated.connect(announce, dispatch_uid="embed.events.announce")
