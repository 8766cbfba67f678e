"""An image deleted outright (an admin's delete, a queryset delete of a dataset's images) takes its share out of its
dataset's agreement figures and its ratings out of the ratings per day at the next incremental run, as a rebuild
and a direct count give: its unit outlives it until then. A queryset delete marks all its images in one query, so
that deleting many images costs the same number of queries as deleting a few."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ratings_site.datasets.models import Dataset, Image
from ratings_site.reliability.models import AgreementUnit, StaleUnit
from tests.agreement_helpers import direct, kept_equals_rebuilt_equals_direct, quick_ratings  # noqa: F401 (fixture)
from tests.moderation_helpers import horde_rater, rate

pytestmark = pytest.mark.usefixtures("no_captchas", "quick_ratings")


@pytest.fixture
def raters():
    return [horde_rater() for _ in range(3)]


def _rated(make_images, raters, count: int, dataset: str) -> list[Image]:
    images = make_images(count, dataset=dataset)
    for i, image in enumerate(images):
        for j, rater in enumerate(raters):
            rate(rater, image, 1 + (i + 2 * j) % 10, (i + j) % 6)
    return images


def test_an_image_deleted_outright_is_taken_out_at_the_next_run(make_images, raters):
    images = _rated(make_images, raters, 5, "set-a") + _rated(make_images, raters, 3, "set-b")
    kept_equals_rebuilt_equals_direct()
    gone = images[1]

    Image.objects.get(pk=gone.pk).delete()  # as the admin's delete page does
    assert AgreementUnit.objects.filter(image_id=gone.pk).exists()  # outlives its image, to be taken out
    assert StaleUnit.objects.filter(image_id=gone.pk).exists()

    kept_equals_rebuilt_equals_direct()
    assert not AgreementUnit.objects.filter(image_id=gone.pk).exists()


def _queries_of_deleting(images: list[Image]) -> int:
    with CaptureQueriesContext(connection) as queries:
        Image.objects.filter(pk__in=[image.pk for image in images]).delete()
    return len(queries)


def test_a_queryset_delete_of_many_images_is_taken_out_and_costs_what_a_few_cost(make_images, raters):
    few = _rated(make_images, raters, 2, "set-a")
    many = _rated(make_images, raters, 12, "set-a")
    kept = _rated(make_images, raters, 4, "set-a") + _rated(make_images, raters, 2, "set-b")
    kept_equals_rebuilt_equals_direct()

    # One mark query for the whole delete (it was one a rating). Django deletes ratings 100 rows a statement: 36 here.
    assert _queries_of_deleting(many) == _queries_of_deleting(few)
    assert StaleUnit.objects.count() == len(few) + len(many)

    kept_equals_rebuilt_equals_direct()
    assert set(AgreementUnit.objects.values_list("image_id", flat=True)) == {image.pk for image in kept}


def test_a_dataset_deleted_with_its_images_leaves_the_others_exact(make_images, raters):
    _rated(make_images, raters, 4, "set-a")
    _rated(make_images, raters, 3, "set-b")
    kept_equals_rebuilt_equals_direct()

    Dataset.objects.filter(slug="set-b").delete()

    kept_equals_rebuilt_equals_direct()
    assert set(direct()) == {Dataset.objects.get(slug="set-a").pk}
