"""Moderators see the current predictor's score beside the human mean in the image list, without N+1 queries."""

from ratings_site.datasets.models import Image
from ratings_site.predictor.models import AestheticScore, PredictorVersion


def _version(name: str, current: bool) -> PredictorVersion:
    return PredictorVersion.objects.create(
        name=name, clip_model="tiny", embedding_dim=32, head_file="x", head_sha256="0" * 64, is_current=current
    )


def test_the_image_list_shows_the_current_predicted_score(moderator_client, make_images):
    images = make_images(3)
    Image.objects.filter(pk=images[0].pk).update(ratings_count=2, rating_sum=13)
    old, current = _version("old", False), _version("new", True)
    AestheticScore.objects.create(image=images[0], version=old, score=1.11)
    AestheticScore.objects.create(image=images[0], version=current, score=7.25)
    html = moderator_client.get("/admin/datasets/image/").content.decode()
    assert "7.25" in html  # current version's prediction
    assert "1.11" not in html  # not an old version's
    assert "6.50" in html  # the human mean beside it


def test_the_image_list_query_count_does_not_grow_with_images(
    moderator_client, make_images, django_assert_max_num_queries
):
    version = _version("v", True)
    for image in make_images(5):
        AestheticScore.objects.create(image=image, version=version, score=5.0)
    with django_assert_max_num_queries(12) as few:
        moderator_client.get("/admin/datasets/image/")
    for image in make_images(40):
        AestheticScore.objects.create(image=image, version=version, score=5.0)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert moderator_client.get("/admin/datasets/image/").status_code == 200


def test_the_image_page_lists_the_scores_of_every_version(moderator_client, make_images):
    (image,) = make_images(1)
    AestheticScore.objects.create(image=image, version=_version("old", False), score=3.5)
    AestheticScore.objects.create(image=image, version=_version("new", True), score=8.75)
    html = moderator_client.get(f"/admin/datasets/image/{image.pk}/change/").content.decode()
    assert "3.5" in html and "8.75" in html
