"""Pipeline efficiency of `manage.py predict_aesthetics`: its images/s over the model's alone.

Not a test: run it by hand (see benchmarks/README.md). It makes its own SQLite database,
MEDIA_ROOT and PREDICTOR_DIR in a temporary directory, writes N JPEGs of the demo pictures
(ratings_site.demo.painters, 768 px, varied content) and, for each configuration (batch
size x DataLoader workers x torch threads in the main process):

1. times the model alone: `ClipModel.encode` (autocast, forward, L2 normalisation) in
   inference mode on preprocessed images already in memory (on the device), after a warm-up,
   just before and just after each end-to-end run (the median is used, so a busy machine
   affects both sides alike; the column "±" shows how much those measurements varied);
2. runs `call_command("predict_aesthetics", "--no-prioritise", "--head", "none", ...)` on all
   N images (every score and embedding deleted first) and takes the time of `predict.run`, that
   is everything but loading the model: reading the queue, forking the workers, decoding,
   preprocessing, the forward, the head, and writing embeddings and scores to the database;
3. prints both rates and their ratio (goal >= 0.9), for the best configuration the ratio also
   against the best model-only rate of any thread setting, and a profile: read + preprocess CPU
   ms per image (one thread), model ms per image, database-write ms per batch. With
   --repeats R each configuration runs R times and the medians are printed.

On the CPU (default): ViT-B-32, random weights, fp32. With --gpu: ViT-H-14, random weights,
bf16 on CUDA, and the fraction of the GPU's bf16 peak reached (335 GFLOP per image), both against
the card's own bf16 matrix rate, measured at the end with one large bf16 matrix product on random
data (--peak-matmul, 8192 by default with --gpu; given on the CPU it measures the CPU the same way),
and against its datasheet peak; without a CUDA GPU --gpu refuses. benchmarks/gpu_check.sh runs it
on the GPU machine (benchmarks/README.md).
"""

from __future__ import annotations

import argparse
import io
import logging
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

VIT_H_14_GFLOP = 335.0  # per 224 px image, ../shared/horde-wire.md §7
# Dense (no sparsity) bf16 tensor-core peaks in TFLOPS, by a piece of torch.cuda.get_device_name().
# The first match wins, so the more specific names come first.
BF16_PEAK_TFLOPS: list[tuple[str, float]] = [
    ("GH200", 989.0),
    ("H200", 989.0),
    ("H100 PCIe", 756.0),
    ("H100 NVL", 835.0),
    ("H100", 989.0),  # SXM: "NVIDIA H100 80GB HBM3"
    ("H800 PCIe", 756.0),
    ("H800", 989.0),
    ("B200", 2250.0),
    ("A100", 312.0),
    ("A800", 312.0),
    ("L40S", 362.0),
    ("L40", 181.0),
    ("L4", 121.0),
    ("A10G", 70.0),
    ("A10", 125.0),
    ("RTX 4090", 165.0),
    ("RTX 3090", 71.0),
]


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--gpu", action="store_true", help="CUDA: ViT-H-14, bf16, and the fraction of the bf16 peak")
    parser.add_argument("--model", help="open_clip model (default ViT-B-32 on the CPU, ViT-H-14 with --gpu)")
    parser.add_argument("--model-config", help="a JSON open_clip model config to register first (the tests' tiny model)")
    parser.add_argument("--device", help="cpu, cuda or cuda:N (default cpu; cuda with --gpu)")
    parser.add_argument("--precision", choices=["fp32", "fp16", "bf16"], help="(default fp32 on the CPU, bf16 with --gpu)")
    parser.add_argument("--images", type=int, help="images to score per run (default 256 on the CPU, 4096 with --gpu)")
    parser.add_argument("--image-size", type=int, default=768, help="side of the JPEGs in pixels (default %(default)s)")
    parser.add_argument(
        "--distinct",
        type=int,
        help="pictures drawn (default: all N); the other files are hard links to them, decoded like any other",
    )
    parser.add_argument("--batch-sizes", help="comma-separated (default 32 on the CPU, 256 with --gpu)")
    parser.add_argument("--workers", help="DataLoader workers, comma-separated (default 0,1,2 on the CPU, 8,12 with --gpu)")
    parser.add_argument(
        "--threads", help="torch intra-op threads in the main process, comma-separated (default 2,1 on the CPU; GPU: unchanged)"
    )
    parser.add_argument(
        "--model-batches", type=int, help="timed batches per model-only measurement (default: N / (2 x batch), at least 2)"
    )
    parser.add_argument(
        "--repeats", type=int, default=1, help="end-to-end runs per configuration; medians are reported (default %(default)s)"
    )
    parser.add_argument("--compile", action="store_true", help="torch.compile the image tower (both measurements)")
    parser.add_argument("--peak-tflops", type=float, help="the GPU's datasheet dense bf16 peak, when the table lacks it")
    parser.add_argument(
        "--peak-matmul",
        type=int,
        help="side of the square bf16 matrix product timed for the measured peak (default 8192 with --gpu, else 0: none)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (its path is printed)")
    args = parser.parse_args(argv)
    gpu = args.gpu
    args.model = args.model or ("ViT-H-14" if gpu else "ViT-B-32")
    args.precision = args.precision or ("bf16" if gpu else "fp32")
    args.images = args.images or (4096 if gpu else 256)
    args.device = args.device or ("cuda" if gpu else "cpu")
    if gpu and not args.device.startswith("cuda"):
        parser.error("--gpu runs on CUDA: --device cuda or cuda:N")
    args.peak_matmul = (8192 if gpu else 0) if args.peak_matmul is None else args.peak_matmul
    args.distinct = args.distinct or args.images

    def ints(text: str | None, default: str, name: str) -> list[int]:
        try:
            values = [int(part) for part in (text or default).split(",") if part.strip()]
        except ValueError:
            parser.error(f"--{name} takes integers, e.g. {default}")
        if not values:
            parser.error(f"--{name} needs at least one value")
        return values

    args.batch_sizes = ints(args.batch_sizes, "256" if gpu else "32", "batch-sizes")
    args.workers = ints(args.workers, "8,12" if gpu else "0,1,2", "workers")
    args.threads = ints(args.threads, "0" if gpu else "2,1", "threads")  # 0: leave torch's setting alone
    if args.images < max(args.batch_sizes) or min(args.batch_sizes) < 1 or min(args.workers) < 0 or min(args.threads) < 0:
        parser.error("need --images >= every batch size, batch sizes >= 1, workers and threads >= 0")
    if not 1 <= args.distinct <= args.images or args.peak_matmul < 0:
        parser.error("need 1 <= --distinct <= --images and --peak-matmul >= 0")
    return args


