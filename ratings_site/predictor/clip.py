"""Loading an open_clip image model: random weights, a local checkpoint, or a named tag.

Nothing is downloaded unless the caller named an open_clip tag (e.g. laion2b_s32b_b79k).
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from PIL import Image as PILImage

logger = logging.getLogger(__name__)

CUDA_DEVICE = re.compile(r"cuda(?::(?P<index>\d+))?")
PRECISIONS = {"fp32": torch.float32, "fp16": torch.float16, "bf16": torch.bfloat16}


class PredictorError(Exception):
    """A problem with the predictor's configuration, with a message for the person running it."""


@dataclass
class ClipModel:
    model: torch.nn.Module
    preprocess: Callable[[Any], torch.Tensor]
    embedding_dim: int
    device: torch.device
    dtype: torch.dtype
    name: str
    pretrained: str
    compiled: bool = False
    fixed_batch: int | None = None  # set by warm_up: a compiled tower sees only batches of this size
    _input: torch.Tensor | None = field(default=None, repr=False)

    def autocast(self):
        enabled = self.dtype != torch.float32
        return torch.autocast(device_type=self.device.type, dtype=self.dtype, enabled=enabled)

    @torch.inference_mode()
    def encode(self, pixels: torch.Tensor) -> torch.Tensor:
        """L2-normalised float32 image embeddings for a batch of preprocessed images."""
        count = pixels.shape[0]
        if self.fixed_batch is not None:
            # A compiled tower always gets the same input tensor, of the compiled batch size: a short batch
            # (the last one, or one with broken images left out) is padded with zeros, so that torch.compile
            # never compiles the tower again for another shape (or another kind of tensor).
            if count > self.fixed_batch:
                raise ValueError(f"a batch of {count} images, but the tower was compiled for {self.fixed_batch}")
            if self._input is None:
                self._input = pixels.new_zeros((self.fixed_batch, *pixels.shape[1:]))
            self._input[:count].copy_(pixels)
            self._input[count:].zero_()
            pixels = self._input
        with self.autocast():
            features = self.model.encode_image(pixels)
        return torch.nn.functional.normalize(features[:count].float(), dim=-1)

    def warm_up(self, batch_size: int) -> float:
        """Compile the tower for batches of batch_size (a compiled tower compiles on its first batch); seconds taken."""
        started = time.perf_counter()
        blank = self.preprocess(PILImage.new("RGB", (256, 256)))
        self.fixed_batch = batch_size
        self.encode(blank.unsqueeze(0).expand(batch_size, *blank.shape).contiguous().to(self.device))
        if self.device.type == "cuda":
            torch.cuda.synchronize(self.device)
        return time.perf_counter() - started


def resolve_device(device: str) -> torch.device:
    """auto, cpu, cuda, or cuda:N (one GPU of several: one process, and one --shard, per GPU)."""
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if device == "cpu":
        return torch.device("cpu")
    match = CUDA_DEVICE.fullmatch(device)
    if not match:
        raise PredictorError(f"Unknown device {device!r}: use auto, cpu, cuda or cuda:N.")
    if not torch.cuda.is_available():
        raise PredictorError(f"--device {device} was asked for, but torch sees no CUDA GPU on this machine.")
    if match["index"] is None:
        return torch.device("cuda")
    index = int(match["index"])
    if index >= torch.cuda.device_count():
        raise PredictorError(f"--device {device}: this machine has {torch.cuda.device_count()} CUDA GPUs (cuda:0 …).")
    # The current device too, so that the DataLoader pins memory for this GPU and nothing touches cuda:0.
    torch.cuda.set_device(index)
    return torch.device("cuda", index)


def resolve_precision(precision: str, device: torch.device) -> torch.dtype:
    if precision not in PRECISIONS:
        raise PredictorError(f"Unknown precision {precision!r}: use fp32, fp16 or bf16.")
    dtype = PRECISIONS[precision]
    if device.type == "cpu" and dtype == torch.float16:
        logger.warning("fp16 is not supported well on the CPU: using fp32")
        return torch.float32
    return dtype


def load_clip(
    model_name: str,
    pretrained: str,
    *,
    device: torch.device,
    dtype: torch.dtype,
    model_config: str | None = None,
    compile_model: bool = False,
) -> ClipModel:
    import open_clip

    if model_config:
        if not Path(model_config).exists():
            raise PredictorError(f"No model config at {model_config}")
        open_clip.add_model_config(model_config)
    if model_name not in open_clip.list_models():
        raise PredictorError(f"open_clip knows no model {model_name!r} (pass --model-config FILE.json for your own).")
    weights = None if pretrained in ("", "none") else pretrained
    if weights and ("/" in weights or weights.endswith((".bin", ".pt", ".pth", ".safetensors"))) and not Path(weights).exists():
        raise PredictorError(f"No checkpoint file at {weights}")
    if weights is None:
        torch.manual_seed(0)  # random weights, but the same ones every run: embeddings stay comparable
    previous_disable = logging.root.manager.disable
    logging.disable(logging.INFO)  # open_clip logs its whole config at INFO on the root logger
    try:
        model, _, preprocess = open_clip.create_model_and_transforms(
            model_name, pretrained=weights, device=device, pretrained_text=False
        )
    except Exception as exc:  # open_clip raises many kinds for missing or unreachable weights
        raise PredictorError(
            f"Could not load {model_name} with weights {pretrained!r}: {exc}. Without network, pass a local "
            "checkpoint path as --pretrained, or --pretrained none for random weights."
        ) from None
    finally:
        logging.disable(previous_disable)
    model.eval()
    if device.type == "cuda" and dtype != torch.float32:
        model = model.to(dtype=dtype)
    embedding_dim = int(getattr(model.visual, "output_dim", 0) or model.text_projection.shape[1])
    if compile_model:
        # One static shape (see ClipModel.encode): no guards on the batch size, no dynamic-shape kernels.
        model.visual = torch.compile(model.visual, dynamic=False)
    return ClipModel(
        model, preprocess, embedding_dim, device, dtype, model_name, pretrained or "none", compiled=compile_model
    )
