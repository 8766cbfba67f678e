from django.core.management.base import BaseCommand

from ratings_site.datasets.services import refresh_queue


class Command(BaseCommand):
    help = "Recompute which images still want ratings (run after changing RATINGS_PER_IMAGE)."

    def handle(self, *args, **options):
        added, removed = refresh_queue()
        self.stdout.write(f"Queue refreshed: {added} images entered it, {removed} left it.")
