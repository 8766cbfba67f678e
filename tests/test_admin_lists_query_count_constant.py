"""Every admin list over a table that grows with the site (images, ratings, skips and reports, check answers,
raters, kudos lines, best-of picks, preferences, check groups, prompt groups) costs the same number of queries with
3N rows as with N: no query per row, no COUNT(*) of the whole table."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ratings_site.bestof.models import BestPick, CheckGroup, ImagePreference, PromptGroup
from ratings_site.datasets.models import Image
from ratings_site.kudos.models import KudosReward
from ratings_site.predictor.models import AestheticScore, PredictorVersion
from ratings_site.raters.models import Rater
from ratings_site.ratings.models import CaptchaAnswer, Rating, Skip

N = 4
_horde_ids = itertools.count(70_000)


def _raters(count: int) -> list[Rater]:
    return Rater.objects.bulk_create(
        Rater(username=f"Rater#{horde_id}", horde_id=horde_id) for horde_id in itertools.islice(_horde_ids, count)
    )


def _images(make_images: Callable, count: int, **fields) -> list[Image]:
    """Images in datasets of their own (each row names its dataset), scored by the current predictor."""
    version = PredictorVersion.objects.filter(is_current=True).first() or PredictorVersion.objects.create(
        name="v", clip_model="tiny", embedding_dim=32, head_file="x", head_sha256="0" * 64, is_current=True
    )
    images = [make_images(1, dataset=f"set-{next(_horde_ids)}", **fields)[0] for _ in range(count)]
    AestheticScore.objects.bulk_create(AestheticScore(image=image, version=version, score=5.0) for image in images)
    return images


def _groups(make_images: Callable, count: int) -> list[tuple[PromptGroup, list[Image]]]:
    groups = []
    for image_a, image_b in zip(*[iter(_images(make_images, 2 * count))] * 2):
        group = PromptGroup.objects.create(
            dataset=image_a.dataset, prompt_key=f"{image_a.pk:064d}", prompt=f"a prompt {image_a.pk}", size=2
        )
        groups.append((group, [image_a, image_b]))
    return groups


def add_images(make_images, count):
    _images(make_images, count)
    _images(make_images, 1, is_captcha=True, captcha_answer=5)


def add_ratings(make_images, count):
    Rating.objects.bulk_create(
        Rating(rater=rater, image=image, rating=7, artifacts=1)
        for rater, image in zip(_raters(count), _images(make_images, count))
    )


def add_skips(make_images, count):
    Skip.objects.bulk_create(
        Skip(rater=rater, image=image, reason=Skip.Reason.SKIPPED if n % 2 else "nsfw", note="why")
        for n, (rater, image) in enumerate(zip(_raters(count), _images(make_images, count)))
    )


def add_captcha_answers(make_images, count):
    images = _images(make_images, count, is_captcha=True, captcha_answer=5)
    CaptchaAnswer.objects.bulk_create(
        CaptchaAnswer(rater=rater, image=image, answer=5, passed=True) for rater, image in zip(_raters(count), images)
    )


def add_raters(make_images, count):
    _raters(count)


def add_kudos_lines(make_images, count):
    raters, images = _raters(count), _images(make_images, count)
    statuses = itertools.cycle([KudosReward.Status.PAID, KudosReward.Status.PENDING, KudosReward.Status.SENDING])
    KudosReward.objects.bulk_create(
        KudosReward(rater=rater, image=image, amount=5, status=status, last_error="no answer")
        for rater, image, status in zip(raters, images, statuses)
    )


def add_prompt_groups(make_images, count):
    _groups(make_images, count)


def add_best_picks(make_images, count):
    BestPick.objects.bulk_create(
        BestPick(rater=rater, group=group, winner=images[0])
        for rater, (group, images) in zip(_raters(count), _groups(make_images, count))
    )


def add_preferences(make_images, count):
    for rater, (group, images) in zip(_raters(count), _groups(make_images, count)):
        pick = BestPick.objects.create(rater=rater, group=group, winner=images[0])
        ImagePreference.objects.create(rater=rater, group=group, pick=pick, winner=images[0], loser=images[1])


def add_check_groups(make_images, count):
    CheckGroup.objects.bulk_create(
        CheckGroup(
            rater=rater, group=group, check_image=images[0], images=[i.pk for i in images], served_at=timezone.now()
        )
        for rater, (group, images) in zip(_raters(count), _groups(make_images, count))
    )


LISTS = [
    ("/admin/datasets/image/", add_images),
    ("/admin/datasets/image/?check=all", add_images),
    ("/admin/datasets/image/?q=images.example.org", add_images),
    ("/admin/ratings/rating/", add_ratings),
    ("/admin/ratings/rating/?q=Rater", add_ratings),
    ("/admin/ratings/skip/", add_skips),
    ("/admin/ratings/captchaanswer/", add_captcha_answers),
    ("/admin/raters/rater/", add_raters),
    ("/admin/kudos/kudosreward/", add_kudos_lines),
    ("/admin/kudos/kudosreward/?waiting=yes", add_kudos_lines),
    ("/admin/bestof/promptgroup/", add_prompt_groups),
    ("/admin/bestof/bestpick/", add_best_picks),
    ("/admin/bestof/imagepreference/", add_preferences),
    ("/admin/bestof/checkgroup/", add_check_groups),
]


def _queries(client, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return [query["sql"] for query in queries.captured_queries]


@pytest.mark.parametrize(("url", "add_rows"), LISTS, ids=[url for url, _ in LISTS])
def test_the_list_costs_the_same_queries_with_three_times_the_rows(moderator_client, make_images, url, add_rows):
    add_rows(make_images, N)
    _queries(moderator_client, url)  # the first load may write once per row (a stuck kudos line gets its reason)
    few = _queries(moderator_client, url)

    add_rows(make_images, 2 * N)
    many = _queries(moderator_client, url)

    assert len(many) == len(few), "\n".join(many)
    assert not any("COUNT(*)" in sql and "LIMIT" not in sql for sql in many), "a whole table was counted"
