#!/usr/bin/env bash
# The predictor's device check: the one command to run on the lent GPU machine (benchmarks/README.md, "The GPU check").
#
#   there (device tool):  run  command="bash benchmarks/gpu_check.sh"  carry=[".whl"]  timeout_s=540
#                         after `make gpu-wheels` here; the figures come back in $OUT/summary.txt and $OUT/gpu_check.log
#   here, the rehearsal:  GPU_CHECK_DEVICE=cpu PYTHON=... GPU_CHECK_WHEELS=... bash benchmarks/gpu_check.sh
#
# Steps, each with its own time limit, within GPU_CHECK_BUDGET seconds in all (default 450): a step that fails or
# runs out of time is reported and the next one runs, so that one failure does not waste the device time.
#   1. install the carried wheels to a target folder (the device README's recipe) and check what they need is there;
#   2. a SQLite database and demo images, and `predict_aesthetics` on them through manage.py (--device cuda:0, bf16);
#   3. the tests that skip without CUDA, and tests/test_predict_aesthetics_device_option.py;
#   4. benchmarks/pipeline_benchmark.py --gpu: ViT-H-14, random weights, bf16, end to end and model only, with the
#      bf16 matrix rate measured there and the fraction of it reached (335 GFLOP per image);
#   5. the same with --compile.
# With GPU_CHECK_DEVICE=cpu the same steps run on the CPU with the tests' tiny model (nothing is first tried there).
# GPU_CHECK_ONLY="install eager" (keys: env install imports smoke tests eager compile) runs only those steps, for a
# short second run; the other variables below size the benchmark (benchmarks/README.md).
set -uo pipefail  # not -e: every step runs

cd "$(dirname "$0")/.."
DEVICE=${GPU_CHECK_DEVICE:-cuda}
PYTHON=${PYTHON:-python3}
WHEELS=${GPU_CHECK_WHEELS:-.whl}
SITE=${GPU_CHECK_SITE:-/tmp/site}
BUDGET=${GPU_CHECK_BUDGET:-450}
ONLY=${GPU_CHECK_ONLY:-env install imports smoke tests eager compile}
OUT=${OUT:-benchmarks/out/gpu}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/gpu-check.XXXXXX")
export PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1

if [ "$DEVICE" = cpu ]; then
  # The rehearsal on the CPU: the tests' tiny model, a few images, a small product for the "peak".
  SMOKE_DEVICE=cpu
  BENCH=(--model tiny-clip-test --model-config tests/data/tiny-clip-test.json --device cpu --precision bf16
    --batch-sizes 16 --workers 2 --threads 2 --distinct 16 --peak-matmul 512)
  EAGER_IMAGES=${GPU_CHECK_IMAGES:-64}
  COMPILED_IMAGES=${GPU_CHECK_COMPILED_IMAGES:-64}
else
  # ViT-H-14 in bf16 on an H200: about 1000 to 2000 images/s. 32768 images make each end-to-end run 15 to 35 s and
  # each model-only measurement (half as many) 8 to 16 s; the compiled run, which compiles twice, gets half as many.
  # Batch 256 fills the GPU (65 k tokens per matrix product); 12 of the 16 cores decode.
  SMOKE_DEVICE=cuda:0
  BENCH=(--gpu --device cuda:0 --batch-sizes "${GPU_CHECK_BATCH:-256}" --workers "${GPU_CHECK_WORKERS:-12}"
    --distinct 256 --peak-matmul 8192)
  EAGER_IMAGES=${GPU_CHECK_IMAGES:-32768}
  COMPILED_IMAGES=${GPU_CHECK_COMPILED_IMAGES:-16384}
fi

START=$SECONDS
RESULTS=()
FAILED=0

