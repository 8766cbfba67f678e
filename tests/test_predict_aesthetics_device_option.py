"""`predict_aesthetics --device`: auto picks what torch has, cuda:N names one GPU of several, and a device this
machine lacks or a misspelt one is refused with a message, before anything is scored."""

from __future__ import annotations

import pytest
import torch
from django.core.management import CommandError

from ratings_site.predictor.models import AestheticScore, PredictorVersion
from tests.predictor_fixtures import predict, predictor_dirs, seed_demo, summary  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db(transaction=True)


def test_auto_picks_the_gpu_when_torch_sees_one_else_the_cpu(predictor_dirs):
    seed_demo(4)
    output = predict("--device", "auto")
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert f"on {expected} (fp32)" in output
    assert summary(output)["scored"] == 4


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has a CUDA GPU")
@pytest.mark.parametrize("device", ["cuda", "cuda:1"])
def test_a_gpu_this_machine_lacks_is_refused(predictor_dirs, make_images, device):
    make_images(2)
    with pytest.raises(CommandError, match=f"--device {device} was asked for, but torch sees no CUDA GPU"):
        predict("--device", device)
    assert not PredictorVersion.objects.exists() and not AestheticScore.objects.exists()


@pytest.mark.parametrize("device", ["gpu", "cuda:", "cuda:-1", "mps"])
def test_an_unknown_device_is_refused(predictor_dirs, make_images, device):
    make_images(2)
    with pytest.raises(CommandError, match=f"Unknown device '{device}': use auto, cpu, cuda or cuda:N"):
        predict("--device", device)
    assert not PredictorVersion.objects.exists() and not AestheticScore.objects.exists()


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_a_gpu_index_beyond_the_machine_is_refused(predictor_dirs):
    seed_demo(4)
    count = torch.cuda.device_count()
    with pytest.raises(CommandError, match=f"this machine has {count} CUDA GPUs"):
        predict("--device", f"cuda:{count}")
