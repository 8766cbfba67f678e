"""A reliability weight per rater: how much a row of theirs should count in a weighted mean (RaterWeight.weight).

The model: a simple Bayesian one, two conjugate parts with closed-form posteriors, each shrunk toward the
population. Why not Dawid–Skene: it models categorical labels with a confusion matrix per rater and needs EM over
every rating; ours are scores on an interval scale, most raters rate few images with ~5 raters each (a 10x10
confusion matrix per rater would be mostly prior), and this job must be a few aggregate queries. Two sufficient
statistics per rater (a sum of squares, a pass count) and a prior each is what fits, and it is easy to explain.

1. Agreement with the other raters of the same images. For each counted rating r of an image with n >= 2 counted
   ratings summing to S (the image's counters, which count counted ratings only), its difference from the mean of
   the others: d = r - (S - r) / (n - 1) = (n r - S) / (n - 1). Model: d ~ Normal(0, 1/tau), tau the rater's
   precision (their own noise plus the others' mean's). Prior: tau ~ Gamma(shape K/2, rate K mu/2), worth K
   pseudo-ratings at mu, prior mean 1/mu; mu is the population's mean squared difference, taken as the typical
   rater's: the median over compared ratings (the msd of the rater holding the middle compared rating), not the
   pooled mean, because squared differences are unbounded and a fifth of careless or adversarial raters would
   more than double a pooled mean, so that every rater would look good against it. After n_u differences with
   sum of squares SS_u the posterior mean precision is (K + n_u) / (K mu + SS_u) = 1 / msd_post, with
   msd_post = (SS_u + K mu) / (n_u + K): the rater's mean squared difference shrunk toward the population's by K
   pseudo-ratings. The rater's precision relative to the population's is mu / msd_post; weighting rows by their
   precision (inverse variance) is what minimises a weighted mean's variance.
2. Check images (ratings.CaptchaAnswer, plus the checks served and left unanswered, which count as missed as they
   do in the pause rule: ratings.services.left_checks): passed ~ Binomial(answered, p_u), p_u ~ Beta(K_C p, K_C (1 - p)), p the
   population's pass rate (pooled: a rate is bounded, a minority cannot inflate it). The posterior mean is
   p_post = (passed + K_C p) / (answered + K_C), and the rater's pass rate relative to the population's is
   p_post / p. Careless raters fail checks that attentive ones pass.

weight = clip((mu / msd_post) * (p_post / p), 0, 1).

Meaning: 1 is a rater as reliable as the population or more (the clip keeps a few very consistent raters from
outweighing the rest: the weight discounts, it never amplifies); 0.5 is a rater whose rows carry half the
information of a typical row; near 0, a rater to ignore. A rater with no compared rating and no answered check
gets 1 (the prior alone), and a rater never computed is UNKNOWN_WEIGHT (1.0) for the export and training.

benchmarks/reliability_benchmark.py: 300 simulated raters, 20 % bad (half careless, half adversarial passing the
checks), 5 ratings per image: the weighted mean per image is about 30 % closer to the truth (RMSE) than the plain
mean.

Only what counts is used: counted ratings (Rating.counts: not invalidated, rater in good standing), the counters
that count only them, and the check answers of raters in good standing (raters.standing.counting_raters). Rows are
kept for exactly the raters in good standing with counted ratings or answered checks; the others' rows go.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Count, F, FloatField, Q, Sum
from django.db.models.functions import Cast, NullIf
from django.utils import timezone

from ratings_site.raters.standing import counting_raters
from ratings_site.ratings.counting import counted
from ratings_site.ratings.models import CaptchaAnswer
from ratings_site.ratings.services import left_checks
from ratings_site.reliability.agreement import PROGRESS_ROW
from ratings_site.reliability.models import AgreementProgress, RaterWeight

UNKNOWN_WEIGHT = 1.0  # a rater the job never computed (no counted rating, no answered check, or not yet)
PRIOR_RATINGS = 10  # K: the agreement prior is worth this many compared ratings at the population's msd
PRIOR_CHECKS = 10  # K_C: the checks prior is worth this many answers at the population's pass rate
WRITE_BATCH = 1000


@dataclass(frozen=True)
class WeightsRun:
    raters: int
    population_msd: float | None  # mu: None when no rating was compared
    population_pass_rate: float | None  # p: None when no check was answered
    computed_at: datetime


def weight_of(
    *,
    compared: int,
    squared_differences: float,
    passed: int,
    answered: int,
    population_msd: float | None,
    population_pass_rate: float | None,
) -> tuple[float, float | None]:
    """(weight, msd_post) of one rater by the module's model; msd_post is None without a population msd."""
    weight = 1.0
    msd_post = None
    if population_msd:
        msd_post = (squared_differences + PRIOR_RATINGS * population_msd) / (compared + PRIOR_RATINGS)
        weight *= population_msd / msd_post if msd_post > 0 else 1.0
    if population_pass_rate:
        pass_post = (passed + PRIOR_CHECKS * population_pass_rate) / (answered + PRIOR_CHECKS)
        weight *= pass_post / population_pass_rate
    return min(max(weight, 0.0), 1.0), msd_post


