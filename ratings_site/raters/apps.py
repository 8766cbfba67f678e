from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _create_cache_table(using: str = "default", **kwargs) -> None:
    """The database cache (CACHE_URL=db://TABLE, the default) is made by migrate, so no deployment forgets it."""
    from django.core.management import call_command

    call_command("createcachetable", database=using, verbosity=0)


class RatersConfig(AppConfig):
    name = "ratings_site.raters"
    label = "raters"
    verbose_name = "Raters"

    def ready(self) -> None:
        post_migrate.connect(_create_cache_table, sender=self, dispatch_uid="raters.create_cache_table")
