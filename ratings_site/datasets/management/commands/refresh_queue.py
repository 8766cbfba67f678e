from django.core.management.base import BaseCommand

from ratings_site.datasets.services import recount_images, refresh_queue


class Command(BaseCommand):
    help = (
        "Recompute which images still want ratings (run after changing RATINGS_PER_IMAGE), "
        "and recount each dataset's images."
    )

    def handle(self, *args, **options):
        added, removed = refresh_queue()
        recount_images()
        self.stdout.write(f"Queue refreshed: {added} images entered it, {removed} left it.")
