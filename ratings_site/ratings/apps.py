from django.apps import AppConfig


class RatingsConfig(AppConfig):
    name = "ratings_site.ratings"
    label = "ratings"
    verbose_name = "Ratings"

    def ready(self) -> None:
        from ratings_site.ratings import counting, tags

        counting.connect()  # a rater's standing changed: their ratings count, or stop counting
        tags.connect()  # ... and their tags with them (Image.tag_counts)
