"""/generations/ lists the rater's sets newest first, 50 a page, in a fixed number of queries."""

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ratings_site.generations.models import GenerationImage, GenerationSet, Source
from ratings_site.raters.models import Rater
from tests.conftest import DEMO_KEY


def make_sets(rater: Rater, count: int) -> list[GenerationSet]:
    sets = GenerationSet.objects.bulk_create(
        GenerationSet(request_id=str(uuid.uuid4()), rater=rater, source=Source.PAGE) for _ in range(count)
    )
    GenerationImage.objects.bulk_create(
        GenerationImage(generation_set=s, generation_id=str(uuid.uuid4()), position=n, url=f"https://img.example.org/{n}.webp")
        for s in sets
        for n in range(4)
    )
    return sets


def queries_for(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.django_db
def test_the_list_costs_the_same_queries_for_two_sets_or_fifty(login, django_assert_num_queries):
    client = login(DEMO_KEY)
    rater = Rater.objects.get(horde_id=1001)
    make_sets(rater, 2)
    few = queries_for(client, "/generations/")
    make_sets(rater, 120)

    with django_assert_num_queries(few):
        response = client.get("/generations/")
    with django_assert_num_queries(few):
        client.get("/generations/?page=3")

    assert response.content.decode().count('class="gen-set-row"') == 50


@pytest.mark.django_db
def test_the_list_is_newest_first_and_only_the_raters_own(login):
    client = login(DEMO_KEY)
    rater = Rater.objects.get(horde_id=1001)
    other = Rater.objects.create(username="Other#77", horde_id=77)
    older, newer = make_sets(rater, 2)
    GenerationSet.objects.filter(pk=older.pk).update(created_at=newer.created_at.replace(year=2020))
    [foreign] = make_sets(other, 1)

    page = client.get("/generations/").content.decode()

    assert page.index(newer.request_id) < page.index(older.request_id)
    assert foreign.request_id not in page
