from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from ratings_site.datasets.models import Dataset
from ratings_site.predictor.priorities import STRATEGIES, PrioritisationError, apply_priorities, describe


class Command(BaseCommand):
    help = (
        "Set the priority of every image in the queue from the current predictor version's scores "
        "(images out of the queue get 0)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--strategy",
            choices=STRATEGIES,
            help=f"default: PRIORITY_STRATEGY ({settings.PRIORITY_STRATEGY})",
        )
        parser.add_argument("--dataset", metavar="SLUG", help="only this dataset's images")
        parser.add_argument("--seed", type=int, help="for a reproducible random order (stratified, random)")

    def handle(self, *args, strategy=None, dataset=None, seed=None, **options):
        chosen = None
        if dataset:
            chosen = Dataset.objects.filter(slug=dataset).first()
            if chosen is None:
                raise CommandError(f"No dataset with the slug {dataset!r}.")
        try:
            summary = apply_priorities(strategy or settings.PRIORITY_STRATEGY, dataset=chosen, seed=seed)
        except PrioritisationError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(describe(summary))
