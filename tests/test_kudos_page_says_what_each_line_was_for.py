"""/kudos/ says what each ledger line was for (a dataset rating, a best-of pick, a generation set with a link to
it) and marks the lines the Horde paid itself "paid by the Horde"; a page of mixed lines costs a fixed number of
queries."""

import re
import uuid

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ratings_site.generations.models import GenerationSet, Source
from ratings_site.kudos.services import record_best_pick_reward, record_horde_paid
from ratings_site.raters.models import Rater
from tests.conftest import DEMO_KEY
from tests.helpers import rate_via_page

pytestmark = pytest.mark.django_db(transaction=True)


def _rows(html: str) -> list[tuple[str, str, str]]:
    """(what the line was for, as text; its kind; its status as shown) for each ledger row."""
    rows = []
    for row in re.findall(r"<tr>\s*<td>.*?</tr>", html, flags=re.S):
        kind, for_html = re.search(r'data-testid="ledger-for" data-kind="(\w+)">(.*?)</td>', row, flags=re.S).groups()
        status = re.search(r'<span class="status \w+">([^<]*)</span>', row).group(1)
        rows.append((re.sub(r"<[^>]+>", "", for_html).strip(), kind, status))
    return rows


def _testid(html: str, name: str) -> str:
    return re.search(rf'data-testid="{name}">([^<]*)<', html).group(1)


def _add_mixed_lines(client, rater: Rater, make_images, count: int) -> list[str]:
    """`count` lines of each kind; returns the generation sets' request ids."""
    for image in make_images(count):
        rate_via_page(client, image)
    request_ids = []
    for n in range(count):
        record_best_pick_reward(rater=rater, subject=f"group-{uuid.uuid4().hex}")
        generation_set = GenerationSet.objects.create(request_id=str(uuid.uuid4()), rater=rater, source=Source.PAGE)
        record_horde_paid(rater=rater, generation_set=generation_set, amount=10 + n)
        request_ids.append(generation_set.request_id)
    return request_ids


def test_each_line_says_what_it_was_for(login, make_images):
    client = login(DEMO_KEY)
    rater = Rater.objects.get(horde_id=1001)
    [request_id] = _add_mixed_lines(client, rater, make_images, 1)

    html = client.get("/kudos/").content.decode()

    assert sorted(_rows(html)) == sorted(
        [
            ("Rating a dataset image (Test-Set, rated 7)", "rating", "pending"),
            ("Best of a prompt group", "best_pick", "pending"),
            (f"Your generations {request_id}", "generation_set", "paid by the Horde"),
        ]
    )
    assert f'<a href="/generations/{request_id}/" class="request-id">{request_id}</a>' in html
    assert '<span class="status horde">paid by the Horde</span>' in html


def test_the_totals_count_what_the_horde_paid_as_paid(login, make_images):
    client = login(DEMO_KEY)
    rater = Rater.objects.get(horde_id=1001)
    _add_mixed_lines(client, rater, make_images, 1)

    html = client.get("/kudos/").content.decode()

    assert (_testid(html, "pending"), _testid(html, "paid"), _testid(html, "failed")) == ("10", "10", "0")
    assert _testid(html, "paid-by-the-horde") == "10 of them paid by the Horde, for rating your generations"


def test_without_lines_the_horde_paid_no_note_is_shown(login, make_images):
    client = login(DEMO_KEY)
    rate_via_page(client, make_images(1)[0])

    html = client.get("/kudos/").content.decode()

    assert 'data-testid="paid-by-the-horde"' not in html


def _queries(client) -> int:
    cache.clear()  # the balance is asked of the Horde each time, as on a first visit
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/kudos/").status_code == 200
    return len(captured)


def test_a_page_of_mixed_lines_costs_as_many_queries_as_a_page_of_three(
    login, make_images, django_assert_num_queries
):
    client = login(DEMO_KEY)
    rater = Rater.objects.get(horde_id=1001)
    _add_mixed_lines(client, rater, make_images, 1)
    few = _queries(client)

    _add_mixed_lines(client, rater, make_images, 5)
    cache.clear()
    with django_assert_num_queries(few):
        html = client.get("/kudos/").content.decode()

    assert len(_rows(html)) == 18
