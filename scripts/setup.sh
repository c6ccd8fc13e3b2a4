#!/usr/bin/env bash
# Create .venv (if needed) and install ctc with its test extras. Idempotent.
# Usage: bash scripts/setup.sh [--system]   (--system: also the Debian tools the tests use)
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${1:-}" = "--system" ]; then
  # Debian packages used by tests: R + survey (statistics oracle), Chromium (report
  # rendering), LibreOffice Calc (workbook recalculation). Installed only when missing.
  need=()
  command -v Rscript >/dev/null 2>&1 && Rscript -e 'library(survey)' >/dev/null 2>&1 || need+=(r-base-core r-cran-survey)
  # MASS: R survey's calibrate() needs MASS::ginv (tests/oracle/weights_oracle.R)
  command -v Rscript >/dev/null 2>&1 && Rscript -e 'library(MASS)' >/dev/null 2>&1 || need+=(r-cran-mass)
  command -v chromium >/dev/null 2>&1 || need+=(chromium)
  command -v soffice >/dev/null 2>&1 || need+=(libreoffice-calc-nogui)
  command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)  # scripts/materials_pages.sh
  if [ ${#need[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
      echo "setup: installing Debian packages: ${need[*]}" >&2
      export DEBIAN_FRONTEND=noninteractive
      apt-get update -qq >/dev/null
      apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
    else
      echo "setup: not root or no apt-get; tests needing ${need[*]} will be skipped (they fail under CI=true)" >&2
    fi
  fi
fi

PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip >/dev/null
.venv/bin/python -m pip install -q --disable-pip-version-check -e '.[test]'