# step KEY NAME MAX_SECONDS FUNCTION: run FUNCTION in its own process group under a time limit (the smaller of
# MAX_SECONDS and what is left of the budget), and record how it ended; unless KEY is not in GPU_CHECK_ONLY.
step() {
  local key=$1 name=$2 max=$3 function=$4
  [[ " $ONLY " == *" $key "* ]] || return 0
  local left=$((BUDGET - (SECONDS - START)))
  local limit=$((max < left ? max : left))
  local began=$SECONDS status
  if ((limit < 15)); then
    status="NOT RUN (budget spent)"
    FAILED=1
  else
    echo
    echo "=== $name (at most ${limit} s; $((SECONDS - START)) s into the check)"
    timeout --kill-after=10 "$limit" bash -c "$function"
    local rc=$?
    if ((rc == 0)); then
      status=ok
    elif ((rc == 124 || rc == 137)); then
      status="TIMED OUT after ${limit} s"
      FAILED=1
    else
      status="FAILED (exit $rc)"
      FAILED=1
    fi
  fi
  RESULTS+=("$(printf '%-38s %-26s %5d s' "$name" "$status" $((SECONDS - began)))")
  echo "=== $name: $status"
}

environment() {
  echo "date: $(date -u +%FT%TZ); host: $(uname -srm); $(nproc) CPUs; $(ldd --version 2>&1 | head -1)"
  free -g | sed -n 2p | awk '{print "memory: " $2 " GiB"}'
  df -h /dev/shm /tmp 2>/dev/null | sed 's/^/  /'
  if [ "$DEVICE" != cpu ]; then
    nvidia-smi --query-gpu=name,driver_version,memory.total,memory.used,clocks.sm,clocks.max.sm,power.limit,temperature.gpu \
      --format=csv 2>&1
  fi
  "$PYTHON" - <<'PY'
import importlib.metadata as metadata
import sys

print("python", sys.version.split()[0], sys.executable)
names = ["torch", "torchvision", "triton", "timm", "huggingface-hub", "numpy", "pillow", "safetensors", "regex",
         "tqdm", "pyyaml", "attrs", "typing-extensions", "packaging", "pytest"]
found = []
for name in names:
    try:
        found.append(f"{name} {metadata.version(name)}")
    except metadata.PackageNotFoundError:
        found.append(f"{name} MISSING")
print("device packages:", ", ".join(found))
try:
    import torch

    print("torch sees CUDA:", torch.cuda.is_available(), "CUDA", torch.version.cuda,
          "|", ", ".join(torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())))
except Exception as exc:  # reported, not fatal: the next steps say what fails
    print("torch does not import:", exc)
PY
}

