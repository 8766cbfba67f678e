"""Do the reliability weights help? Simulated raters on images with known true scores, on PostgreSQL.

Not a test: run it by hand. It creates its own database (horde_ratings_reliability_bench by default; its name must
contain "bench"), migrates it, and stores through the real models (bulk inserts, the images' counters set from the
counted ratings as the rating rule keeps them):
- `--images` images with a true score each, drawn from Normal(5.5, 1.5) and kept within 1..10;
- `--raters` raters, `--bad` of them bad: half careless (a uniform random 1..10 whatever the image), half
  adversarial (11 - truth, rounded); the others good (truth + Normal(0, `--noise`), rounded, kept within 1..10);
- each image rated by `--per-image` raters drawn at random;
- `--checks` check images answered per rater, as their kind would: a good rater passes with probability 0.95, a
  careless one answers at random (passes 1 in 10), an adversarial one passes (they know a check when they see one,
  and answer it right to stay unnoticed: the harder case for the weights).

It then runs the real jobs (reliability.agreement.refresh_agreement, reliability.weights.refresh_weights) and
prints, against the truth, the RMSE and MAE of each image's plain mean of its ratings and of its mean weighted by
the raters' weights (reliability.weights.weights_by_rater), and the ratio; the mean weight of each kind of rater;
the datasets' alphas; and the jobs' timings: the first agreement run (every rating new), a run with nothing new, a
run after `--changed` images were marked changed, a full rebuild, and the weights. `--keep` leaves the database.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import statistics
import sys
import time
import uuid
from collections import defaultdict
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from queue_benchmark import ROOT, check_bench_database_url, create_database, drop_database  # noqa: E402

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/horde_ratings_reliability_bench"
CHECK_ANSWER = 8  # what every check image asks for
CHUNK = 10_000


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--raters", type=int, default=300, help="(default: %(default)s)")
    parser.add_argument("--images", type=int, default=3000, help="(default: %(default)s)")
    parser.add_argument("--per-image", type=int, default=5, help="raters per image (default: %(default)s)")
    parser.add_argument("--bad", type=float, default=0.20, help="share of bad raters (default: %(default)s)")
    parser.add_argument("--noise", type=float, default=1.0, help="a good rater's noise, sd (default: %(default)s)")
    parser.add_argument("--checks", type=int, default=10, help="check images per rater (default: %(default)s)")
    parser.add_argument("--changed", type=int, default=100, help="images changed for the incremental timing")
    parser.add_argument("--seed", type=int, default=23)
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL, help="(default: %(default)s)")
    parser.add_argument("--keep", action="store_true", help="keep the database")
    args = parser.parse_args(argv)
    if args.raters < args.per_image or args.per_image < 2 or args.images < 1 or not 0 <= args.bad < 1:
        parser.error("need --per-image >= 2, --raters >= --per-image, --images >= 1 and 0 <= --bad < 1")
    check_bench_database_url(parser, args)
    return args


def setup_django(args: argparse.Namespace) -> None:
    os.environ["DATABASE_URL"] = args.database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "ratings_site.settings"
    os.environ.setdefault("SECRET_KEY", "reliability-benchmark-only-not-a-secret")
    sys.path.insert(0, str(ROOT))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def _score(value: float) -> int:
    return min(max(round(value), 1), 10)


def simulate(args: argparse.Namespace) -> tuple[dict[int, float], dict[int, str]]:
    """Empty the tables and store the simulated raters, images, ratings and check answers. Returns each image's
    truth by id and each rater's kind by id."""
    from django.db import connection

    from ratings_site.datasets.models import Dataset, Image
    from ratings_site.raters.models import Rater
    from ratings_site.ratings.models import CaptchaAnswer, Rating

    draw = random.Random(args.seed)
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE datasets_dataset, raters_rater RESTART IDENTITY CASCADE")
    main = Dataset.objects.create(slug="bench-main", name="Simulated", public=True)
    checks_pool = Dataset.objects.create(slug="bench-checks", name="Check images", public=False)

    bad = round(args.raters * args.bad)
    kinds = ["careless"] * (bad // 2) + ["adversarial"] * (bad - bad // 2) + ["good"] * (args.raters - bad)
    draw.shuffle(kinds)
    raters = Rater.objects.bulk_create(Rater(username=f"sim#{n}", horde_id=n) for n in range(1, args.raters + 1))
    kind_of = {rater.pk: kind for rater, kind in zip(raters, kinds, strict=True)}

    truths = [min(max(draw.gauss(5.5, 1.5), 1.0), 10.0) for _ in range(args.images)]
    images = Image.objects.bulk_create(
        (
            Image(dataset=main, url=f"https://bench.example.org/{n}.jpg", dedupe_key=uuid.uuid4().hex)
            for n in range(args.images)
        ),
        batch_size=CHUNK,
    )
    truth_of = {image.pk: truth for image, truth in zip(images, truths, strict=True)}

    ratings = []
    for image, truth in zip(images, truths, strict=True):
        for rater in draw.sample(raters, args.per_image):
            kind = kind_of[rater.pk]
            if kind == "good":
                score = _score(truth + draw.gauss(0, args.noise))
            elif kind == "careless":
                score = draw.randint(1, 10)
            else:
                score = _score(11 - truth)
            ratings.append(Rating(rater=rater, image=image, rating=score))
    Rating.objects.bulk_create(ratings, batch_size=CHUNK)
    with connection.cursor() as cursor:  # the counters as the rating rule keeps them: the counted ratings
        cursor.execute(
            "UPDATE datasets_image SET ratings_count = s.n, rating_sum = s.total FROM (SELECT image_id, count(*) AS n, "
            "sum(rating) AS total FROM ratings_rating WHERE counts GROUP BY image_id) s WHERE datasets_image.id = "
            "s.image_id"
        )

    checks = Image.objects.bulk_create(
        Image(
            dataset=checks_pool,
            url=f"https://bench.example.org/check-{n}.jpg",
            dedupe_key=uuid.uuid4().hex,
            is_captcha=True,
            captcha_answer=CHECK_ANSWER,
        )
        for n in range(max(args.checks, 1))
    )
    answers = []
    for rater in raters:
        for check in draw.sample(checks, args.checks):
            kind = kind_of[rater.pk]
            if kind == "good":
                answer = CHECK_ANSWER if draw.random() < 0.95 else draw.choice([6, 7, 9])
            elif kind == "careless":
                answer = draw.randint(1, 10)
            else:
                answer = CHECK_ANSWER
            answers.append(CaptchaAnswer(rater=rater, image=check, answer=answer, passed=answer == CHECK_ANSWER))
    CaptchaAnswer.objects.bulk_create(answers, batch_size=CHUNK)
    print(
        f"Stored {len(raters)} raters ({kinds.count('good')} good, {kinds.count('careless')} careless, "
        f"{kinds.count('adversarial')} adversarial), {len(images)} images, {len(ratings)} ratings, "
        f"{len(answers)} check answers."
    )
    return truth_of, kind_of


def _timed(label: str, call) -> object:
    started = time.perf_counter()
    result = call()
    print(f"  {label}: {(time.perf_counter() - started) * 1000:.0f} ms")
    return result


def run_jobs(args: argparse.Namespace) -> None:
    from django.utils import timezone

    from ratings_site.datasets.models import Image
    from ratings_site.reliability.agreement import mark_stale, refresh_agreement
    from ratings_site.reliability.models import DatasetAgreement
    from ratings_site.reliability.weights import refresh_weights

    later = timezone.now() + timedelta(minutes=2)  # every stored rating is past the safety lag
    print("Timings:")
    _timed("refresh_agreement, first run (every rating new)", lambda: refresh_agreement(now=later))
    _timed("refresh_agreement, nothing new", lambda: refresh_agreement(now=later))
    changed = list(Image.objects.filter(is_captcha=False).values_list("pk", flat=True)[: args.changed])
    mark_stale(changed)
    _timed(f"refresh_agreement, {len(changed)} images changed", lambda: refresh_agreement(now=later))
    _timed("refresh_agreement(full=True)", lambda: refresh_agreement(full=True, now=later))
    run = _timed("refresh_weights", refresh_weights)
    print(
        f"Population: mean squared difference {run.population_msd:.3f}, check pass rate {run.population_pass_rate:.1%}."
    )
    for row in DatasetAgreement.objects.select_related("dataset"):
        print(f"Agreement in {row.dataset.name}: rating alpha {row.rating_alpha:.3f} (interval)")


def _errors(estimates: dict[int, float], truth_of: dict[int, float]) -> tuple[float, float]:
    differences = [estimates[image_id] - truth for image_id, truth in truth_of.items()]
    return math.sqrt(statistics.fmean(d * d for d in differences)), statistics.fmean(abs(d) for d in differences)


def evaluate(truth_of: dict[int, float], kind_of: dict[int, str]) -> None:
    from ratings_site.ratings.counting import counted
    from ratings_site.reliability.weights import UNKNOWN_WEIGHT, weights_by_rater

    weights = weights_by_rater()
    rows = defaultdict(list)
    for image_id, rater_id, rating in counted().values_list("image_id", "rater_id", "rating"):
        rows[image_id].append((weights.get(rater_id, UNKNOWN_WEIGHT), rating))
    plain = {image_id: statistics.fmean(r for _, r in pairs) for image_id, pairs in rows.items()}
    weighted = {}
    for image_id, pairs in rows.items():
        total = sum(w for w, _ in pairs)
        weighted[image_id] = sum(w * r for w, r in pairs) / total if total > 0 else plain[image_id]
    plain_rmse, plain_mae = _errors(plain, truth_of)
    weighted_rmse, weighted_mae = _errors(weighted, truth_of)
    by_kind = defaultdict(list)
    for rater_id, kind in kind_of.items():
        by_kind[kind].append(weights.get(rater_id, UNKNOWN_WEIGHT))
    print("Mean weight by kind: " + ", ".join(f"{k} {statistics.fmean(v):.3f}" for k, v in sorted(by_kind.items())))
    print(f"{'':>14} {'RMSE':>7} {'MAE':>7}")
    print(f"{'plain mean':>14} {plain_rmse:7.3f} {plain_mae:7.3f}")
    print(f"{'weighted mean':>14} {weighted_rmse:7.3f} {weighted_mae:7.3f}")
    print(
        f"weighted / plain: RMSE {weighted_rmse / plain_rmse:.3f} ({1 - weighted_rmse / plain_rmse:.1%} lower), "
        f"MAE {weighted_mae / plain_mae:.3f} ({1 - weighted_mae / plain_mae:.1%} lower)"
    )


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    create_database(args)
    try:
        setup_django(args)
        truth_of, kind_of = simulate(args)
        run_jobs(args)
        evaluate(truth_of, kind_of)
    finally:
        if not args.keep:
            drop_database(args)


if __name__ == "__main__":
    main()
