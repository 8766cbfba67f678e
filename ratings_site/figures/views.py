"""/stats/: the site's figures as pictures, for everyone; moderators also see the suspect raters.

The numbers come from `figures.stats` (stored counters and bounded queries), the pictures from `figures.svg`.
"""

from __future__ import annotations

import math

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from ratings_site.figures import stats, svg
from ratings_site.raters.moderator_rights import is_moderator

NO_RATINGS = "No ratings yet."
SERIES_SHOWN = 5  # ratings per day: the busiest datasets each in a colour of their own, the others together
KRIPPENDORFF_RELIABLE = 0.8
KRIPPENDORFF_TENTATIVE = 0.667


def stats_page(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    moderator = is_moderator(request.user)
    datasets = stats.dataset_figures()
    days, per_day = stats.ratings_per_day([d.pk for d in datasets], now.date())
    top = stats.top_raters()
    scatter = stats.predicted_vs_human()
    context = {
        "freshness": stats.freshness(now),
        "ratings_per_day": _ratings_per_day(datasets, days, per_day),
        "agreement": _agreement(datasets),
        "datasets": [(d, _dataset_figures(d)) for d in datasets],
        "top_raters": _top_raters(top),
        "weights": _weights(stats.weight_histogram()),
        "scatter": scatter,
        "scatter_figure": _scatter(scatter),
        "moderator": moderator,
        "suspects": stats.suspect_raters() if moderator else [],
        "suspect_min_ratings": stats.SUSPECT_MIN_RATINGS,
        "ratings_per_image": settings.RATINGS_PER_IMAGE,
    }
    return render(request, "figures/stats.html", context)


def _ratings_per_day(datasets: list[stats.DatasetFigures], days: list, per_day: dict[int, list[int]]) -> svg.Figure:
    busiest = sorted(datasets, key=lambda d: -sum(per_day[d.pk]))
    series = [svg.Series(d.name, per_day[d.pk], f"series-{n}") for n, d in enumerate(busiest[:SERIES_SHOWN])]
    others = busiest[SERIES_SHOWN:]
    if others:
        summed = [sum(per_day[d.pk][i] for d in others) for i in range(len(days))]
        series.append(svg.Series("other datasets", summed, f"series-{SERIES_SHOWN}"))
    if not series:
        series = [svg.Series("ratings", [0] * len(days), "series-0")]
    return svg.bar_chart(
        slug="ratings-per-day",
        title=f"Ratings per day, the last {len(days)} days",
        summary=f"Bars of the counted ratings made on each of the last {len(days)} days (UTC), by dataset.",
        categories=[day.strftime("%b %-d") for day in days],
        series=series,
        x_label="day (UTC)",
        y_label="ratings",
        empty=NO_RATINGS,
        label_every=max(len(days) // 5, 1),
        table_head=["day", *(s.name for s in series)],
    )


def _agreement(datasets: list[stats.DatasetFigures]) -> svg.Figure:
    alphas = [a for d in datasets for a in (d.rating_alpha, d.artifacts_alpha) if a is not None]
    low = math.floor(min([0.0, *alphas]) * 4) / 4  # below 0 when raters disagree systematically: to the next quarter
    return svg.horizontal_bars(
        slug="agreement",
        title="Agreement between raters, per dataset",
        summary="Krippendorff's alpha of each dataset's ratings and artifacts; 1 is perfect agreement, "
        "0 no more than chance.",
        labels=[d.name for d in datasets],
        series=[
            svg.Series("rating (1–10), interval α", [d.rating_alpha for d in datasets], "series-0"),
            svg.Series("artifacts (0–5), ordinal α", [d.artifacts_alpha for d in datasets], "series-1"),
        ],
        x_label="Krippendorff's α",
        empty="No agreement yet: it needs images rated by two raters or more.",
        domain=(low, 1.0),
        guides=[(KRIPPENDORFF_TENTATIVE, ".667"), (KRIPPENDORFF_RELIABLE, ".8")],
        number="{:.3f}",
        table_head=["dataset", "rating α (interval)", "artifacts α (ordinal)"],
    )


def _dataset_figures(dataset: stats.DatasetFigures) -> list[svg.Figure]:
    wanted = settings.RATINGS_PER_IMAGE
    progress_labels = [str(k) for k in range(wanted)] + [f"{wanted}+"]
    return [
        svg.bar_chart(
            slug=f"ratings-{dataset.slug}",
            title=f"Ratings given: {dataset.name}",
            summary=f"How many counted ratings of {dataset.name} gave each score from 1 to 10.",
            categories=[str(v) for v in stats.RATING_VALUES],
            series=[svg.Series("ratings", dataset.rating_histogram, "series-0")],
            x_label="rating (1 terrible, 10 masterpiece)",
            y_label="ratings",
            empty=NO_RATINGS,
            table_head=["rating", "ratings"],
        ),
        svg.bar_chart(
            slug=f"artifacts-{dataset.slug}",
            title=f"Artifacts given: {dataset.name}",
            summary=f"How many counted ratings of {dataset.name} gave each artifacts score from 0 to 5.",
            categories=[str(v) for v in stats.ARTIFACTS_VALUES],
            series=[svg.Series("ratings", dataset.artifacts_histogram, "series-1")],
            x_label="artifacts (0 flawless, 5 garbage)",
            y_label="ratings",
            empty=NO_RATINGS,
            table_head=["artifacts", "ratings"],
        ),
        svg.bar_chart(
            slug=f"progress-{dataset.slug}",
            title=f"The queue's progress: {dataset.name}",
            summary=f"How many images of {dataset.name} have 0, 1, … {wanted} or more counted ratings; "
            f"an image leaves the queue at {wanted}.",
            categories=progress_labels,
            series=[svg.Series("images", dataset.images_by_ratings, "series-2")],
            x_label="counted ratings per image",
            y_label="images",
            empty="No images yet.",
            table_head=["counted ratings", "images"],
        ),
    ]


def _top_raters(top: list[tuple[str, int]]) -> svg.Figure:
    return svg.horizontal_bars(
        slug="top-raters",
        title=f"Top {stats.TOP_RATERS_SHOWN} raters",
        summary="The raters with the most counted ratings, most first.",
        labels=[name for name, _ in top],
        series=[svg.Series("counted ratings", [count for _, count in top], "series-0")],
        x_label="counted ratings",
        empty=NO_RATINGS,
        table_head=["rater", "counted ratings"],
    )


def _weights(counts: list[int]) -> svg.Figure:
    buckets = stats.WEIGHT_BUCKETS
    edges = [f"{n / buckets:g}" for n in range(buckets + 1)]
    return svg.bar_chart(
        slug="weights",
        title="Raters' reliability weights",
        summary="How many raters have each reliability weight, in steps of 0.1 from 0 (ignored) to 1 (as reliable "
        "as the raters overall, or more).",
        categories=[f"{edges[n]}–{edges[n + 1]}" for n in range(buckets)],
        series=[svg.Series("raters", counts, "series-3")],
        x_label="weight",
        y_label="raters",
        empty="No weights yet: the weights job has not run.",
        edge_labels=edges,
        label_every=2,
        table_head=["weight", "raters"],
    )


def _scatter(scatter: stats.Scatter) -> svg.Figure:
    by_human: dict[int, list[float]] = {}
    for human, predicted in scatter.points:
        by_human.setdefault(min(int(human), 9), []).append(predicted)
    rows = [
        [f"{low} to {low + 1}", str(len(scores)), f"{sum(scores) / len(scores):.2f}"]
        for low, scores in sorted(by_human.items())
    ]
    return svg.scatter(
        slug="predicted-vs-human",
        title="Predicted score and human ratings",
        summary="Each dot is an image: across, the mean of its counted ratings; up, the predictor's score. "
        "Dots near the diagonal are images the predictor scores as people do.",
        points=scatter.points,
        x_label="human mean rating",
        y_label="predicted score",
        empty="No image has both counted ratings and a predicted score yet.",
        table_head=["human mean rating", "images", "mean predicted score"],
        table_rows=rows,
    )
