from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from ratings_site.datasets.models import Dataset
from ratings_site.predictor.priorities import STRATEGIES, PrioritisationError, apply_priorities


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
        fallback = (
            f" (fell back from {summary['strategy']}: no ensemble disagreement yet)"
            if summary["strategy_used"] != summary["strategy"]
            else ""
        )
        design = (
            f" The design step ordered the first {summary['design_picks']:,} of the {summary['design_pool']:,} "
            "most disputed images."
            if summary["design_picks"]
            else ""
        )
        self.stdout.write(
            f"Strategy {summary['strategy_used']}{fallback}, predictor version {summary['version']}"
            + (f", dataset {summary['dataset']}" if summary["dataset"] else "")
            + f": {summary['scored']:,} scored images in the queue, {summary['updated']:,} priorities changed, "
            f"{summary['reset']:,} images out of the queue reset to 0, in {summary['seconds']:.2f} s "
            f"(read {summary['read_seconds']:.2f} s, compute {summary['compute_seconds']:.2f} s, "
            f"write {summary['write_seconds']:.2f} s)." + design
        )
