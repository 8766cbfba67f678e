"""How fast the aesthetic head scores and trains, in embeddings per second, on this machine's CPU.

Not a test: run it by hand (see benchmarks/README.md). It makes synthetic L2-normalised
embeddings (200 k of ViT-H-14's 1024 dimensions by default) and times, with the project's
own code and no database:

- decoding: float16 bytes as stored in ImageEmbedding → float32 (embeddings.load_embeddings' step);
- scoring: scoring.score_embeddings with one head, then with the head and an ensemble of K heads
  (what score_stored_embeddings does per chunk);
- training: training.fitting.train_head for --epochs epochs (MSE, Adam, the per-epoch validation pass
  included), and the plain optimiser steps alone; training.fitting.train_ridge_head (`--method ridge`:
  X'X, its eigendecomposition and the leave-one-out pass over every penalty), and with the
  penalty given (what each bootstrap head of the ensemble costs). An Adam epoch and a ridge
  fit are not the same amount of work: Adam needs tens of epochs, the ridge fit is the answer.

It prints each figure with the batch size and the number of torch threads.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ratings_site.settings")
os.environ.setdefault("SECRET_KEY", "head-benchmark-only")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=200_000, help="synthetic embeddings (default %(default)s)")
    parser.add_argument("--dim", type=int, default=1024, help="embedding size; 1024 = ViT-H-14 (default %(default)s)")
    parser.add_argument(
        "--score-batch", type=int, default=8192, help="embeddings per scoring call (default %(default)s)"
    )
    parser.add_argument("--train-batch", type=int, default=2048, help="training batch (default %(default)s)")
    parser.add_argument("--epochs", type=int, default=1, help="training epochs to time (default %(default)s)")
    parser.add_argument(
        "--ensemble", type=int, default=5, help="K heads for the ensemble scoring (default %(default)s)"
    )
    parser.add_argument("--threads", type=int, help="torch CPU threads (default: torch's choice)")
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    import django

    django.setup()
    import torch

    from ratings_site.predictor.embeddings import decode_embeddings
    from ratings_site.predictor.heads import AestheticHead, HeadEnsemble
    from ratings_site.predictor.scoring import score_embeddings
    from ratings_site.predictor.training.fitting import train_head, train_ridge_head

    if args.threads:
        torch.set_num_threads(args.threads)
    threads = torch.get_num_threads()
    print(
        f"torch {torch.__version__} on {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"{threads} torch threads; {args.count:,} embeddings of {args.dim} dimensions"
    )

    rng = np.random.default_rng(0)
    x = rng.standard_normal((args.count, args.dim), dtype=np.float32)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    y = (5.5 + 2.0 * np.sqrt(args.dim) * (x @ (x[0] / np.linalg.norm(x[0])))).astype(np.float32)
    torch.manual_seed(0)
    head = AestheticHead(args.dim).eval()
    ensemble = HeadEnsemble([AestheticHead(args.dim) for _ in range(args.ensemble)]).eval()
    rows: list[tuple[str, str, float, float]] = []

    def record(what: str, batch: str, embeddings: int, seconds: float) -> None:
        rows.append((what, batch, embeddings / seconds, seconds))
        print(f"  {what:<44} {batch:>12}  {embeddings / seconds:>12,.0f} emb/s  ({seconds:.2f} s)", flush=True)

    # Decoding stored float16 bytes (a chunk as the database returns it).
    stored = [vector.tobytes() for vector in x[: args.score_batch].astype(np.float16)]
    decode_embeddings(stored)
    started = time.perf_counter()
    repeats = max(1, args.count // args.score_batch)
    for _ in range(repeats):
        decode_embeddings(stored)
    record(
        "decode float16 bytes -> float32",
        f"{args.score_batch}",
        repeats * args.score_batch,
        time.perf_counter() - started,
    )

    # Scoring.
    score_embeddings(x[: args.score_batch], head, ensemble)  # warm-up
    for label, with_ensemble in (("score: one head", None), (f"score: head + ensemble of {args.ensemble}", ensemble)):
        started = time.perf_counter()
        for start in range(0, args.count, args.score_batch):
            score_embeddings(x[start : start + args.score_batch], head, with_ensemble)
        record(label, f"{args.score_batch}", args.count, time.perf_counter() - started)

    # Training: the whole of train_head (batches, Adam, the validation pass each epoch)...
    n_val = args.count // 10
    x_train, y_train, x_val, y_val = x[n_val:], y[n_val:], x[:n_val], y[:n_val]
    started = time.perf_counter()
    trained = train_head(
        x_train, y_train, x_val, y_val, epochs=args.epochs, batch_size=args.train_batch, lr=1e-3, seed=0
    )
    seconds = time.perf_counter() - started
    record(
        f"train_head, {args.epochs} epoch(s) incl. validation",
        f"{args.train_batch}",
        args.epochs * len(x_train),
        seconds,
    )
    print(f"    (validation MSE after {trained.best_epoch} epoch(s): {trained.best_val_mse:.4f})")

    # Ridge: the closed form, the penalty by leave-one-out, then with the penalty given.
    for label, penalty in (("train_ridge_head, penalty by leave-one-out", None), ("train_ridge_head, penalty given", 0.1)):
        started = time.perf_counter()
        fitted = train_ridge_head(x_train, y_train, x_val, y_val, penalty=penalty)
        record(label, "-", len(x_train), time.perf_counter() - started)
    print(f"    (validation MSE: {fitted.best_val_mse:.4f})")

    # ...and the optimiser steps alone (forward, backward, Adam), steady state.
    model = AestheticHead(args.dim).train()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    xb = torch.from_numpy(x_train[: args.train_batch])
    yb = torch.from_numpy(y_train[: args.train_batch])
    steps = max(5, min(50, len(x_train) // args.train_batch))
    for step in range(steps + 3):
        if step == 3:
            started = time.perf_counter()
        loss = torch.nn.functional.mse_loss(model(xb), yb)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
    record(
        "train: optimiser steps only", f"{args.train_batch}", steps * args.train_batch, time.perf_counter() - started
    )


if __name__ == "__main__":
    main()
