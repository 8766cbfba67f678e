"""The MLP heads that turn a CLIP image embedding into a predicted mean rating.

The layout is LAION's published aesthetic predictor (../shared/horde-wire.md §7): an
`nn.Sequential` named `layers`, Linear(d,1024) → Dropout(0.2) → Linear(1024,128) →
Dropout(0.2) → Linear(128,64) → Dropout(0.1) → Linear(64,16) → Linear(16,1), no
activations, so its state-dict keys are layers.0/2/4/6/7.* and published heads load unchanged.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import torch
from torch import nn

from ratings_site.predictor.priorities import DESIGN_GRAM_KEY

HEAD_KEYS = ("layers.0", "layers.2", "layers.4", "layers.6", "layers.7")


class HeadFormatError(ValueError):
    pass


class AestheticHead(nn.Module):
    def __init__(self, embedding_dim: int):
        super().__init__()
        self.embedding_dim = embedding_dim
        self.layers = nn.Sequential(
            nn.Linear(embedding_dim, 1024),
            nn.Dropout(0.2),
            nn.Linear(1024, 128),
            nn.Dropout(0.2),
            nn.Linear(128, 64),
            nn.Dropout(0.1),
            nn.Linear(64, 16),
            nn.Linear(16, 1),
        )

    def forward(self, embeddings: torch.Tensor) -> torch.Tensor:
        return self.layers(embeddings).squeeze(-1)


class HeadEnsemble(nn.Module):
    """K heads trained on bootstrap resamples: the mean is a score, the spread an uncertainty."""

    def __init__(self, heads: list[AestheticHead], design_gram: torch.Tensor | None = None):
        super().__init__()
        self.heads = nn.ModuleList(heads)
        # X'X (bias feature appended) of the embeddings the heads were trained on: the design
        # the `uncertainty` priority strategy conditions on (priorities.design_order).
        self.design_gram = design_gram

    def forward(self, embeddings: torch.Tensor) -> torch.Tensor:
        return torch.stack([head(embeddings) for head in self.heads], dim=0)  # (K, N)


def _read_state_dict(path: Path) -> dict[str, torch.Tensor]:
    if not path.exists():
        raise HeadFormatError(f"No head file at {path}")
    try:
        if path.suffix == ".safetensors":
            from safetensors.torch import load_file

            return load_file(str(path))
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # e.g. an HTML page saved as .pth, a truncated download
        reason = (str(exc).splitlines() or [""])[0][:200]
        raise HeadFormatError(
            f"Could not read {path} as a head (a .pth state dict or a .safetensors file): {type(exc).__name__}: {reason}"
        ) from None
    if isinstance(state, dict) and "state_dict" in state and isinstance(state["state_dict"], dict):
        state = state["state_dict"]
    if not isinstance(state, dict):
        raise HeadFormatError(f"{path} does not hold a state dict")
    return state


def _head_from_state(state: dict[str, torch.Tensor], source: str) -> AestheticHead:
    missing = [f"{key}.{part}" for key in HEAD_KEYS for part in ("weight", "bias") if f"{key}.{part}" not in state]
    if missing:
        raise HeadFormatError(f"{source} is not a head in the published format: missing {', '.join(missing)}")
    head = AestheticHead(int(state["layers.0.weight"].shape[1]))
    try:
        head.load_state_dict({k: v.float() for k, v in state.items() if k.startswith("layers.")})
    except RuntimeError as exc:
        raise HeadFormatError(f"{source} has the wrong shapes for a head: {exc}") from None
    return head.eval()


def load_head(path: str | Path) -> AestheticHead:
    """A head from a .pth/.pt or .safetensors file with keys layers.0.* … layers.7.*."""
    path = Path(path)
    state = _read_state_dict(path)
    # Some checkpoints prefix the keys (e.g. "module." from DataParallel).
    if "layers.0.weight" not in state:
        for prefix in ("module.", "model."):
            if f"{prefix}layers.0.weight" in state:
                state = {k.removeprefix(prefix): v for k, v in state.items()}
    return _head_from_state(state, str(path))


def save_head(head: AestheticHead, path: str | Path) -> str:
    """Save in the published format; returns the file's sha256."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    state = {k: v.detach().cpu().contiguous() for k, v in head.state_dict().items()}
    if path.suffix == ".safetensors":
        from safetensors.torch import save_file

        save_file(state, str(path))
    else:
        torch.save(state, path)
    return file_sha256(path)


def save_ensemble(ensemble: HeadEnsemble, path: str | Path) -> None:
    from safetensors.torch import save_file

    state = {
        f"{index}.{key}": value.detach().cpu().contiguous()
        for index, head in enumerate(ensemble.heads)
        for key, value in head.state_dict().items()
    }
    if ensemble.design_gram is not None:
        state[DESIGN_GRAM_KEY] = ensemble.design_gram.detach().cpu().double().contiguous()
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    save_file(state, str(path))


def load_ensemble(path: str | Path) -> HeadEnsemble:
    from safetensors.torch import load_file

    state = load_file(str(path))
    indices = sorted({int(key.split(".", 1)[0]) for key in state if key.split(".", 1)[0].isdigit()})
    heads = [
        _head_from_state({k.split(".", 1)[1]: v for k, v in state.items() if k.startswith(f"{i}.")}, f"{path}[{i}]")
        for i in indices
    ]
    return HeadEnsemble(heads, state.get(DESIGN_GRAM_KEY)).eval()


def file_sha256(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
