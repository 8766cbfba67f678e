"""Krippendorff's alpha (reliability.alpha) agrees with a small example worked out by hand and with Krippendorff's
own published example, for the interval metric (the 1..10 ratings) and the ordinal one (the 0..5 artifacts).

The hand-worked example, values 1..3 (matrix index 0 is value 1), four units:

    unit 1: 1, 2        unit 2: 2, 2, 3        unit 3: 3, 3        unit 4: 1 (alone: not pairable)

Coincidences, o_ck += n_c n_k / (m - 1) and o_cc += n_c (n_c - 1) / (m - 1):
    unit 1 (m=2): o_12 = o_21 = 1          unit 2 (m=3): o_22 = 2*1/2 = 1, o_23 = o_32 = 2*1/2 = 1
    unit 3 (m=2): o_33 = 2*1/1 = 2         unit 4: nothing

            1  2  3
        1 [ 0  1  0 ]      marginals n_1 = 1, n_2 = 3, n_3 = 3, n = 7
        2 [ 1  1  1 ]
        3 [ 0  1  2 ]

Interval, delta2 = (c - k)^2:
    D_o = (o_12 + o_21 + o_23 + o_32) * 1 / n = 4/7
    D_e = 2 (n_1 n_2 * 1 + n_1 n_3 * 4 + n_2 n_3 * 1) / (n (n-1)) = 2 (3 + 12 + 9) / 42 = 8/7
    alpha = 1 - (4/7) / (8/7) = 0.5
Ordinal, delta2(c, k) = (sum_{g=c..k} n_g - (n_c + n_k)/2)^2:
    delta2(1,2) = (4 - 2)^2 = 4, delta2(2,3) = (6 - 3)^2 = 9, delta2(1,3) = (7 - 2)^2 = 25
    D_o = (2 * 1 * 4 + 2 * 1 * 9) / 7 = 26/7
    D_e = 2 (3 * 4 + 3 * 25 + 9 * 9) / 42 = 336/42 = 8
    alpha = 1 - (26/7) / 8 = 15/28 = 0.5357...
"""

from __future__ import annotations

import pytest

from ratings_site.reliability import alpha


def _histogram(values: list[int], lowest: int, size: int) -> list[int]:
    counts = [0] * size
    for value in values:
        counts[value - lowest] += 1
    return counts


HAND_UNITS = [[1, 2], [2, 2, 3], [3, 3], [1]]


def _hand_matrix() -> alpha.Matrix:
    return alpha.coincidences([_histogram(unit, 1, 3) for unit in HAND_UNITS], 3)


def test_the_hand_worked_coincidences():
    assert _hand_matrix() == [[0, 1, 0], [1, 1, 1], [0, 1, 2]]


def test_the_hand_worked_interval_alpha():
    observed, expected = alpha.disagreements(_hand_matrix(), alpha.INTERVAL)
    assert observed == pytest.approx(4 / 7)
    assert expected == pytest.approx(8 / 7)
    assert alpha.alpha(_hand_matrix(), alpha.INTERVAL) == pytest.approx(0.5)


def test_the_hand_worked_ordinal_alpha():
    observed, expected = alpha.disagreements(_hand_matrix(), alpha.ORDINAL)
    assert observed == pytest.approx(26 / 7)
    assert expected == pytest.approx(8)
    assert alpha.alpha(_hand_matrix(), alpha.ORDINAL) == pytest.approx(15 / 28)


# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C: 4 observers, 12 units, values 1..5,
# None where an observer gave no value. Published: nominal 0.743, ordinal 0.815, interval 0.849, ratio 0.797.
PUBLISHED = {
    "A": [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
    "B": [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
    "C": [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
    "D": [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
}


def _published_matrix() -> alpha.Matrix:
    units = [[row[u] for row in PUBLISHED.values() if row[u] is not None] for u in range(12)]
    return alpha.coincidences([_histogram(unit, 1, 5) for unit in units], 5)


def test_krippendorffs_published_example_interval():
    assert round(alpha.alpha(_published_matrix(), alpha.INTERVAL), 3) == 0.849


def test_krippendorffs_published_example_ordinal():
    assert round(alpha.alpha(_published_matrix(), alpha.ORDINAL), 3) == 0.815


def test_the_published_matrix_has_the_40_pairable_values():
    # Unit 12 has one value: not pairable. The other 11 units hold 3 + 4*8 + 3 + 2 = 40 values.
    assert sum(map(sum, _published_matrix())) == pytest.approx(40)


def test_a_unit_taken_out_again_leaves_the_matrix_as_it_was():
    matrix = _hand_matrix()
    alpha.add_unit(matrix, _histogram([1, 3, 3, 2], 1, 3))
    alpha.add_unit(matrix, _histogram([1, 3, 3, 2], 1, 3), -1)
    assert [value for row in matrix for value in row] == pytest.approx([0, 1, 0, 1, 1, 1, 0, 1, 2])


@pytest.mark.parametrize(
    "units",
    [
        [],  # nothing
        [[5]],  # one value: nothing pairable
        [[4, 4], [4, 4, 4]],  # no expected disagreement: every value the same
    ],
)
def test_alpha_is_undefined_without_pairable_values_or_disagreement(units):
    matrix = alpha.coincidences([_histogram(unit, 1, 10) for unit in units], 10)
    assert alpha.alpha(matrix, alpha.INTERVAL) is None
    assert alpha.alpha(matrix, alpha.ORDINAL) is None