# --- The database and the images ----------------------------------------------------------


def setup_django(directory: Path) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{directory / 'bench.sqlite3'}"
    os.environ["MEDIA_ROOT"] = str(directory / "media")
    os.environ["PREDICTOR_DIR"] = str(directory / "predictors")
    os.environ["DEBUG"] = "1"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ratings_site.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def _write_jpeg(job: tuple[int, int, str]) -> int:
    from PIL import Image as PILImage

    from ratings_site.demo.painters import draw_demo_image

    index, size, path = job
    with PILImage.open(io.BytesIO(draw_demo_image(index, (size, size)))) as picture:
        picture.convert("RGB").save(path, "JPEG", quality=90)
    return os.path.getsize(path)


def make_images(count: int, size: int, distinct: int | None = None) -> float:
    """`count` JPEGs of the demo pictures under MEDIA_ROOT and their Image rows; returns the mean KB.

    Only `distinct` of them are drawn (drawing takes 0.1 to 0.6 s a picture); the others are hard links to
    those, so that a GPU's tens of thousands of images are ready in seconds. Each file is read and decoded
    on its own all the same."""
    from django.conf import settings

    from ratings_site.datasets.models import Dataset, Image

    folder = Path(settings.MEDIA_ROOT) / "images" / "bench"
    folder.mkdir(parents=True, exist_ok=True)
    distinct = min(count, distinct or count)
    jobs = [(index, size, str(folder / f"{index:06d}.jpg")) for index in range(distinct)]
    with ProcessPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        sizes = list(pool.map(_write_jpeg, jobs, chunksize=max(1, min(16, distinct // (4 * (os.cpu_count() or 1))))))
    for index in range(distinct, count):
        os.link(folder / f"{index % distinct:06d}.jpg", folder / f"{index:06d}.jpg")
    dataset = Dataset.objects.create(slug="bench", name="Pipeline benchmark")
    Image.objects.bulk_create(
        [
            Image(dataset=dataset, file=f"images/bench/{index:06d}.jpg", dedupe_key=f"bench-{index}", width=size, height=size)
            for index in range(count)
        ],
        batch_size=1000,
    )
    return sum(sizes) / len(sizes) / 1024


def forget_scores() -> None:
    from ratings_site.predictor.models import AestheticScore, ImageEmbedding

    AestheticScore.objects.all().delete()
    ImageEmbedding.objects.all().delete()


# --- Measurements -------------------------------------------------------------------------


@dataclass
class Profile:
    """What the instrumented run measured: the database writer's time."""

    write_seconds: float = 0.0
    writes: int = 0


def instrument(profile: Profile):
    """Wrap predict.run (to keep its summary) and BatchWriter._write (to time the database writes)."""
    from ratings_site.predictor import predict

    summaries = []
    run, write = predict.run, predict.BatchWriter._write

    def timed_run(**kwargs):
        summary = run(**kwargs)
        summaries.append(summary)
        return summary

    def timed_write(self, *args):
        started = time.perf_counter()
        try:
            return write(self, *args)
        finally:
            profile.write_seconds += time.perf_counter() - started
            profile.writes += 1

    predict.run = timed_run
    predict.BatchWriter._write = timed_write
    return summaries


def synchronize(device) -> None:
    import torch

    if device.type == "cuda":
        torch.cuda.synchronize()


def model_only_rate(clip, pixels, batches: int) -> float:
    """Images/s of clip.encode on a preprocessed batch already on the device (warm-up first)."""
    for _ in range(2):
        clip.encode(pixels)
    synchronize(clip.device)
    started = time.perf_counter()
    for _ in range(batches):
        features = clip.encode(pixels)
    features.cpu()  # the embeddings leave the device in the pipeline too
    synchronize(clip.device)
    return batches * len(pixels) / (time.perf_counter() - started)


def decode_cpu_ms(items, preprocess, sample: int = 64) -> float:
    """CPU ms per image to read and preprocess, one thread (what one DataLoader worker pays)."""
    import torch

    from ratings_site.predictor.pipeline import ImagesToScore, ReadLimits

    images = ImagesToScore(items[:sample], preprocess, ReadLimits.from_settings(timeout=10.0))
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # as in a DataLoader worker
    try:
        started = time.process_time()
        for index in range(len(images)):
            images[index]
        return (time.process_time() - started) / len(images) * 1e3
    finally:
        torch.set_num_threads(threads)


def preprocessed(items, preprocess, count: int):
    import torch

    from ratings_site.predictor.pipeline import ImagesToScore, ReadLimits

    images = ImagesToScore(items[:count], preprocess, ReadLimits.from_settings(timeout=10.0))
    return torch.stack([images[index][1] for index in range(len(images))])


def matmul_tflops(device, size: int, repeats: int = 20, warm_up_seconds: float = 0.5) -> float:
    """The device's bf16 matrix rate: TFLOP/s of one size x size x size bf16 product on random data (never zeros:
    they run faster), the median of `repeats` timed products after half a second of untimed ones (clocks up)."""
    import torch

    generator = torch.Generator(device=device).manual_seed(0)
    a, b = (torch.randn(size, size, generator=generator, device=device, dtype=torch.bfloat16) for _ in range(2))
    out = torch.empty(size, size, device=device, dtype=torch.bfloat16)
    started, products = time.perf_counter(), 0
    while products < 3 or time.perf_counter() - started < warm_up_seconds:
        torch.matmul(a, b, out=out)
        products += 1
        synchronize(device)
    seconds = []
    for _ in range(repeats):
        if device.type == "cuda":
            begin, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            begin.record()
            torch.matmul(a, b, out=out)
            end.record()
            end.synchronize()
            seconds.append(begin.elapsed_time(end) / 1e3)
        else:
            begin_time = time.perf_counter()
            torch.matmul(a, b, out=out)
            seconds.append(time.perf_counter() - begin_time)
    if not torch.isfinite(out).all():
        raise RuntimeError("the bf16 matrix product gave non-finite values")
    return 2 * size**3 / statistics.median(seconds) / 1e12


def gflop_per_image(clip, pixels) -> float:
    """GFLOP of the image tower for one image, counted by torch's FlopCounterMode (matrix products, attention,
    convolutions: 2 per multiply-add) on one forward pass of the uncompiled tower. With gradients on, so that
    nn.MultiheadAttention takes its plain path (its inference fast path is one fused operator the counter
    does not count: ViT-H-14 would count 216 GFLOP instead of about 335)."""
    import torch
    from torch.utils.flop_counter import FlopCounterMode

    visual = getattr(clip.model.visual, "_orig_mod", clip.model.visual)
    counter = FlopCounterMode(display=False)
    with torch.enable_grad(), clip.autocast(), counter:
        visual(pixels[:1].clone())
    return counter.get_total_flops() / 1e9


def bf16_peak(name: str, override: float | None) -> float | None:
    if override:
        return override
    for piece, tflops in BF16_PEAK_TFLOPS:
        if piece.lower() in name.lower():
            return tflops
    return None


@dataclass
class Row:
    batch: int
    workers: int
    threads: int
    model_rate: float  # images/s, the median of the measurements before and after each run
    model_spread: float  # (max - min) / median of those measurements: how steady the machine was
    pipeline_rate: float  # images/s of predict.run, the median over the repeats
    command_seconds: float  # the whole call_command, model load included
    write_ms: float  # per batch, in the writer thread

    @property
    def ratio(self) -> float:
        return self.pipeline_rate / self.model_rate


def load_average() -> str:
    try:
        return " ".join(f"{value:.2f}" for value in os.getloadavg())
    except OSError:
        return "n/a"


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    import torch

    if args.gpu and not torch.cuda.is_available():
        print(
            "--gpu needs a CUDA GPU, and torch sees none on this machine "
            f"(torch {torch.__version__}, CUDA build {torch.version.cuda or 'none'}). "
            "Run without --gpu for the CPU measurement.",
            file=sys.stderr,
        )
        return 2

    directory = Path(tempfile.mkdtemp(prefix="pipeline-bench-"))
    try:
        return measure(args, directory)
    finally:
        if args.keep:
            print(f"Kept {directory}")
        else:
            shutil.rmtree(directory, ignore_errors=True)


def measure(args: argparse.Namespace, directory: Path) -> int:
    import torch

    setup_django(directory)
    # open_clip warns on the root logger each time it builds a model without weights: expected here.
    logging.getLogger().addFilter(lambda record: not record.getMessage().startswith("No pretrained weights loaded"))

    from django.core.management import call_command

    from ratings_site.datasets.models import Image
    from ratings_site.predictor.clip import load_clip, resolve_device, resolve_precision
    from ratings_site.predictor.predict import _item

    device = resolve_device(args.device)
    dtype = resolve_precision(args.precision, device)
    print(f"Pipeline benchmark: {args.model}, random weights, {args.precision}, {device.type}", end="")
    if device.type == "cuda":
        print(f" ({torch.cuda.get_device_name()})", end="")
    print(f", torch {torch.__version__}, {os.cpu_count()} CPUs; working in {directory}")
    started = time.perf_counter()
    kb = make_images(args.images, args.image_size, args.distinct)
    print(
        f"Wrote {args.images} JPEGs of {args.image_size} px ({args.distinct} pictures drawn, the rest hard links to "
        f"them; mean {kb:.0f} KB) in {time.perf_counter() - started:.1f} s"
    )

    clip = load_clip(
        args.model, "none", device=device, dtype=dtype, model_config=args.model_config, compile_model=args.compile
    )
    items = [_item(*row) for row in Image.objects.order_by("id").values_list("id", "file", "url")]
    decode_ms = decode_cpu_ms(items, clip.preprocess)
    pixels_by_batch = {
        batch: preprocessed(items, clip.preprocess, batch).to(device) for batch in sorted(set(args.batch_sizes))
    }
    profile = Profile()
    summaries = instrument(profile)
    rows: list[Row] = []
    print(f"Load average at the start: {load_average()}")
    print()
    header = (
        f"{'batch':>5} {'workers':>7} {'threads':>7} {'model img/s':>11} {'±':>5} {'pipeline img/s':>14} "
        f"{'ratio':>6} {'write ms/batch':>14} {'command s':>9}"
    )
    print(header)
    print("-" * len(header))
    for threads in args.threads:
        if threads:
            torch.set_num_threads(threads)
        for batch in args.batch_sizes:
            pixels = pixels_by_batch[batch]
            batches = args.model_batches or max(2, args.images // (2 * batch))
            for workers in args.workers:
                model_rates, pipeline_rates, command_times = [], [], []
                profile.write_seconds, profile.writes = 0.0, 0
                for _ in range(args.repeats):
                    forget_scores()
                    model_rates.append(model_only_rate(clip, pixels, batches))
                    command_started = time.perf_counter()
                    call_command(
                        "predict_aesthetics",
                        "--model", args.model,
                        *(["--model-config", args.model_config] if args.model_config else []),
                        "--pretrained", "none",
                        "--head", "none",
                        "--device", args.device,
                        "--precision", args.precision,
                        "--batch-size", str(batch),
                        "--workers", str(workers),
                        "--no-prioritise",
                        "--no-progress",
                        *(["--compile"] if args.compile else []),
                        stdout=io.StringIO(),
                    )  # fmt: skip
                    command_times.append(time.perf_counter() - command_started)
                    summary = summaries.pop()
                    if summary.scored != args.images or summary.broken:
                        print(f"  (scored {summary.scored}, broken {summary.broken}: expected {args.images} scored)")
                    pipeline_rates.append(summary.images_per_second)
                    model_rates.append(model_only_rate(clip, pixels, batches))
                model_rate = statistics.median(model_rates)
                row = Row(
                    batch=batch,
                    workers=workers,
                    threads=threads or torch.get_num_threads(),
                    model_rate=model_rate,
                    model_spread=(max(model_rates) - min(model_rates)) / model_rate,
                    pipeline_rate=statistics.median(pipeline_rates),
                    command_seconds=statistics.median(command_times),
                    write_ms=profile.write_seconds / max(1, profile.writes) * 1e3,
                )
                rows.append(row)
                print(
                    f"{row.batch:>5} {row.workers:>7} {row.threads:>7} {row.model_rate:>11.1f} "
                    f"{row.model_spread:>5.0%} {row.pipeline_rate:>14.1f} {row.ratio:>6.2f} {row.write_ms:>14.1f} "
                    f"{row.command_seconds:>9.1f}",
                    flush=True,
                )
    print()
    print(f"Load average at the end: {load_average()}")
    best_model = max(row.model_rate for row in rows)
    best = max(rows, key=lambda row: row.pipeline_rate)
    print(
        f"Profile: read + preprocess {decode_ms:.1f} CPU ms per image (one thread); the model "
        f"{1e3 / best_model:.1f} ms per image at its best; database writes "
        f"{statistics.mean(row.write_ms for row in rows):.1f} ms per batch (in the writer thread)."
    )
    print(
        f"Best end to end: batch {best.batch}, {best.workers} workers, {best.threads} torch threads: "
        f"{best.pipeline_rate:.1f} images/s = {best.ratio:.2f} of the model alone in the same setting, "
        f"{best.pipeline_rate / best_model:.2f} of the best model-only rate ({best_model:.1f} images/s). Goal >= 0.9."
    )
    if device.type == "cuda" or args.peak_matmul:
        print_figures(args, clip, device, pixels_by_batch[min(pixels_by_batch)], rows)
    return 0


def print_figures(args: argparse.Namespace, clip, device, pixels, rows: list[Row]) -> None:
    """The headline figures: images/s model only and end to end, and what share of the bf16 peak they reach,
    against the matrix rate measured here (--peak-matmul) and the datasheet's (GPUs in BF16_PEAK_TFLOPS)."""
    import torch

    counted = gflop_per_image(clip, pixels)
    gflop = VIT_H_14_GFLOP if args.model == "ViT-H-14" else counted
    measured = matmul_tflops(device, args.peak_matmul) if args.peak_matmul else None
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else "CPU"
    datasheet = bf16_peak(name, args.peak_tflops) if device.type == "cuda" else None
    print()
    print(f"== Figures: {args.model}, {args.precision}, {name}, {'compiled' if args.compile else 'eager'}")
    print(
        f"per image: {gflop:.3g} GFLOP"
        + (f" (the nominal figure; FlopCounterMode counts {counted:.3g})" if gflop != counted else " (FlopCounterMode)")
    )
    if measured:
        print(f"measured bf16 matrix rate: {measured:.3g} TFLOP/s ({args.peak_matmul}^3 bf16 product, median of 20)")
    if datasheet:
        print(f"datasheet dense bf16 peak: {datasheet:.3g} TFLOP/s")

    def share(rate: float) -> str:
        achieved = rate * gflop / 1e3  # TFLOP/s
        parts = [f"{achieved:.3g} TFLOP/s"]
        if measured:
            parts.append(f"{achieved / measured:.1%} of measured peak")
        if datasheet:
            parts.append(f"{achieved / datasheet:.1%} of datasheet")
        return ", ".join(parts)

    for row in rows:
        print(
            f"batch {row.batch}, {row.workers} workers: model only {row.model_rate:.1f} images/s ({share(row.model_rate)}); "
            f"end to end {row.pipeline_rate:.1f} images/s ({share(row.pipeline_rate)}); "
            f"end to end / model only {row.ratio:.2f}"
        )
    best_model = max(rows, key=lambda row: row.model_rate)
    best = max(rows, key=lambda row: row.pipeline_rate)
    rate = best_model.model_rate
    print(f"best model only: {rate:.1f} images/s, {share(rate)} (goal >= 40% of measured)")
    print(
        f"best end to end: {best.pipeline_rate:.1f} images/s, {share(best.pipeline_rate)}; "
        f"{best.pipeline_rate / best_model.model_rate:.2f} of the best model only (goal >= 0.9)"
    )


if __name__ == "__main__":
    sys.exit(main())
