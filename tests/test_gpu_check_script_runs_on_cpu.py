"""benchmarks/gpu_check.sh, the GPU machine's one command, and the figures it reads from pipeline_benchmark.py, tried on
the CPU so that nothing in them is first tried on the device: the benchmark measures a bf16 matrix rate and reports
the share of it reached (with the tests' tiny model), and the check reports a failed step and goes on to the next.
The whole check on the CPU, with the wheels installed, is rehearsed by hand (benchmarks/README.md: it downloads them).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TINY = ["--model", "tiny-clip-test", "--model-config", str(ROOT / "tests" / "data" / "tiny-clip-test.json")]


def environment(**extra: str) -> dict[str, str]:
    """This process's environment without the test settings (the benchmark chooses its own)."""
    return {**{k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}, **extra}


def test_the_benchmark_reports_the_share_of_a_measured_bf16_peak():
    command = [
        sys.executable, str(ROOT / "benchmarks" / "pipeline_benchmark.py"), *TINY,
        "--device", "cpu", "--precision", "bf16", "--images", "32", "--distinct", "8", "--batch-sizes", "16",
        "--workers", "0", "--threads", "1", "--peak-matmul", "256",
    ]  # fmt: skip

    result = subprocess.run(command, capture_output=True, text=True, timeout=120, env=environment())

    assert result.returncode == 0, result.stdout + result.stderr
    figures = result.stdout.split("== Figures: tiny-clip-test, bf16, CPU, eager", 1)[1]
    assert "measured bf16 matrix rate:" in figures and "(256^3 bf16 product, median of 20)" in figures
    assert "per image: 0.00374 GFLOP (FlopCounterMode)" in figures
    assert "of measured peak" in figures.split("best model only:", 1)[1]
    assert "of the best model only (goal >= 0.9)" in figures


def test_the_check_reports_a_failed_step_and_runs_the_next(tmp_path: Path):
    no_wheels = tmp_path / "no-wheels"
    no_wheels.mkdir()
    out = tmp_path / "out"
    result = subprocess.run(
        ["bash", str(ROOT / "benchmarks" / "gpu_check.sh")],
        capture_output=True,
        text=True,
        timeout=120,
        env=environment(
            GPU_CHECK_DEVICE="cpu",
            PYTHON=sys.executable,
            GPU_CHECK_WHEELS=str(no_wheels),
            GPU_CHECK_SITE=str(tmp_path / "site"),
            GPU_CHECK_ONLY="install imports",
            OUT=str(out),
        ),
    )

    assert result.returncode == 1, result.stdout + result.stderr
    summary = (out / "summary.txt").read_text()
    lines = {line[:38].strip(): line[38:].split() for line in summary.splitlines() if line.startswith(("install", "req"))}
    assert lines["install the wheels"][0] == "FAILED"
    assert lines["requirements and imports"][0] == "ok"  # this machine's own packages: nothing unmet
    assert "no wheels in" in (out / "gpu_check.log").read_text()
