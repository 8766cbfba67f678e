"""The `uncertainty` strategy's design step: the most disputed images, ordered so a batch covers new ground."""

import numpy as np

from ratings_site.predictor.priorities import compute_priorities, design_gram, design_order, uncertainty_priorities


def _unit(rows: np.ndarray) -> np.ndarray:
    return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)


def test_a_near_copy_of_an_earlier_pick_comes_after_a_new_direction():
    rng = np.random.default_rng(0)
    a, b = np.eye(8)[0], np.eye(8)[1]
    copies = _unit(a + 0.01 * rng.normal(size=(30, 8)))  # thirty near-copies of one image
    embeddings = np.vstack([copies, _unit(b[None, :])])

    order = design_order(embeddings, None, 2)

    assert order[0] < 30  # one of the copies first ...
    assert order[1] == 30  # ... then the different image, not a second copy


def test_directions_the_training_set_already_covers_come_last():
    # The heads were trained on many images along the first two axes, none along the third.
    covered = np.repeat(np.eye(4)[:2], 200, axis=0)
    embeddings = np.eye(4)[:3].astype(np.float32)

    order = design_order(embeddings, design_gram(covered), 3)

    assert order[0] == 2


def test_picks_are_distinct_and_at_most_the_pool():
    embeddings = _unit(np.random.default_rng(1).normal(size=(10, 5)))

    order = design_order(embeddings, None, 50)

    assert sorted(order.tolist()) == list(range(10))


def test_a_design_of_the_wrong_size_is_refused():
    embeddings = np.ones((3, 4), dtype=np.float32)

    try:
        design_order(embeddings, np.eye(3), 2)
    except ValueError as error:
        assert "(5, 5)" in str(error)
    else:
        raise AssertionError("a 3x3 design for 4-d embeddings was accepted")


def test_the_pool_is_the_most_disputed_and_the_rest_follow_by_disagreement():
    rng = np.random.default_rng(2)
    uncertainty = rng.gamma(2.0, 0.1, size=400)
    embeddings = _unit(rng.normal(size=(400, 16)))
    asked = []

    def embeddings_for(rows):
        asked.append(rows)
        return embeddings[rows]

    priorities = uncertainty_priorities(uncertainty, embeddings_for, pool=1_000, pool_fraction=0.25, picks=20)

    [pool] = asked
    most_disputed = np.argsort(-uncertainty)[:100]
    assert sorted(pool.tolist()) == sorted(most_disputed.tolist())  # a quarter of the queue, the most disputed
    order = np.argsort(-priorities, kind="stable")
    assert set(order[:20].tolist()) <= set(pool.tolist())  # the picks come first ...
    rest = order[20:]
    assert np.all(np.diff(uncertainty[rest]) <= 0)  # ... then everything else by disagreement
    assert priorities.max() == 1.0 and priorities.min() == 0.0


def test_the_pool_is_capped_in_size():
    uncertainty = np.linspace(0.1, 1.0, 1_000)
    sizes = []

    uncertainty_priorities(uncertainty, lambda rows: sizes.append(rows.size) or np.eye(rows.size, 3), pool=50, picks=10)

    assert sizes == [50]


def test_without_embeddings_the_order_is_the_disagreement():
    rng = np.random.default_rng(3)
    scores, uncertainty = rng.normal(5.5, 1.5, size=300), rng.gamma(2.0, 0.1, size=300)

    with_loader = compute_priorities("uncertainty", scores, uncertainty, rng=rng, embeddings_for=lambda rows: None)

    assert np.array_equal(np.argsort(-with_loader), np.argsort(-uncertainty))


def test_an_image_without_a_finite_disagreement_is_never_picked():
    uncertainty = np.array([0.5, np.nan, 0.4, 0.3])
    embeddings = np.eye(4, dtype=np.float32) * np.array([[1.0], [100.0], [1.0], [1.0]])

    priorities = uncertainty_priorities(uncertainty, lambda rows: embeddings[rows], pool=10, pool_fraction=1.0, picks=4)

    assert priorities[1] == 0.0
    assert sorted(priorities[[0, 2, 3]].tolist()) == [0.0, 0.5, 1.0]
