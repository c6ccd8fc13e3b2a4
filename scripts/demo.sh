#!/usr/bin/env bash
# Quick start, command 1: install ctc and run the main job on the bundled demo survey.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
out=${1:-ctc-demo}
.venv/bin/ctc profile --demo -o "$out" --force
echo "demo: open $out/musterstadt/report.html and $out/musterstadt/planning.xlsx"
