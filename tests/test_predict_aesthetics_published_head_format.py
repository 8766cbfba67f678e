"""Heads in LAION's published format load unchanged (.pth and .safetensors); anything else is refused clearly."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import torch
from django.core.management import CommandError
from safetensors.torch import save_file
from torch import nn

from ratings_site.predictor.heads import load_head
from ratings_site.predictor.models import AestheticScore, PredictorVersion
from tests.predictor_fixtures import (  # noqa: F401 (fixtures)
    EMBEDDING_DIM,
    embeddings,
    predict,
    predictor_dirs,
    scores_of,
    seed_demo,
    summary,
)


class LaionMLP(nn.Module):
    """The model of LAION's improved-aesthetic-predictor (simple_inference.py), without pytorch-lightning:
    its heads were saved with torch.save(model.state_dict())."""

    def __init__(self, input_size: int):
        super().__init__()
        self.input_size = input_size
        self.layers = nn.Sequential(
            nn.Linear(self.input_size, 1024),
            nn.Dropout(0.2),
            nn.Linear(1024, 128),
            nn.Dropout(0.2),
            nn.Linear(128, 64),
            nn.Dropout(0.1),
            nn.Linear(64, 16),
            nn.Linear(16, 1),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.layers(x)


def laion_head(input_size: int = EMBEDDING_DIM, seed: int = 7) -> LaionMLP:
    torch.manual_seed(seed)
    return LaionMLP(input_size).eval()


def save_pth(state: dict[str, torch.Tensor], path: Path) -> None:
    torch.save(state, path)


def save_safetensors(state: dict[str, torch.Tensor], path: Path) -> None:
    save_file({key: value.contiguous() for key, value in state.items()}, str(path))


SAVERS: dict[str, Callable[[dict[str, torch.Tensor], Path], None]] = {
    ".pth": save_pth,
    ".safetensors": save_safetensors,
}


@pytest.mark.parametrize("suffix", SAVERS)
def test_a_published_head_loads_and_scores_like_the_module(tmp_path, suffix):
    model = laion_head()
    path = tmp_path / f"sac+logos+ava1-tiny-linearMSE{suffix}"
    SAVERS[suffix](model.state_dict(), path)

    head = load_head(path)

    assert head.embedding_dim == EMBEDDING_DIM
    embeddings = nn.functional.normalize(torch.randn(64, EMBEDDING_DIM), dim=-1)
    with torch.no_grad():
        torch.testing.assert_close(head(embeddings), model(embeddings).squeeze(-1))


@pytest.mark.django_db(transaction=True)
def test_the_command_scores_with_a_published_head_file(predictor_dirs, tmp_path):
    images = seed_demo(8)
    model = laion_head()
    path = tmp_path / "sac+logos+ava1-tiny-linearMSE.pth"
    torch.save(model.state_dict(), path)

    output = predict(head=str(path))

    assert summary(output)["scored"] == 8
    version = PredictorVersion.current()
    assert version.head_file == str(path)
    scores, vectors = scores_of(version), embeddings()
    ids = [image.pk for image in images]
    with torch.no_grad():
        expected = model(torch.from_numpy(np.stack([vectors[i] for i in ids]))).squeeze(-1).numpy()
    assert [scores[i] for i in ids] == pytest.approx(expected.tolist(), abs=5e-5)


def _wrong_keys(path: Path) -> None:
    torch.save({"fc1.weight": torch.zeros(16, EMBEDDING_DIM), "fc1.bias": torch.zeros(16)}, path)


def _wrong_shapes(path: Path) -> None:
    state = laion_head().state_dict()
    state["layers.2.weight"] = torch.zeros(64, 1024)  # Linear(1024, 64) where the format has Linear(1024, 128)
    torch.save(state, path)


def _not_a_state_dict(path: Path) -> None:
    path.write_bytes(b"<!DOCTYPE html><html><body>GitHub's page about the file, not the file</body></html>")


def _not_safetensors(path: Path) -> None:
    path.write_bytes(b"\x00" * 64)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "write", "message"),
    [
        ("wrong-keys.pth", _wrong_keys, "is not a head in the published format: missing layers.0.weight"),
        ("wrong-shapes.pth", _wrong_shapes, "has the wrong shapes for a head"),
        ("page.pth", _not_a_state_dict, "Could not read"),
        ("zeros.safetensors", _not_safetensors, "Could not read"),
        ("missing.pth", None, "No head file at"),
    ],
    ids=["wrong keys", "wrong shapes", "an html page", "not safetensors", "missing"],
)
def test_a_file_that_is_no_head_is_refused_with_a_clear_message(predictor_dirs, make_images, name, write, message):
    make_images(3)
    path = predictor_dirs / name
    if write is not None:
        write(path)

    with pytest.raises(CommandError) as refused:
        predict(head=str(path))

    assert message in str(refused.value)
    assert str(path) in str(refused.value)
    assert not PredictorVersion.objects.exists()
    assert not AestheticScore.objects.exists()


@pytest.mark.django_db
def test_a_head_for_another_clip_model_is_refused(predictor_dirs, make_images):
    make_images(3)
    path = predictor_dirs / "vit-l-14-head.pth"
    torch.save(laion_head(input_size=768).state_dict(), path)

    with pytest.raises(CommandError, match="expects 768-dimensional embeddings but tiny-clip-test makes 32"):
        predict(head=str(path))

    assert not PredictorVersion.objects.exists()
    assert not AestheticScore.objects.exists()
