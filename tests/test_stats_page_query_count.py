"""/stats/ sends a fixed number of queries however many datasets, raters, days and rated images there are: each
figure is read from counters or one bounded query (figures.stats), never one query per dataset or per rater."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from ratings_site.datasets.models import Image
from ratings_site.predictor.models import AestheticScore, PredictorVersion
from ratings_site.ratings.models import Rating
from ratings_site.reliability.models import DailyRatings
from tests.stats_data import dataset_with_agreement, jobs_ran_at, weighted_rater

pytestmark = pytest.mark.django_db

# The figures' queries: when they were computed, the datasets with their agreement, ratings per day, top raters,
# the weight histogram, the current predictor and the scatter's points.
PUBLIC_QUERIES = 7
# A moderator's page adds the user and the suspect raters (the session is read through the cache, cached_db; the
# header's counters are on the rater's row).
MODERATOR_QUERIES = PUBLIC_QUERIES + 2


def _fill(*, datasets: int, raters: int, days: int, rated_images: int, make_images) -> None:
    today = timezone.now().date()
    for d in range(datasets):
        dataset = dataset_with_agreement(f"set-{d}")
        DailyRatings.objects.bulk_create(
            DailyRatings(day=today - timedelta(days=n), dataset=dataset, ratings=n + d) for n in range(days)
        )
    people = [
        weighted_rater(f"Rater{n}#{7000 + n}", weight=n / max(raters, 1), ratings_count=25 + n, horde_id=7000 + n)
        for n in range(raters)
    ]
    version = PredictorVersion.objects.create(
        name="v", clip_model="tiny", embedding_dim=32, head_file="x", head_sha256="0" * 64, is_current=True
    )
    for n, image in enumerate(make_images(rated_images, dataset="set-0")):
        Rating.objects.create(rater=people[n % len(people)], image=image, rating=1 + n % 10)
        Image.objects.filter(pk=image.pk).update(ratings_count=1, rating_sum=1 + n % 10)
        AestheticScore.objects.create(image=image, version=version, score=1 + n % 10)
    jobs_ran_at()


@pytest.mark.parametrize("size", [1, 12])
def test_the_public_page_sends_the_same_queries_at_any_size(size, make_images, django_assert_num_queries):
    _fill(datasets=size, raters=3 * size, days=8 * size, rated_images=5 * size, make_images=make_images)
    client = Client()

    with django_assert_num_queries(PUBLIC_QUERIES):
        response = client.get("/stats/")

    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('data-testid="dataset-set-') == size
    assert html.count('class="point"') == 5 * size


@pytest.mark.parametrize("size", [1, 12])
def test_a_moderators_page_sends_the_same_queries_at_any_size(
    size, make_images, moderator_client, django_assert_num_queries
):
    _fill(datasets=size, raters=3 * size, days=8 * size, rated_images=5 * size, make_images=make_images)

    with django_assert_num_queries(MODERATOR_QUERIES):
        response = moderator_client.get("/stats/")

    assert response.status_code == 200
    assert response.content.decode().count('data-testid="suspect"') == min(3 * size, 10)
