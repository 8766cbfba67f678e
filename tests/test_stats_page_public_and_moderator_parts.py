"""/stats/ is public: anyone, logged in or not, sees the figures; only moderators see the suspect raters (the lowest
reliability weights among raters with enough counted ratings, each linked to their rater page). A rater who opted
out of the top raters is never listed there."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from ratings_site.figures.stats import SUSPECT_MIN_RATINGS
from ratings_site.moderation.admin_raters import rater_page_url
from tests.conftest import DEMO_KEY, MODERATOR_KEY, admin_login
from tests.stats_data import dataset_with_agreement, jobs_ran_at, weighted_rater

pytestmark = pytest.mark.django_db

FIGURES = ["ratings-per-day", "agreement", "top-raters", "weights"]


@pytest.fixture
def raters() -> dict:
    """Twelve busy raters with good weights, a suspect with enough ratings to judge, and a newcomer with a low
    weight and too few ratings to be called a suspect."""
    dataset_with_agreement("laion-aesthetics")
    busy = [
        weighted_rater(f"Busy{n}#{5000 + n}", weight=0.9, ratings_count=1000 - n, horde_id=5000 + n) for n in range(12)
    ]
    suspect = weighted_rater("Sloppy#6001", weight=0.05, ratings_count=SUSPECT_MIN_RATINGS + 5, horde_id=6001)
    second = weighted_rater("Careless#6002", weight=0.2, ratings_count=SUSPECT_MIN_RATINGS, horde_id=6002)
    newcomer = weighted_rater("Newcomer#6003", weight=0.01, ratings_count=SUSPECT_MIN_RATINGS - 1, horde_id=6003)
    jobs_ran_at()
    return {"busy": busy, "suspect": suspect, "second": second, "newcomer": newcomer}


def _suspect_rows(html: str) -> list[tuple[str, str]]:
    """(link, username) of each suspect row, in the page's order."""
    return re.findall(r'<tr data-testid="suspect">\s*<th scope="row"><a href="([^"]+)">([^<]+)</a>', html)


def test_anyone_sees_the_figures_without_logging_in(raters):
    response = Client().get("/stats/")

    assert response.status_code == 200
    html = response.content.decode()
    for slug in [*FIGURES, "ratings-laion-aesthetics", "artifacts-laion-aesthetics", "progress-laion-aesthetics"]:
        assert f'data-testid="figure-{slug}"' in html, slug
    assert 'role="img"' in html
    assert 'data-testid="suspect-raters"' not in html
    assert "Sloppy#6001" not in html


def test_a_rater_who_is_not_a_moderator_sees_the_figures_but_no_suspects(raters, login):
    html = login(DEMO_KEY).get("/stats/").content.decode()

    assert 'data-testid="figure-top-raters"' in html
    assert 'data-testid="suspect-raters"' not in html
    assert _suspect_rows(html) == []


def test_a_moderator_sees_the_suspects_lowest_weight_first_with_their_rater_page(raters):
    html = admin_login(MODERATOR_KEY).get("/stats/").content.decode()

    assert 'data-testid="suspect-raters"' in html
    rows = _suspect_rows(html)
    assert rows[:2] == [
        (rater_page_url(raters["suspect"].pk), "Sloppy#6001"),
        (rater_page_url(raters["second"].pk), "Careless#6002"),
    ]
    assert "Newcomer#6003" not in html  # a low weight, but too few ratings to judge
    assert len(rows) == 10


def test_a_rater_who_opted_out_is_not_among_the_top_raters(raters):
    busiest = raters["busy"][0]
    busiest.in_top_raters = False
    busiest.save(update_fields=["in_top_raters"])

    html = Client().get("/stats/").content.decode()

    assert "Busy0#5000" not in html
    for rater in raters["busy"][1:11]:
        assert html.count(rater.username) >= 2, rater.username  # in the picture (its title) and in the table
    assert "Busy11#5011" not in html  # the eleventh that counts: top 10 only


def test_the_top_raters_list_names_and_counts_only(raters):
    html = Client().get("/stats/").content.decode()
    table = html[html.index('data-testid="figure-top-raters"') :]
    table = table[: table.index("</figure>")]

    assert re.search(r'<th scope="row">Busy0#5000</th><td class="num">1,000</td>', table)
    numbers = table[table.index("<table") :]  # its numbers (the drawing's coordinates aside)
    assert "0.9" not in numbers  # the weights are not in it


def test_a_moderator_sees_who_is_not_judged_yet_when_no_one_has_enough_ratings():
    weighted_rater("Newcomer#6003", weight=0.01, ratings_count=SUSPECT_MIN_RATINGS - 1, horde_id=6003)

    html = admin_login(MODERATOR_KEY).get("/stats/").content.decode()

    assert 'data-testid="no-suspects"' in html
