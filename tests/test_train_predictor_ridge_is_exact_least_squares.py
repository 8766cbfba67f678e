"""--method ridge: the head's least-squares solution in closed form, its penalty chosen by exact leave-one-out."""

from __future__ import annotations

from io import StringIO

import numpy as np
import torch
from django.core.management import call_command

from ratings_site.predictor.heads import load_head, save_head
from ratings_site.predictor.training.fitting import RIDGE_PENALTIES, describe_penalty, fit_ridge, linear_head
from tests.planted_ratings import KEY_MODEL, KEY_PRETRAINED, plant_ratings


def noisy_linear(rng: np.random.Generator, n: int, d: int, noise: float) -> tuple[np.ndarray, np.ndarray]:
    x = rng.normal(size=(n, d)).astype(np.float32)
    return x, 3.0 + x @ rng.normal(size=d) + rng.normal(0.0, noise, size=n)


def refit_without_each(x: np.ndarray, y: np.ndarray, penalty: float) -> float:
    """Leave-one-out the slow way: n fits, each without one image."""
    errors = []
    for i in range(len(y)):
        keep = np.arange(len(y)) != i
        fit = fit_ridge(x[keep], y[keep], penalty=penalty)
        errors.append((x[i] @ fit.weights + fit.bias - y[i]) ** 2)
    return float(np.mean(errors))


def test_leave_one_out_error_equals_refitting_without_each_image():
    rng = np.random.default_rng(3)
    for n, d in [(30, 40), (120, 10)]:  # fewer images than dimensions, and more
        x, y = noisy_linear(rng, n, d, noise=1.0)
        fit = fit_ridge(x, y, chunk=7)  # several chunks: the passes add up across them
        assert fit.penalty in RIDGE_PENALTIES
        assert np.isclose(fit.loo_mse, refit_without_each(x, y, fit.penalty), rtol=1e-8)
        # ... and the chosen penalty is the best of its neighbours on the grid.
        index = RIDGE_PENALTIES.index(fit.penalty)
        for other in RIDGE_PENALTIES[max(0, index - 1) : index + 2]:
            assert fit.loo_mse <= refit_without_each(x, y, other) * (1 + 1e-9)


def test_a_given_penalty_gives_the_ridge_solution_with_an_unpenalised_bias():
    rng = np.random.default_rng(4)
    x, y = noisy_linear(rng, 200, 12, noise=0.5)
    fit = fit_ridge(x, y, penalty=2.0)
    features = np.c_[x.astype(np.float64), np.ones(len(y))]
    penalty = np.diag([2.0] * 12 + [0.0])
    expected = np.linalg.solve(features.T @ features + penalty, features.T @ y)
    assert np.allclose(fit.weights, expected[:-1], atol=1e-9)
    assert np.isclose(fit.bias, expected[-1], atol=1e-9)
    assert fit.loo_mse is None


def test_the_penalty_grows_with_the_raters_noise():
    rng = np.random.default_rng(5)
    x, truth = noisy_linear(rng, 300, 20, noise=0.0)
    clean = fit_ridge(x, truth + rng.normal(0.0, 0.05, size=300)).penalty
    noisy = fit_ridge(x, truth + rng.normal(0.0, 5.0, size=300)).penalty
    pure_noise = fit_ridge(x, rng.normal(0.0, 1.0, size=300)).penalty
    assert clean < noisy < pure_noise


def test_the_fit_is_a_head_in_the_published_layout(tmp_path):
    rng = np.random.default_rng(6)
    x, y = noisy_linear(rng, 100, 24, noise=0.3)
    fit = fit_ridge(x, y)
    path = tmp_path / "head.safetensors"
    save_head(linear_head(fit.weights, fit.bias), path)
    head = load_head(path)  # what predict_aesthetics and any published-head reader load
    with torch.inference_mode():
        predicted = head(torch.from_numpy(x)).numpy()
    assert np.allclose(predicted, x @ fit.weights + fit.bias, atol=1e-4)


def test_the_command_reports_the_penalty_it_chose(make_images, settings, tmp_path):
    settings.PREDICTOR_DIR = tmp_path
    plant_ratings(make_images, count=200, dim=16, seed=2)
    out, err = StringIO(), StringIO()
    call_command(
        "train_predictor",
        *["--clip-model", KEY_MODEL, "--pretrained", KEY_PRETRAINED, "--method", "ridge", "--ensemble", "2"],
        *["--epochs", "5", "--no-progress", "--save"],
        stdout=out,
        stderr=err,
    )
    assert "ridge penalty" in out.getvalue() and "best epoch" not in out.getvalue()
    assert "ridge ignores them" in err.getvalue()  # --epochs was given, and told it does nothing here


def test_a_resample_given_as_counts_fits_like_its_copied_rows():
    rng = np.random.default_rng(7)
    x, y = noisy_linear(rng, 150, 10, noise=1.0)
    sample = rng.integers(0, 150, 150)
    copied = fit_ridge(x[sample], y[sample], penalty=0.3)
    counted = fit_ridge(x, y, penalty=0.3, counts=np.bincount(sample, minlength=150), chunk=16)
    assert np.allclose(counted.weights, copied.weights, atol=1e-9)
    assert np.isclose(counted.bias, copied.bias, atol=1e-9)


def test_a_penalty_at_the_end_of_the_grid_is_reported_as_such():
    assert describe_penalty(RIDGE_PENALTIES[5]) == f"ridge penalty {RIDGE_PENALTIES[5]:g} (by leave-one-out)"
    assert "the smallest tried" in describe_penalty(RIDGE_PENALTIES[0])
    assert "the largest tried" in describe_penalty(RIDGE_PENALTIES[-1])
