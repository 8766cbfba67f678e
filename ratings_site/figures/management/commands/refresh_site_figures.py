from django.core.management.base import BaseCommand

from ratings_site.figures.services import refresh_site_figures


class Command(BaseCommand):
    help = "Count the landing page's figures (ratings, raters, images, kudos paid) now and store them."

    def handle(self, *args, **options):
        figures = refresh_site_figures()
        self.stdout.write(
            f"{figures.ratings} ratings by {figures.raters} raters, {figures.images} images in the datasets, "
            f"{figures.kudos_paid} kudos paid."
        )