install_wheels() {
  ls "$WHEELS"/*.whl >/dev/null || { echo "no wheels in $WHEELS/: run make gpu-wheels here and carry .whl"; return 1; }
  echo "$(ls "$WHEELS"/*.whl | wc -l) wheels, $(du -sh "$WHEELS" | cut -f1), into $SITE"
  "$PYTHON" -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target "$SITE" "$WHEELS"/*.whl
}

check_imports() {
  # Every requirement of every installed wheel is met (by the wheels or the device's own packages), and what the
  # predictor imports imports; then Django starts on the tests' settings.
  "$PYTHON" - <<'PY'
import importlib
import importlib.metadata as metadata
import os
import sys

from packaging.requirements import Requirement

site = os.environ["PYTHONPATH"]
unmet = []
for dist in metadata.distributions(path=[site]):
    for text in dist.requires or []:
        requirement = Requirement(text)
        if requirement.marker and not requirement.marker.evaluate({"extra": ""}):
            continue
        try:
            version = metadata.version(requirement.name)
        except metadata.PackageNotFoundError:
            unmet.append(f"{dist.metadata['Name']} needs {requirement}: missing")
            continue
        if requirement.specifier and not requirement.specifier.contains(version, prereleases=True):
            unmet.append(f"{dist.metadata['Name']} needs {requirement}: found {version}")
print("unmet requirements:", "; ".join(unmet) or "none")
failed = []
for module in ["django", "rest_framework", "drf_spectacular", "drf_spectacular_sidecar", "django_htmx", "template_partials",
               "django_tasks", "django_tasks_db", "csp", "whitenoise", "dj_database_url", "cryptography.fernet",
               "jsonschema", "ftfy", "pytest_django", "torch", "torchvision", "open_clip", "timm"]:
    try:
        importlib.import_module(module)
    except Exception as exc:
        failed.append(f"{module}: {type(exc).__name__}: {exc}")
print("imports that failed:", "; ".join(failed) or "none")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
sys.path.insert(0, os.getcwd())
import django

django.setup()
print("django.setup() on tests.settings: ok")
sys.exit(1 if unmet or failed else 0)
PY
}

smoke() {
  # A SQLite database of its own, the demo pictures as its images, and the real command through manage.py.
  export DATABASE_URL="sqlite:///$WORK/smoke.sqlite3" MEDIA_ROOT="$WORK/media" PREDICTOR_DIR="$WORK/predictors"
  export DEBUG=1 SECRET_KEY=gpu-check-only
  "$PYTHON" manage.py migrate --verbosity 0 &&
    "$PYTHON" manage.py seed_demo --count 24 &&
    "$PYTHON" manage.py predict_aesthetics --model tiny-clip-test --model-config tests/data/tiny-clip-test.json \
      --pretrained none --head none --device "$SMOKE_DEVICE" --precision bf16 --batch-size 8 --workers 2 \
      --no-prioritise --no-progress
}

cuda_tests() {
  local tests
  tests=$( (grep -l "skipif(not torch.cuda.is_available()" tests/test_*.py; echo tests/test_predict_aesthetics_device_option.py) | sort -u)
  echo "tests:" $tests
  "$PYTHON" -m pytest -p no:cacheprovider -q $tests 2>&1 | tee "$WORK/tests.log"
  local rc=${PIPESTATUS[0]}
  if [ "$DEVICE" != cpu ] && grep -q "needs a CUDA GPU" "$WORK/tests.log"; then
    echo "CUDA tests were skipped on the GPU machine: torch does not see its GPU"
    return 1
  fi
  return "$rc"
}

bench() {  # bench LOG ARGUMENTS...: the pipeline benchmark with the options chosen above (BENCH_ARGS) and these
  local log=$1
  shift
  # shellcheck disable=SC2086 # BENCH_ARGS: options without spaces, split on purpose
  "$PYTHON" benchmarks/pipeline_benchmark.py $BENCH_ARGS "$@" 2>&1 | tee "$WORK/$log"
  return "${PIPESTATUS[0]}"
}
bench_eager() { bench bench_eager.log --images "$EAGER_IMAGES"; }
bench_compiled() { bench bench_compiled.log --images "$COMPILED_IMAGES" --compile; }

main() {
  echo "GPU check of the predictor ($DEVICE), commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown); log in $OUT"
  export DEVICE PYTHON WHEELS SITE WORK SMOKE_DEVICE EAGER_IMAGES COMPILED_IMAGES BENCH_ARGS="${BENCH[*]}"
  export -f environment install_wheels check_imports smoke cuda_tests bench bench_eager bench_compiled
  step env "machine and packages" 30 environment
  step install "install the wheels" 90 install_wheels
  export PYTHONPATH=$SITE
  step imports "requirements and imports" 60 check_imports
  step smoke "database, images, predict_aesthetics" 90 smoke
  step tests "CUDA tests" 150 cuda_tests
  step eager "benchmark, eager" 170 bench_eager
  step compile "benchmark, --compile" 240 bench_compiled

  {
    echo
    echo "=== GPU check ($DEVICE), $((SECONDS - START)) s in all"
    printf '%s\n' "${RESULTS[@]}"
    cat "$WORK"/bench_eager.log "$WORK"/bench_compiled.log 2>/dev/null | sed -n '/^== Figures/,/^best end to end/p'
  } | tee "$OUT/summary.txt"
  rm -rf "$WORK"
  return "$FAILED"
}

main 2>&1 | tee "$OUT/gpu_check.log"
exit "${PIPESTATUS[0]}"
