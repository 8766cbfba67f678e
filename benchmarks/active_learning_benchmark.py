"""Active learning, simulated: how many ratings `uncertainty` needs to reach a Spearman, next to `random`.

Not a test: run it by hand (see benchmarks/README.md). No database, no images: the predictor's
own pieces on synthetic data.

- The world: N unit-length "embeddings" (d = 64), of two kinds, each run with every seed:
  `clustered` (like CLIP's: clusters of uneven size and spread around a common offset, with a
  decaying spectrum) and `isotropic` (uniform on the sphere); a hidden true aesthetic
  (linear in the embedding plus a small quadratic term the linear head cannot learn,
  standardised and mapped to 1..10); a held-out set the loop never rates.
- The raters: each rating is clip(round(true + N(0, sigma)), 1, 10), and an image that is
  chosen gets RATINGS_PER_IMAGE (5) of them, as the site asks. Every image's ratings are drawn
  once per seed, so both strategies see the same ratings for the same image.
- The loop: a random seed set is rated; then, each round, an ensemble of K bootstrap heads is
  trained on the mean ratings (training.fitting.train_ensemble: the published head layout, MSE + Adam,
  the best epoch on a 10 % validation split of the rated images), every unrated image is scored
  (the ensemble's mean) with an uncertainty (its standard deviation), priorities.compute_priorities
  ranks them, and the top `--batch` images (what the queue serves first) are rated.
- After each round: the Spearman correlation of the ensemble's mean with the hidden truth on
  the held-out set. Printed: the mean curve per strategy, and the ratings each strategy needed
  to first reach each target Spearman (interpolated between rounds), per seed and mean, and
  the ratio uncertainty / random (goal <= 0.7).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

RATINGS_PER_IMAGE = 5


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--images", type=int, default=20_000, help="embeddings in the world (default %(default)s)")
    parser.add_argument("--dim", type=int, default=64, help="embedding size (default %(default)s)")
    parser.add_argument("--held-out", type=int, default=2_000, help="images never rated, for the Spearman (default %(default)s)")
    parser.add_argument(
        "--worlds", default="clustered,isotropic", help="kinds of embeddings, comma-separated (default %(default)s)"
    )
    parser.add_argument("--clusters", type=int, default=24, help="clusters in the clustered world (default %(default)s)")
    parser.add_argument(
        "--centre-scale", type=float, default=1.0, help="spread of the cluster centres against the clusters' own (default %(default)s)"
    )
    parser.add_argument(
        "--decay", type=float, default=0.25, help="the embeddings' spectrum: direction i has scale i**-decay (default %(default)s)"
    )
    parser.add_argument("--quadratic", type=float, default=0.3, help="weight of the quadratic term (default %(default)s)")
    parser.add_argument("--noise", type=float, default=1.5, help="sigma of one rater's error (default %(default)s)")
    parser.add_argument("--seed-images", type=int, default=40, help="images rated at random first (default %(default)s)")
    parser.add_argument("--batch", type=int, default=20, help="images rated per round (default %(default)s)")
    parser.add_argument("--max-ratings", type=int, default=6_000, help="ratings budget per run (default %(default)s)")
    parser.add_argument(
        "--pool-fraction",
        type=float,
        help="`uncertainty`: share of the unrated images, the most disputed, the design step picks from "
        "(default: the product's, priorities.UNCERTAINTY_POOL_FRACTION)",
    )
    parser.add_argument(
        "--learners",
        default="ridge",
        help="how heads are trained, train_predictor's --method: ridge and/or adam, comma-separated (default %(default)s)",
    )
    parser.add_argument("--ensemble", type=int, default=5, help="bootstrap heads (default %(default)s)")
    parser.add_argument("--epochs", type=int, default=100, help="(default %(default)s)")
    parser.add_argument("--train-batch", type=int, default=64, help="training batch size (default %(default)s)")
    parser.add_argument("--targets", default="0.8,0.85", help="Spearman targets (default %(default)s)")
    parser.add_argument("--strategies", default="uncertainty,random", help="(default %(default)s)")
    parser.add_argument("--seeds", type=int, default=5, help="worlds of each kind, one per seed (default %(default)s)")
    parser.add_argument("--threads", type=int, default=1, help="torch threads (default %(default)s)")
    args = parser.parse_args(argv)
    args.targets = sorted(float(value) for value in args.targets.split(","))
    args.strategies = [value.strip() for value in args.strategies.split(",") if value.strip()]
    args.learners = [value.strip() for value in args.learners.split(",") if value.strip()]
    if not args.learners or any(name not in ("ridge", "adam") for name in args.learners):
        parser.error("--learners takes ridge and/or adam")
    worlds = {"clustered": args.clusters, "isotropic": 0}
    names = [value.strip() for value in args.worlds.split(",") if value.strip()]
    if not names or any(name not in worlds for name in names):
        parser.error("--worlds takes clustered and/or isotropic")
    args.worlds = [(name, worlds[name]) for name in names]
    if args.held_out + args.max_ratings // RATINGS_PER_IMAGE > args.images:
        parser.error("--images must hold the held-out set and the whole ratings budget")
    return args


# --- The world ----------------------------------------------------------------------------


@dataclass
class World:
    embeddings: np.ndarray  # float32 (N, d), unit length
    truth: np.ndarray  # float64 (N,), 1..10
    ratings: np.ndarray  # int (N, RATINGS_PER_IMAGE): what the raters would give each image
    held_out: np.ndarray  # indices never rated
    pool: np.ndarray  # indices that may be rated


def make_world(args: argparse.Namespace, seed: int) -> World:
    rng = np.random.default_rng(seed)
    n, d = args.images, args.dim
    if args.clusters:
        # CLIP-like: clusters of uneven size and spread around a common offset, anisotropic noise.
        scales = np.arange(1, d + 1) ** -args.decay  # a decaying spectrum, as in CLIP
        centres = rng.normal(size=(args.clusters, d)) * scales * args.centre_scale
        sizes = rng.dirichlet(np.full(args.clusters, 0.7))
        members = rng.choice(args.clusters, size=n, p=sizes)
        spread = rng.uniform(0.4, 1.2, size=args.clusters)
        x = np.ones(d) * 0.3 + centres[members] + rng.normal(size=(n, d)) * scales * spread[members, None]
    else:
        x = rng.normal(size=(n, d))
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    w, u = rng.normal(size=d), rng.normal(size=d)
    linear = x @ w
    square = (x @ u) ** 2
    z = (linear - linear.mean()) / linear.std() + args.quadratic * (square - square.mean()) / square.std()
    truth = np.clip(5.5 + 1.6 * (z - z.mean()) / z.std(), 1.0, 10.0)
    ratings = np.clip(np.rint(truth[:, None] + rng.normal(0.0, args.noise, size=(n, RATINGS_PER_IMAGE))), 1, 10)
    order = rng.permutation(n)
    return World(x.astype(np.float32), truth, ratings, order[: args.held_out], order[args.held_out :])


# --- The loop -----------------------------------------------------------------------------


@dataclass
class Curve:
    ratings: list[int] = field(default_factory=list)
    spearman: list[float] = field(default_factory=list)

    def ratings_to_reach(self, target: float) -> float | None:
        """Ratings at the first round reaching `target`, interpolated from the round before."""
        for i, value in enumerate(self.spearman):
            if value >= target:
                if i == 0:
                    return float(self.ratings[0])
                before, after = self.spearman[i - 1], value
                share = (target - before) / (after - before) if after > before else 1.0
                return self.ratings[i - 1] + share * (self.ratings[i] - self.ratings[i - 1])
        return None


def run_loop(world: World, learner: str, strategy: str, args: argparse.Namespace, seed: int, stop_at: float) -> Curve:
    import torch

    from ratings_site.predictor.priorities import compute_priorities, design_gram
    from ratings_site.predictor.training.data import validation_mask
    from ratings_site.predictor.training.evaluation import spearman
    from ratings_site.predictor.training.fitting import TrainingOptions, predict, train_ensemble, train_ridge_head

    rng = np.random.default_rng(seed + 1000)  # the same seed set for every strategy
    rated = rng.choice(world.pool, size=args.seed_images, replace=False)
    unrated_mask = np.ones(len(world.truth), dtype=bool)
    unrated_mask[world.held_out] = False
    unrated_mask[rated] = False
    priority_rng = np.random.default_rng(seed + 2000)
    options = TrainingOptions(
        method=learner, epochs=args.epochs, batch_size=args.train_batch, lr=1e-3, seed=seed, ensemble=args.ensemble
    )
    x_all = torch.from_numpy(world.embeddings)
    curve = Curve()
    while True:
        rated_ids = np.sort(rated)
        targets = world.ratings[rated_ids].mean(axis=1).astype(np.float32)
        held = validation_mask(rated_ids, 0.1)
        x_train, y_train = world.embeddings[rated_ids[~held]], targets[~held]
        x_val, y_val = world.embeddings[rated_ids[held]], targets[held]
        penalty = None
        if learner == "ridge":
            # The product scores with the head trained on the whole split, the ensemble gives the disagreement.
            main = train_ridge_head(x_train, y_train, x_val, y_val)
            penalty = main.penalty
        ensemble = train_ensemble(x_train, y_train, x_val, y_val, size=args.ensemble, options=options, penalty=penalty)
        with torch.inference_mode():
            predictions = ensemble(x_all).double().numpy()  # (K, N)
        scores, uncertainty = predictions.mean(axis=0), predictions.std(axis=0, ddof=1)
        if learner == "ridge":
            scores = predict(main.head, x_all)
        curve.ratings.append(len(rated) * RATINGS_PER_IMAGE)
        curve.spearman.append(spearman(scores[world.held_out], world.truth[world.held_out]))
        if curve.spearman[-1] >= stop_at or curve.ratings[-1] + args.batch * RATINGS_PER_IMAGE > args.max_ratings:
            return curve
        candidates = np.flatnonzero(unrated_mask)
        priorities = compute_priorities(
            strategy,
            scores[candidates],
            uncertainty[candidates],
            rng=priority_rng,
            # What apply_priorities hands over: the candidates' embeddings and the ensemble's design.
            embeddings_for=lambda rows, candidates=candidates: world.embeddings[candidates[rows]],
            gram=design_gram(world.embeddings[rated_ids[~held]]),
            picks=args.batch,  # greedy picks are prefix-consistent: the first `batch` of any longer run
            **({} if args.pool_fraction is None else {"pool_fraction": args.pool_fraction}),
        )
        # The queue serves the highest priority first (ties in random order).
        order = np.lexsort((priority_rng.random(len(candidates)), -priorities))
        chosen = candidates[order[: args.batch]]
        unrated_mask[chosen] = False
        rated = np.concatenate([rated, chosen])
        options.seed += 100  # fresh bootstrap resamples and initial weights each round


# --- The report ---------------------------------------------------------------------------


def fmt(value: float | None, budget: int) -> str:
    return f"{value:8.0f}" if value is not None else f"  >{budget:<6d}"


def comparisons(args: argparse.Namespace) -> list[tuple[str, str]]:
    """(run, baseline) pairs to print as ratios: each learner's uncertainty against its own random order (the
    goal), and, when Adam runs too, ridge's runs against Adam rated at random (the previous default)."""
    pairs = []
    for learner in args.learners:
        if "uncertainty" in args.strategies and "random" in args.strategies:
            pairs.append((f"{learner}:uncertainty", f"{learner}:random"))
    if "adam" in args.learners and "ridge" in args.learners and "random" in args.strategies:
        pairs += [(f"ridge:{strategy}", "adam:random") for strategy in args.strategies]
    return pairs


