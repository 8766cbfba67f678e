"""The stats page shows moderators a scatter of the predicted score against the human mean."""

import re

import pytest
from django.test import Client

from ratings_site.datasets.models import Image
from ratings_site.predictor.models import AestheticScore, PredictorVersion
from ratings_site.raters.models import Rater
from tests.conftest import DEMO_KEY


@pytest.fixture
def moderator_client(db) -> Client:
    client = Client()
    client.force_login(Rater.objects.create_user("mod", is_staff=True))
    return client


def test_it_plots_one_point_per_rated_scored_image_and_gives_pearson(moderator_client, make_images):
    version = PredictorVersion.objects.create(
        name="v", clip_model="tiny", embedding_dim=32, head_file="x", head_sha256="0" * 64, is_current=True
    )
    images = make_images(6)
    for n, image in enumerate(images[:5], start=1):
        Image.objects.filter(pk=image.pk).update(ratings_count=1, rating_sum=n * 2)
        AestheticScore.objects.create(image=image, version=version, score=n * 2 - 0.5)
    AestheticScore.objects.create(image=images[5], version=version, score=9.0)  # scored but never rated: no point
    html = moderator_client.get("/stats/").content.decode()
    assert len(re.findall(r'<circle [^>]*class="point"', html)) == 5
    assert re.search(r'data-testid="pearson">1\.000<', html)


def test_it_says_when_no_predictor_has_run(moderator_client):
    assert 'data-testid="no-predictor"' in moderator_client.get("/stats/").content.decode()


def test_raters_who_are_not_moderators_cannot_see_it(login):
    response = login(DEMO_KEY).get("/stats/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_it_says_when_only_the_most_recent_rated_images_are_plotted(moderator_client, make_images, monkeypatch):
    monkeypatch.setattr("ratings_site.moderation.stats.SCATTER_POINTS", 3)
    version = PredictorVersion.objects.create(
        name="v", clip_model="tiny", embedding_dim=32, head_file="x", head_sha256="0" * 64, is_current=True
    )
    images = make_images(4)
    for n, image in enumerate(images, start=1):
        Image.objects.filter(pk=image.pk).update(ratings_count=1, rating_sum=n)
        AestheticScore.objects.create(image=image, version=version, score=n)
    html = moderator_client.get("/stats/").content.decode()
    assert len(re.findall(r'<circle [^>]*class="point"', html)) == 3
    assert 'data-testid="capped">The 3 most recently added rated images<' in html
    monkeypatch.setattr("ratings_site.moderation.stats.SCATTER_POINTS", 5)
    html = moderator_client.get("/stats/").content.decode()
    assert "4 rated images" in html and 'data-testid="capped"' not in html
