#!/usr/bin/env python3
"""Screenshot an HTML report in headless Chromium: ``screenshot_report.py REPORT.html OUT.png``.

Fails (exit 1) when the page logs an error or requests anything but itself. Options:
``--width`` (CSS px, default 1200), ``--height`` (viewport, default 1600),
``--full-page`` (the whole page instead of the first screen), ``--at ID`` (one screen
starting at the element with that id, e.g. ``risk``), ``--pdf OUT.pdf`` (also
print it, A4 as the page's print CSS says), ``--slices DIR`` (the whole page cut into
screen-high PNGs, for reviewing a long report).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ctc.report.browser import BrowserError, inspect_page  # noqa: E402


def _slices(png: bytes, height: int, out: Path) -> list[Path]:
    import io

    from matplotlib import image

    pixels = image.imread(io.BytesIO(png), format="png")
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for k, top in enumerate(range(0, pixels.shape[0], height)):
        path = out / f"slice-{k:02d}.png"
        image.imsave(path, pixels[top:top + height])
        paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--width", type=int, default=1200)
    parser.add_argument("--height", type=int, default=1600)
    parser.add_argument("--full-page", action="store_true")
    parser.add_argument("--at", metavar="ID", help="start the screenshot at the element with this id")
    parser.add_argument("--pdf", type=Path)
    parser.add_argument("--slices", type=Path)
    args = parser.parse_args(argv)
    try:
        result = inspect_page(args.report, width=args.width, height=args.height,
                              full_page=args.full_page or args.slices is not None, pdf=args.pdf is not None,
                              anchor=args.at)
    except BrowserError as exc:
        print(f"Error: {exc.message}" + (f"\n{exc.hint}" if exc.hint else ""), file=sys.stderr)
        return 1
    args.out.write_bytes(result.png)
    if args.pdf:
        args.pdf.write_bytes(result.pdf)
    if args.slices:
        for path in _slices(result.png, args.height, args.slices):
            print(path)
    own = args.report.resolve().as_uri()
    foreign = [u for u in result.requests if u != own]
    print(f"{args.out}: {len(result.png) // 1024} KB, page {result.width}×{result.height} px")
    for problem in [*result.errors, *(f"request: {u}" for u in foreign)]:
        print(f"Error: {problem}", file=sys.stderr)
    return 1 if result.errors or foreign else 0


if __name__ == "__main__":
    sys.exit(main())
