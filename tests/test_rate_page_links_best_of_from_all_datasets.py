"""The best-of pages are linked from the rate page with "All datasets" selected too, not only after picking a
dataset: one link per public dataset with prompt groups still wanting picks, none for the others, in one query
however many datasets there are."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ratings_site.bestof.models import PromptGroup
from ratings_site.datasets.models import Dataset
from tests.bestof_helpers import make_prompt_groups
from tests.conftest import DEMO_KEY

# No check image drawn at random (CAPTCHA_RATE): its draw is one more query on some pages, not on others.
pytestmark = pytest.mark.usefixtures("no_captchas")
LINKS = re.compile(r'<a href="(/rate/[^"]+/best/)" data-testid="best-of-link">([^<]+)</a>')


def _best_of_links(html: str) -> list[tuple[str, str]]:
    return LINKS.findall(html)


def test_all_datasets_links_each_dataset_that_has_prompt_groups(login, make_images):
    client = login(DEMO_KEY)
    make_prompt_groups(1, dataset="best-set")
    make_prompt_groups(1, dataset="other-set")
    make_prompt_groups(1, dataset="done-set")
    PromptGroup.objects.filter(dataset__slug="done-set").update(wants_picks=False)  # every group has its picks
    make_prompt_groups(1, dataset="private-set")
    Dataset.objects.filter(slug="private-set").update(public=False)
    make_images(1, dataset="plain-set")  # no prompt groups at all

    html = client.get("/rate/").content.decode()

    assert _best_of_links(html) == [("/rate/best-set/best/", "Best Set"), ("/rate/other-set/best/", "Other Set")]
    assert "Best of a prompt in" in html


def test_a_datasets_page_links_its_own_best_of_page_only(login):
    client = login(DEMO_KEY)
    make_prompt_groups(1, dataset="best-set")
    make_prompt_groups(1, dataset="other-set")

    html = client.get("/rate/best-set/").content.decode()

    assert re.findall(r'href="(/rate/[^"]+/best/)"', html) == ["/rate/best-set/best/"]


def test_the_links_cost_one_query_however_many_datasets(login):
    client = login(DEMO_KEY)
    client.get("/rate/")  # the welcome message is shown and gone
    make_prompt_groups(1, dataset="best-set")
    with_one = _queries(client)
    for n in range(4):
        make_prompt_groups(1, dataset=f"more-set-{n}")

    with_five = _queries(client)

    assert len(with_five) == len(with_one)
    assert len([sql for sql in with_five if "bestof_promptgroup" in sql]) == 1


def _queries(client) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        html = client.get("/rate/").content.decode()
    assert _best_of_links(html)
    return [query["sql"] for query in captured.captured_queries]
