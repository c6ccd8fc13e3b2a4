#!/usr/bin/env bash
# Quick start, command 1: install ctc and run the main job on the bundled demo survey.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
out=${1:-ctc-demo}
mkdir -p "$out"
.venv/bin/ctc simulate --demo -o "$out/demo-survey.csv" --force
.venv/bin/ctc score "$out/demo-survey.csv" -o "$out/scored.parquet" --force
echo "demo: outputs in $out/"
