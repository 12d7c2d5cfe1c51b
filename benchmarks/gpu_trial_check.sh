#!/usr/bin/env bash
# The trial checks on a CUDA machine, in one short run (for a session lent a GPU):
#   1. tracker doctor (what torch sees),
#   2. the trial tests with `tracker try` defaulting to CUDA (TRACKER_TRIAL_DEVICE=cuda),
#   3. the benchmark on CUDA, then on CPU in the same run for the same-machine baseline.
# Usage: bash benchmarks/gpu_trial_check.sh [OUT_DIR]   (figures land in OUT_DIR, default $OUT or /tmp)
set -uo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
OUT_DIR=${1:-${OUT:-/tmp}}
mkdir -p "$OUT_DIR"
export HF_HUB_OFFLINE=1 HF_HUB_DISABLE_TELEMETRY=1
status=0

echo "== doctor"
$PY -m tracker doctor --json > "$OUT_DIR/doctor.json" || status=1
$PY -m tracker doctor || status=1
$PY -c "import torch, sys; sys.exit(0 if torch.cuda.is_available() else 3)" \
  || { echo "torch sees no CUDA device: install a CUDA build of torch first (see doctor above)"; exit 3; }

echo "== trial tests (device auto = CUDA here; a few tests pin --device cpu on purpose)"
$PY -m pytest tests/trial tests/test_import_hygiene.py -q -p no:cacheprovider --durations=5 2>&1 \
  | tee "$OUT_DIR/trial_tests_cuda.txt" | tail -12 || status=1

echo "== smoke: tracker try on CUDA (bfloat16 where supported)"
$PY -m tracker try sentence-transformers/all-MiniLM-L6-v2 --device cuda --json \
  "A cat sits on the mat ||| A kitten rests on a rug ||| Stock markets fell" > "$OUT_DIR/try_cuda.json" || status=1

echo "== benchmark, CUDA then CPU, same machine"
$PY benchmarks/bench_trial.py --device cuda --json 2>/dev/null | tee "$OUT_DIR/bench_cuda.txt" || status=1
$PY benchmarks/bench_trial.py --device cpu --json 2>/dev/null | tee "$OUT_DIR/bench_cpu.txt" || status=1
exit $status
