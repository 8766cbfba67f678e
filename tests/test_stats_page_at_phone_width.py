"""/stats/ reads on a 390 px phone and on small laptop screens: no sideways scroll, every figure drawn within the
screen with its text at a legible size, and the moderators' table of suspects scrolls inside its own box."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from ratings_site.reliability.models import DailyRatings
from tests.browser_fixtures import PHONE, browser, log_in, open_page  # noqa: F401 (fixtures)
from tests.conftest import MODERATOR_KEY
from tests.stats_data import dataset_with_agreement, jobs_ran_at, weighted_rater

pytestmark = pytest.mark.django_db(transaction=True)

LAPTOPS = [{"width": 1366, "height": 768}, {"width": 1280, "height": 720}]
SMALLEST_TEXT_PX = 10


@pytest.fixture
def figures() -> None:
    """A busy site: datasets with long names, 90 days of ratings, raters with long names, suspects."""
    today = timezone.now().date()
    for d in range(3):
        dataset = dataset_with_agreement(
            f"laion-aesthetics-v2-{d}-with-a-long-name",
            image_count=1_200_000,
            rating_histogram=[10_000 * (v + d) for v in range(10)],
            ratings_per_image=[200_000, 150_000, 90_000, 40_000, 300_000, 1_000],
        )
        DailyRatings.objects.bulk_create(
            DailyRatings(day=today - timedelta(days=n), dataset=dataset, ratings=1000 + 37 * n * (d + 1))
            for n in range(90)
        )
    for n in range(12):
        name = f"AVeryLongHordeUsernameIndeed{n}#{100000 + n}"
        weighted_rater(name, weight=n / 12, ratings_count=100_000 - n, horde_id=100000 + n)
    jobs_ran_at()


def _no_sideways_scroll(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") == 0


def _figures_fit_and_read(page: Page, viewport_width: int) -> None:
    charts = page.locator("figure.chart svg")
    assert charts.count() >= 4 + 3 * 3
    for n in range(charts.count()):
        chart = charts.nth(n)
        chart.scroll_into_view_if_needed()
        expect(chart).to_be_visible()
        box = chart.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= viewport_width, n
        assert box["width"] >= 250, n
    cut_off = page.evaluate(
        """[...document.querySelectorAll('figure.chart svg')].flatMap(svg => {
            const box = svg.getBoundingClientRect();
            return [...svg.querySelectorAll('text')].filter(t => {
                const r = t.getBoundingClientRect();
                return r.left < box.left - 0.5 || r.right > box.right + 0.5;
            }).map(t => t.textContent);
        })"""
    )
    assert cut_off == []  # every label is read whole within its figure (long ones end in "…")
    smallest = page.evaluate(
        "Math.min(...[...document.querySelectorAll('figure.chart svg text')].map(t => t.getBoundingClientRect().height))"
    )
    assert smallest >= SMALLEST_TEXT_PX


def test_a_phone_reads_every_figure_without_sideways_scroll(open_page, figures):
    page = open_page(viewport=PHONE)
    page.goto("/stats/")

    expect(page.get_by_role("heading", name="Stats", exact=True)).to_be_visible()
    expect(page.get_by_role("img", name="Bars of the counted ratings made on each of the last 90 days")).to_be_visible()
    _no_sideways_scroll(page)
    _figures_fit_and_read(page, PHONE["width"])
    page.get_by_text("The numbers").first.click()  # the table opened stays within the screen too
    _no_sideways_scroll(page)


@pytest.mark.parametrize("viewport", LAPTOPS, ids=lambda v: f"{v['width']}x{v['height']}")
def test_small_laptop_screens_read_every_figure(open_page, figures, viewport):
    page = open_page(viewport=viewport)
    page.goto("/stats/")

    _no_sideways_scroll(page)
    _figures_fit_and_read(page, viewport["width"])


def test_a_moderator_on_a_phone_scrolls_the_suspects_table_not_the_page(open_page, figures):
    page = open_page(viewport=PHONE)
    log_in(page, MODERATOR_KEY)
    page.goto("/stats/")

    suspects = page.get_by_test_id("suspect-raters")
    expect(suspects).to_be_visible()
    expect(suspects.get_by_role("link", name="AVeryLongHordeUsernameIndeed0#100000")).to_be_visible()
    _no_sideways_scroll(page)
