"""`manage.py prioritise_images` writes the predictor's priorities, and the queue follows them."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from ratings_site.datasets.models import Image
from ratings_site.predictor.models import AestheticScore, PredictorVersion
from ratings_site.raters.models import Rater
from ratings_site.ratings.selectors import next_image_for
from tests.helpers import priority_of


def _version(name: str = "test/none/head-000000000000", *, current: bool = True) -> PredictorVersion:
    return PredictorVersion.objects.create(
        name=name,
        clip_model="ViT-B-32",
        clip_pretrained="none",
        embedding_dim=512,
        head_file="head.safetensors",
        head_sha256="0" * 64,
        is_current=current,
    )


def _score(version: PredictorVersion, images: list[Image], scores: list[float], uncertainty=None) -> None:
    uncertainty = uncertainty or [None] * len(images)
    AestheticScore.objects.bulk_create(
        AestheticScore(image=image, version=version, score=score, uncertainty=spread)
        for image, score, spread in zip(images, scores, uncertainty)
    )


def _prioritise(*args: str) -> str:
    out = StringIO()
    call_command("prioritise_images", *args, stdout=out)
    return out.getvalue()


def _fresh_rater() -> Rater:
    return Rater.objects.create(username="Fresh#6000", horde_id=6000)


def test_it_sets_priorities_of_scored_images_in_the_queue(make_images):
    version = _version()
    images = make_images(5, priority=0.0)
    _score(version, images, [2.0, 9.0, 5.0, 4.0, 7.0])

    output = _prioritise("--strategy", "score")

    priorities = [priority_of(image) for image in images]
    assert priorities == [0.0, 1.0, 0.5, 0.25, 0.75]
    assert "Strategy score" in output and "5 scored images in the queue" in output


def test_images_out_of_the_queue_get_no_priority_and_do_not_shift_the_others(make_images, settings):
    version = _version()
    in_queue = make_images(3, priority=0.0)
    full = make_images(2, ratings_count=settings.RATINGS_PER_IMAGE)
    hidden = make_images(1, hidden=True)
    _score(version, in_queue + full + hidden, [1.0, 2.0, 3.0, 9.0, 9.5, 10.0])

    output = _prioritise("--strategy", "score")

    assert [priority_of(image) for image in full + hidden] == [None, None, None]
    assert [priority_of(image) for image in in_queue] == [0.0, 0.5, 1.0]
    assert "3 scored images in the queue" in output


def test_an_image_in_the_queue_without_a_score_keeps_itspriority_of(make_images):
    version = _version()
    scored = make_images(3, priority=0.0)
    [unscored] = make_images(1, priority=0.37)
    _score(version, scored, [1.0, 2.0, 3.0])

    _prioritise("--strategy", "random", "--seed", "1")

    assert priority_of(unscored) == 0.37


def test_only_the_current_versions_scores_count(make_images):
    old = _version("old", current=False)
    current = _version("current")
    images = make_images(3)
    _score(old, images, [9.0, 1.0, 1.0])
    _score(current, images, [1.0, 2.0, 9.0])

    _prioritise("--strategy", "score")

    assert [priority_of(image) for image in images] == [0.0, 0.5, 1.0]


def test_the_queue_then_serves_the_highest_priority_image(make_images):
    version = _version()
    [favourite_before] = make_images(1, priority=0.9)
    others = make_images(40, priority=0.0)  # more than QUEUE_TOP_K
    images = [favourite_before, *others]
    scores = [1.0] + [3.0 + i * 0.1 for i in range(40)]
    _score(version, images, scores)
    rater = _fresh_rater()
    assert next_image_for(rater) == favourite_before

    _prioritise("--strategy", "score")

    assert next_image_for(rater) == others[-1]


def test_uncertainty_serves_the_image_the_ensemble_disagrees_on_most(make_images):
    version = _version()
    images = make_images(40)
    disagreement = [0.05 + 0.001 * i for i in range(40)]
    disagreement[7] = 0.9
    _score(version, images, [5.0 + 0.01 * i for i in range(40)], disagreement)

    output = _prioritise("--strategy", "uncertainty")

    assert "Strategy uncertainty" in output
    assert priority_of(images[7]) == 1.0
    assert next_image_for(_fresh_rater()) == images[7]


def test_uncertainty_falls_back_to_stratified_without_an_ensemble(make_images):
    version = _version()
    images = make_images(30)
    _score(version, images, [1.0 + 0.3 * i for i in range(30)])  # no uncertainty: no ensemble yet

    output = _prioritise("--strategy", "uncertainty", "--seed", "3")

    assert "Strategy stratified (fell back from uncertainty" in output
    top = sorted(images, key=priority_of, reverse=True)[:10]
    bands = {int(min((AestheticScore.objects.get(image=image).score - 1.0) / 8.7 * 10, 9)) for image in top}
    assert bands == set(range(10))  # the top ten cover the whole range of scores


def test_the_default_strategy_comes_from_the_settings(make_images, settings):
    settings.PRIORITY_STRATEGY = "score"
    version = _version()
    images = make_images(2)
    _score(version, images, [1.0, 2.0])

    output = _prioritise()

    assert output.startswith("Strategy score,")
    assert priority_of(images[1]) == 1.0


def test_the_same_seed_gives_the_same_random_priorities(make_images):
    version = _version()
    images = make_images(20)
    _score(version, images, [5.0] * 20)

    _prioritise("--strategy", "random", "--seed", "42")
    first = [priority_of(image) for image in images]
    _prioritise("--strategy", "random", "--seed", "42")
    again = [priority_of(image) for image in images]
    _prioritise("--strategy", "random", "--seed", "43")
    other = [priority_of(image) for image in images]

    assert first == again
    assert first != other


def test_the_same_seed_gives_the_same_priorities_whatever_order_the_rows_come_back_in(make_images):
    version = _version()
    images = make_images(30)
    scores = [1.0 + 0.25 * i for i in range(30)]
    _score(version, images, scores)
    _prioritise("--strategy", "stratified", "--seed", "7")
    first = [priority_of(image) for image in images]

    AestheticScore.objects.all().delete()  # the same scores, stored in the opposite order
    _score(version, images[::-1], scores[::-1])
    _prioritise("--strategy", "stratified", "--seed", "7")

    assert [priority_of(image) for image in images] == first


def test_dataset_limits_the_update_to_that_dataset(make_images, settings):
    version = _version()
    chosen = make_images(3, dataset="chosen", priority=0.0)
    untouched = make_images(3, dataset="untouched", priority=0.2)
    _score(version, chosen + untouched, [1.0, 2.0, 3.0, 4.0, 5.0, 6.0])

    output = _prioritise("--strategy", "score", "--dataset", "chosen")

    assert [priority_of(image) for image in chosen] == [0.0, 0.5, 1.0]
    assert [priority_of(image) for image in untouched] == [0.2, 0.2, 0.2]
    assert "dataset chosen" in output


def test_an_unknown_dataset_is_refused(make_images):
    _version()

    with pytest.raises(CommandError, match="No dataset with the slug 'nope'"):
        _prioritise("--dataset", "nope")


def test_without_a_current_predictor_version_it_refuses(make_images):
    [image] = make_images(1, priority=0.4)
    _score(_version(current=False), [image], [5.0])

    with pytest.raises(CommandError, match="no current predictor version"):
        _prioritise()
    assert priority_of(image) == 0.4


def test_without_scores_it_refuses(make_images):
    _version()
    make_images(2)

    with pytest.raises(CommandError, match="has scored no image yet"):
        _prioritise()
