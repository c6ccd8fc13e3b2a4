#!/usr/bin/env bash
# Rebuild profiles/demo-baseline.csv: a SYNTHETIC baseline computed from a large simulated
# reference population (no planted effects). Deterministic: same seed, same bytes.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
.venv/bin/ctc simulate -o "$tmp/reference.parquet" --municipalities 20 --respondents 2500 --seed 4242 --quiet
.venv/bin/ctc baseline build "$tmp/reference.parquet" -o profiles/demo-baseline.csv --force --year 2026 \
  --source "SYNTHETIC demo baseline: simulated reference population (ctc simulate, 20 municipalities x 2,500, seed 4242); not real data"