def report(args: argparse.Namespace, world_name: str, clusters: int) -> dict[tuple[str, str, float], float | None]:
    """Run every learner and strategy on `args.seeds` worlds of this kind, print the tables;
    returns (run, baseline, target) -> ratio of the mean ratings needed."""
    from ratings_site.predictor.training.evaluation import spearman

    args.clusters = clusters
    print()
    print(f"== World: {world_name} ({f'{clusters} clusters' if clusters else 'isotropic'}) ==")
    runs = [(learner, strategy) for learner in args.learners for strategy in args.strategies]
    labels = [f"{learner}:{strategy}" for learner, strategy in runs]
    curves: dict[str, list[Curve]] = {label: [] for label in labels}
    width = max(12, *(len(label) for label in labels))
    ceilings = []
    for seed in range(args.seeds):
        world = make_world(args, seed)
        # The best a linear head can do here: least squares on the noiseless truth of the whole pool.
        x = np.c_[world.embeddings.astype(np.float64), np.ones(len(world.truth))]
        fit = x @ np.linalg.lstsq(x[world.pool], world.truth[world.pool], rcond=None)[0]
        ceilings.append(spearman(fit[world.held_out], world.truth[world.held_out]))
        for (learner, strategy), label in zip(runs, labels):
            seed_started = time.perf_counter()
            curve = run_loop(world, learner, strategy, args, seed, stop_at=max(args.targets) + 0.01)
            curves[label].append(curve)
            print(
                f"  seed {seed} {label:>{width}}: {len(curve.ratings)} rounds, last Spearman {curve.spearman[-1]:.3f} "
                f"at {curve.ratings[-1]} ratings ({time.perf_counter() - seed_started:.0f} s)",
                flush=True,
            )
    print(
        f"Ceiling (a linear fit to the noiseless truth of the whole pool): Spearman "
        f"{np.mean(ceilings):.3f} (seeds: {', '.join(f'{value:.3f}' for value in ceilings)})"
    )

    print()
    print("Mean held-out Spearman by ratings (in brackets: seeds still running at that point):")
    steps = sorted({r for label_curves in curves.values() for curve in label_curves for r in curve.ratings})
    print(f"{'ratings':>8} " + " ".join(f"{label:>{width}}" for label in labels))
    for step in steps:
        cells = []
        for label in labels:
            values = [c.spearman[c.ratings.index(step)] for c in curves[label] if step in c.ratings]
            cells.append(f"{np.mean(values):>{width - 5}.3f} ({len(values)})" if values else " " * width)
        print(f"{step:>8} " + " ".join(cells))

    print()
    print("Ratings needed to reach the target Spearman (per seed; mean):")
    header = f"{'target':>6} {'run':>{width}} " + " ".join(f"{'seed ' + str(s):>8}" for s in range(args.seeds))
    print(header + f" {'mean':>8}")
    means: dict[tuple[float, str], float | None] = {}
    for target in args.targets:
        for label in labels:
            needed = [curve.ratings_to_reach(target) for curve in curves[label]]
            mean = float(np.mean(needed)) if all(value is not None for value in needed) else None
            means[(target, label)] = mean
            print(
                f"{target:>6.2f} {label:>{width}} "
                + " ".join(fmt(value, args.max_ratings) for value in needed)
                + f" {fmt(mean, args.max_ratings)}"
            )
    ratios: dict[tuple[str, str, float], float | None] = {}
    for run, baseline in comparisons(args):
        print()
        for target in args.targets:
            a, b = means[(target, run)], means[(target, baseline)]
            ratio = ratios[(run, baseline, target)] = a / b if a is not None and b is not None else None
            if ratio is None:
                print(f"Spearman {target:.2f}: {run} or {baseline} did not reach it in every seed: no ratio.")
                continue
            per_seed = [
                u.ratings_to_reach(target) / r.ratings_to_reach(target) for u, r in zip(curves[run], curves[baseline])
            ]
            print(
                f"Spearman {target:.2f}: {run} / {baseline} = {a:.0f} / {b:.0f} = {ratio:.2f}x "
                f"(per seed: {', '.join(f'{value:.2f}' for value in per_seed)})."
            )
    return ratios


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ratings_site.settings")
    os.environ.setdefault("DEBUG", "1")
    import django

    django.setup()  # training.fitting reads settings at import
    import torch

    torch.set_num_threads(args.threads)
    print(
        f"Active learning, simulated: {args.images} embeddings (d={args.dim}), quadratic weight {args.quadratic}, "
        f"rater sigma {args.noise}, {RATINGS_PER_IMAGE} ratings per image, held-out {args.held_out}; "
        f"seed set {args.seed_images} images, {args.batch} images ({args.batch * RATINGS_PER_IMAGE} ratings) per round, "
        f"budget {args.max_ratings} ratings; heads by {' and '.join(args.learners)}, ensemble of {args.ensemble} "
        f"bootstrap heads (adam: {args.epochs} epochs, batch {args.train_batch}); {args.seeds} seeds per world; "
        f"torch threads {args.threads}."
    )
    started = time.perf_counter()
    summary = {name: report(args, name, clusters) for name, clusters in args.worlds}
    if comparisons(args):
        print()
        print("Summary, ratings needed to reach the target, run / baseline (goal: uncertainty / random <= 0.7x):")
        print(f"{'world':>10} {'run / baseline':>36} " + " ".join(f"{'Spearman ' + format(t, '.2f'):>14}" for t in args.targets))
        for name, ratios in summary.items():
            for run, baseline in comparisons(args):
                cells = [
                    f"{ratios[(run, baseline, t)]:>13.2f}x" if ratios.get((run, baseline, t)) is not None else f"{'n/a':>14}"
                    for t in args.targets
                ]
                print(f"{name:>10} {run + ' / ' + baseline:>36} " + " ".join(cells))
    print(f"\nTook {time.perf_counter() - started:.0f} s.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
