"""The stats page's pictures say what the numbers say: each bar's height is proportional to its count on a shared
scale, the axes are labelled, each picture is an accessible image with its numbers in a table, and a figure with
nothing to show says so instead of drawing empty axes."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from ratings_site.reliability.models import DailyRatings
from tests.stats_data import dataset_with_agreement, jobs_ran_at, weighted_rater

pytestmark = pytest.mark.django_db


def _figure(html: str, slug: str) -> str:
    found = re.search(rf'<figure class="chart" data-testid="figure-{re.escape(slug)}".*?</figure>', html, re.S)
    assert found, slug
    return found.group(0)


def _bars(figure: str) -> list[tuple[float, float, str]]:
    """(height, bottom edge, tooltip) of each bar, left to right."""
    return [
        (float(h), float(y) + float(h), tip)
        for y, h, tip in re.findall(
            r'<rect x="[^"]+" y="([^"]+)" width="[^"]+" height="([^"]+)"[^>]*><title>([^<]*)<', figure
        )
    ]


def _texts(figure: str) -> list[str]:
    return re.findall(r"<text [^>]*>([^<]*)</text>", figure)


def _page() -> str:
    response = Client().get("/stats/")
    assert response.status_code == 200
    return response.content.decode()


def test_histogram_bars_are_as_high_as_their_counts_on_one_scale():
    counts = [0, 3, 6, 12, 24, 12, 6, 3, 0, 48]
    dataset_with_agreement("laion", rating_histogram=counts)
    jobs_ran_at()

    figure = _figure(_page(), "ratings-laion")

    bars = _bars(figure)
    assert [tip for _, _, tip in bars] == [f"{v}: {c}" for v, c in zip(range(1, 11), counts, strict=True) if c]
    heights = [h for h, _, _ in bars]
    unit = heights[-1] / 48
    assert heights == pytest.approx([c * unit for c in counts if c], abs=0.15)
    assert len({bottom for _, bottom, _ in bars}) == 1  # all standing on the same axis
    # The table gives every count, the zeros too.
    assert re.findall(r'<th scope="row">(\d+)</th><td class="num">(\d+)</td>', figure) == [
        (str(v), str(c)) for v, c in zip(range(1, 11), counts, strict=True)
    ]


def test_axes_are_labelled_and_each_picture_is_an_accessible_image():
    dataset_with_agreement("laion")
    jobs_ran_at()

    figure = _figure(_page(), "ratings-laion")

    texts = _texts(figure)
    assert texts[-1] == "rating (1 terrible, 10 masterpiece)"
    assert "↑ ratings" in texts
    assert [str(v) for v in range(1, 11)] == [t for t in texts if t in {str(v) for v in range(1, 11)}][-10:]
    assert re.search(r'<svg viewBox="0 0 \d+ \d+" role="img" aria-label="[^"]+"', figure)
    assert "<title>Ratings given: Laion</title>" in figure
    assert "<figcaption" in figure and "<details" in figure and "<table" in figure


def test_the_queue_progress_counts_images_with_no_ratings_from_the_dataset_size(settings):
    settings.RATINGS_PER_IMAGE = 3
    # Of 100 images: 10 with one counted rating, 20 with two, 30 with three, 5 with four (more than wanted).
    dataset_with_agreement("laion", image_count=100, ratings_per_image=[10, 20, 30, 5])
    jobs_ran_at()

    figure = _figure(_page(), "progress-laion")

    rows = re.findall(r'<th scope="row">([^<]+)</th><td class="num">(\d+)</td>', figure)
    assert rows == [("0", "35"), ("1", "10"), ("2", "20"), ("3+", "35")]
    heights = [h for h, _, _ in _bars(figure)]
    assert heights[0] == pytest.approx(heights[3], abs=0.1) and heights[2] == pytest.approx(2 * heights[1], abs=0.1)


def test_ratings_per_day_stack_the_datasets_day_by_day():
    today = timezone.now().date()
    first, second = dataset_with_agreement("first"), dataset_with_agreement("second")
    DailyRatings.objects.create(day=today, dataset=first, ratings=30)
    DailyRatings.objects.create(day=today, dataset=second, ratings=10)
    DailyRatings.objects.create(day=today - timedelta(days=1), dataset=first, ratings=20)
    DailyRatings.objects.create(day=today - timedelta(days=200), dataset=first, ratings=999)  # too old to show
    jobs_ran_at()

    figure = _figure(_page(), "ratings-per-day")

    bars = _bars(figure)
    assert len(bars) == 3
    yesterday, today_first, today_second = bars
    assert today_first[0] == pytest.approx(3 * today_second[0], abs=0.1)
    assert yesterday[0] == pytest.approx(2 * today_second[0], abs=0.1)
    assert today_second[1] == pytest.approx(today_first[1] - today_first[0], abs=0.1)  # stacked on top
    assert "999" not in figure
    assert "First" in figure and "Second" in figure  # the legend


def test_agreement_bars_start_at_zero_and_say_when_there_is_none_yet():
    dataset_with_agreement("agreed", rating_alpha=0.8, artifacts_alpha=0.4)
    dataset_with_agreement("unknown", rating_alpha=None, artifacts_alpha=None)
    jobs_ran_at()

    figure = _figure(_page(), "agreement")

    widths = [float(w) for w in re.findall(r'<rect x="[^"]+" y="[^"]+" width="([^"]+)"', figure)]
    assert len(widths) == 2 and widths[0] == pytest.approx(2 * widths[1], abs=0.2)
    assert _texts(figure).count("n/a") == 2
    assert re.search(r'<th scope="row">Unknown</th><td class="num">n/a</td><td class="num">n/a</td>', figure)
    assert "0.667" in _page() and "0.800" in _page()  # Krippendorff's reading guide


def test_the_weight_histogram_buckets_the_weights_in_tenths():
    for n, weight in enumerate([0.0, 0.05, 0.15, 0.95, 1.0, 1.3]):
        weighted_rater(f"R{n}#{8000 + n}", weight=weight, ratings_count=30, horde_id=8000 + n)
    jobs_ran_at()

    figure = _figure(_page(), "weights")

    rows = re.findall(r'<th scope="row">([^<]+)</th><td class="num">(\d+)</td>', figure)
    assert [count for _, count in rows] == ["2", "1", "0", "0", "0", "0", "0", "0", "0", "3"]
    assert rows[0][0] == "0–0.1" and rows[-1][0] == "0.9–1"


def test_empty_tables_say_no_ratings_yet_instead_of_drawing():
    dataset_with_agreement(
        "fresh",
        rating_alpha=None,
        artifacts_alpha=None,
        rating_histogram=[],
        artifacts_histogram=[],
        ratings_per_image=[],
    )

    html = _page()

    for slug in ["ratings-per-day", "ratings-fresh", "artifacts-fresh", "top-raters"]:
        figure = _figure(html, slug)
        assert "No ratings yet." in figure and "<svg" not in figure, slug
    assert "<svg" in _figure(html, "progress-fresh")  # its 20 images, none rated yet
    assert "No agreement yet" in _figure(html, "agreement")
    assert "No weights yet" in _figure(html, "weights")
    assert 'data-testid="no-predictor"' in html
    assert "The figures have not been computed yet." in html


def test_a_site_without_datasets_says_so():
    html = _page()

    assert 'data-testid="no-datasets"' in html
    assert "No ratings yet." in _figure(html, "ratings-per-day")


def test_a_negative_agreement_draws_left_of_zero_on_a_longer_axis():
    dataset_with_agreement("disputed", rating_alpha=-0.2, artifacts_alpha=0.6)
    jobs_ran_at()

    figure = _figure(_page(), "agreement")

    (negative, positive) = [
        (float(x), float(w)) for x, w in re.findall(r'<rect x="([^"]+)" y="[^"]+" width="([^"]+)"', figure)
    ]
    assert negative[0] + negative[1] == pytest.approx(positive[0], abs=0.2)  # both bars meet at zero
    assert positive[1] == pytest.approx(3 * negative[1], abs=0.2)