def typical_msd(raters: Iterable[tuple[float, int]]) -> float | None:
    """The population's msd: of (msd, compared ratings) per rater, the msd of the rater who holds the middle compared
    rating (a median weighted by compared ratings); None when no rating was compared."""
    ordered = sorted(raters)
    total = sum(compared for _, compared in ordered)
    if not total:
        return None
    seen = 0
    for msd, compared in ordered:
        seen += compared
        if 2 * seen >= total:
            return msd
    return ordered[-1][0]


def refresh_weights(*, now: datetime | None = None) -> WeightsRun:
    """Compute every rater's weight and store it (two aggregate queries, then one upsert per WRITE_BATCH raters and
    one delete): the number of queries does not grow with the raters, only the rows written."""
    now = now or timezone.now()
    # d = (n r - S) / (n - 1) for a counted rating of an image with n >= 2 counted ratings (see the module).
    n = F("image__ratings_count")
    difference = Cast(n * F("rating") - F("image__rating_sum"), FloatField()) / Cast(NullIf(n - 1, 0), FloatField())
    compared = Q(image__ratings_count__gte=2)
    ratings = {
        row["rater_id"]: row
        for row in counted()
        .order_by()
        .values("rater_id")
        .annotate(
            ratings=Count("pk"),
            compared=Count("pk", filter=compared),
            squares=Sum(difference * difference, filter=compared),
        )
    }
    checks = {
        row["rater_id"]: row
        for row in CaptchaAnswer.objects.filter(counting_raters("rater__"))
        .order_by()
        .values("rater_id")
        .annotate(answered=Count("pk"), passed=Count("pk", filter=Q(passed=True)))
    }
    # A check served and left unanswered is a miss, as in the pause rule (ratings.services.left_checks).
    for row in (
        left_checks().filter(counting_raters("rater__")).order_by().values("rater_id").annotate(left=Count("pk"))
    ):
        missed = checks.setdefault(row["rater_id"], {"rater_id": row["rater_id"], "answered": 0, "passed": 0})
        missed["answered"] += row["left"]
    all_answered = sum(row["answered"] for row in checks.values())
    all_passed = sum(row["passed"] for row in checks.values())
    mu = typical_msd(
        ((row["squares"] or 0.0) / row["compared"], row["compared"]) for row in ratings.values() if row["compared"]
    )
    p = all_passed / all_answered if all_answered else None

    rows = []
    for rater_id in sorted(set(ratings) | set(checks)):
        rated = ratings.get(rater_id, {})
        answers = checks.get(rater_id, {})
        weight, msd_post = weight_of(
            compared=rated.get("compared", 0),
            squared_differences=rated.get("squares") or 0.0,
            passed=answers.get("passed", 0),
            answered=answers.get("answered", 0),
            population_msd=mu,
            population_pass_rate=p,
        )
        compared_count = rated.get("compared", 0)
        rows.append(
            RaterWeight(
                rater_id=rater_id,
                weight=weight,
                ratings_count=rated.get("ratings", 0),
                ratings_compared=compared_count,
                mean_squared_difference=(rated["squares"] or 0.0) / compared_count if compared_count else None,
                checks_passed=answers.get("passed", 0),
                checks_answered=answers.get("answered", 0),
                computed_at=now,
            )
        )
    with transaction.atomic():
        RaterWeight.objects.bulk_create(
            rows,
            batch_size=WRITE_BATCH,
            update_conflicts=True,
            unique_fields=["rater"],
            update_fields=[
                "weight",
                "ratings_count",
                "ratings_compared",
                "mean_squared_difference",
                "checks_passed",
                "checks_answered",
                "computed_at",
            ],
        )
        RaterWeight.objects.exclude(computed_at=now).delete()  # raters who no longer qualify
        if not AgreementProgress.objects.filter(pk=PROGRESS_ROW).update(weights_computed_at=now):
            AgreementProgress.objects.bulk_create([AgreementProgress(pk=PROGRESS_ROW)], ignore_conflicts=True)
            AgreementProgress.objects.filter(pk=PROGRESS_ROW).update(weights_computed_at=now)
    return WeightsRun(raters=len(rows), population_msd=mu, population_pass_rate=p, computed_at=now)


def weights_by_rater(rater_ids: Iterable[int] | None = None) -> dict[int, float]:
    """The stored weights, by rater id (all of them, or these raters'; one query). A rater missing from the answer
    was never computed: use UNKNOWN_WEIGHT."""
    rows = RaterWeight.objects.all()
    if rater_ids is not None:
        rows = rows.filter(rater_id__in=list(rater_ids))
    return dict(rows.values_list("rater_id", "weight"))
