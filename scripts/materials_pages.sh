#!/usr/bin/env bash
# Build the demo's workshop kit and turn every PDF page into a PNG for review:
#   bash scripts/materials_pages.sh [OUT]        (default: materials-review/)
# Needs pdftoppm (Debian package poppler-utils). Pages land in OUT/png/<municipality>/<lang>/;
# the trend pages (three simulated waves, ctc compare, --compare) in OUT/png/trend/.
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
# trend pages: one town, three simulated waves with a planted change, profile + compare
t="$out/trend"
rm -rf "$t" && mkdir -p "$t"
.venv/bin/ctc simulate -o "$t/survey.csv" --municipalities 2 --respondents 300 --waves 2022,2024,2026 \
  --wave-change Musterstadt:family_conflict:2026:-15 --seed 7 -q
.venv/bin/ctc profile "$t/survey.csv" -o "$t/run" --baseline demo-baseline --bootstrap 0 -q
.venv/bin/ctc compare "$t/survey.csv" -o "$t/cmp" -q
.venv/bin/ctc materials "$t/run" --compare "$t/cmp" -m Musterstadt --kit assessment -o "$t/kit"
mkdir -p "$out/png/trend"
sheets="$t/kit/musterstadt/en/fact-sheets.pdf"
page=$(.venv/bin/python -c "import sys; from pypdf import PdfReader; print(next(i + 1 for i, p in enumerate(PdfReader(sys.argv[1]).pages) if 'Family conflict' in p.extract_text()))" "$sheets")
pdftoppm -q -r "$dpi" -png -f "$page" -l "$page" "$sheets" "$out/png/trend/fact-sheet-family-conflict"
posters="$t/kit/musterstadt/en/data-walk-posters-a3.pdf"
last=$(.venv/bin/python -c "import sys; from pypdf import PdfReader; print(len(PdfReader(sys.argv[1]).pages))" "$posters")
pdftoppm -q -r "$dpi" -png -f "$last" -l "$last" "$posters" "$out/png/trend/trend-poster"
echo "$(find "$out/png" -name '*.png' | wc -l) pages in $out/png/"
