"""The stats page shows everyone a scatter of the predicted score against the human mean of recently rated images
(no personal data in it): a point per image among those of the latest ratings, with Pearson's r."""

import re

import pytest
from django.test import Client

from ratings_site.datasets.models import Image
from ratings_site.predictor.models import AestheticScore, PredictorVersion
from ratings_site.raters.models import Rater
from ratings_site.ratings.models import Rating

pytestmark = pytest.mark.django_db


@pytest.fixture
def version() -> PredictorVersion:
    return PredictorVersion.objects.create(
        name="v", clip_model="tiny", embedding_dim=32, head_file="x", head_sha256="0" * 64, is_current=True
    )


def _rated(image: Image, rating: int) -> None:
    """A counted rating of the image, and its counters as the rating rules keep them."""
    rater = Rater.objects.create_user(f"r{image.pk}", horde_id=9000 + image.pk)
    Rating.objects.create(rater=rater, image=image, rating=rating)
    Image.objects.filter(pk=image.pk).update(ratings_count=1, rating_sum=rating)


def _points(html: str) -> int:
    return len(re.findall(r'<circle [^>]*class="point"', html))


def test_it_plots_one_point_per_rated_scored_image_and_gives_pearson(version, make_images):
    images = make_images(6)
    for n, image in enumerate(images[:5], start=1):
        _rated(image, n * 2)
        AestheticScore.objects.create(image=image, version=version, score=n * 2 - 0.5)
    AestheticScore.objects.create(image=images[5], version=version, score=9.0)  # scored but never rated: no point

    html = Client().get("/stats/").content.decode()

    assert _points(html) == 5
    assert re.search(r'data-testid="pearson">1\.000<', html)


def test_it_says_when_no_predictor_has_run():
    assert 'data-testid="no-predictor"' in Client().get("/stats/").content.decode()


def test_it_says_when_only_the_most_recently_rated_images_are_plotted(version, make_images, monkeypatch):
    monkeypatch.setattr("ratings_site.figures.stats.SCATTER_POINTS", 3)
    for n, image in enumerate(make_images(4), start=1):
        _rated(image, n)
        AestheticScore.objects.create(image=image, version=version, score=n)

    html = Client().get("/stats/").content.decode()

    assert _points(html) == 3
    assert 'data-testid="capped">3 of the most recently rated images<' in html
    monkeypatch.setattr("ratings_site.figures.stats.SCATTER_POINTS", 5)
    html = Client().get("/stats/").content.decode()
    assert "4 recently rated images" in html and 'data-testid="capped"' not in html


def test_it_reads_only_the_images_of_the_latest_ratings(version, make_images, monkeypatch):
    monkeypatch.setattr("ratings_site.figures.stats.SCATTER_RATINGS_READ", 2)
    old, *recent = make_images(3)
    for image in (old, *recent):
        _rated(image, 5)
        AestheticScore.objects.create(image=image, version=version, score=5)

    html = Client().get("/stats/").content.decode()

    assert _points(html) == 2
    assert "2 recently rated images" in html
