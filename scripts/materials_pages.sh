#!/usr/bin/env bash
# Build the demo's workshop kit and turn every PDF page into a PNG for review:
#   bash scripts/materials_pages.sh [OUT]        (default: materials-review/)
# Needs pdftoppm (Debian package poppler-utils). Pages land in OUT/png/<municipality>/<lang>/.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-materials-review}
dpi=${DPI:-60}
command -v pdftoppm >/dev/null || { echo "Error: pdftoppm not found. Hint: apt install poppler-utils" >&2; exit 1; }
.venv/bin/ctc materials --demo -o "$out/kit" --force
for pdf in "$out"/kit/*/*/*.pdf; do
  rel=${pdf#"$out/kit/"}
  dest="$out/png/$(dirname "$rel")"
  mkdir -p "$dest"
  pdftoppm -q -r "$dpi" -png "$pdf" "$dest/$(basename "$pdf" .pdf)"
done
echo "$(find "$out/png" -name '*.png' | wc -l) pages in $out/png/"
