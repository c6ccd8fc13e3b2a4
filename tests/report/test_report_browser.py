"""The report in a real browser (headless Chromium): no errors, no requests, a real picture.

Console errors are collected over the DevTools protocol (``ctc.report.browser``):
uncaught exceptions, console.error/warning calls and every error-level log entry
(failed or blocked loads, CSP violations). Scanning ``--enable-logging`` output would
miss the log entries and depends on Chromium's log format; the protocol does not.
"""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from ctc.report.browser import BrowserError, inspect_page

REPO = Path(__file__).resolve().parents[2]
chromium = pytest.mark.external("chromium")


def _pixels(png: bytes) -> np.ndarray:
    from matplotlib import image

    return image.imread(io.BytesIO(png), format="png")


@chromium
def test_report_renders_without_errors_or_requests_and_prints_on_a4(pages, tmp_path: Path) -> None:
    path = tmp_path / "report.html"
    path.write_text(pages["de"], encoding="utf-8")
    result = inspect_page(path, width=1200, full_page=False, height=1600, pdf=True)
    assert result.errors == []
    assert result.requests == [path.resolve().as_uri()]  # the page itself, nothing else
    assert result.png.startswith(b"\x89PNG") and len(result.png) > 50_000
    pixels = _pixels(result.png)
    assert pixels.shape[:2] == (1600, 1200)
    assert pixels[..., :3].std() > 0.1 and (pixels[..., :3] < 0.5).mean() > 0.01  # text and colour, not blank
    assert result.height > 10_000  # a long report, laid out
    assert result.pdf.startswith(b"%PDF") and result.pdf.count(b"/Type /Page\n") + result.pdf.count(b"/Type /Page>") + \
        result.pdf.count(b"/Type/Page") >= 8


@chromium
def test_error_detection_works(tmp_path: Path) -> None:
    bad = tmp_path / "bad.html"
    bad.write_text('<!DOCTYPE html><html><body><img src="missing.png"><script>console.error("boom")</script></body></html>')
    result = inspect_page(bad, full_page=False, height=400)
    assert any("boom" in e for e in result.errors)
    assert any(r.endswith("missing.png") for r in result.requests)


@chromium
def test_screenshot_script(pages, tmp_path: Path) -> None:
    report, png = tmp_path / "r.html", tmp_path / "r.png"
    report.write_text(pages["en"], encoding="utf-8")
    done = subprocess.run([sys.executable, str(REPO / "scripts" / "screenshot_report.py"), str(report), str(png)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert _pixels(png.read_bytes()).shape[:2] == (1600, 1200)


def test_a_missing_browser_is_a_toolkit_error(tmp_path: Path) -> None:
    with pytest.raises(BrowserError, match="cannot start") as info:
        inspect_page(tmp_path / "x.html", binary=str(tmp_path / "no-chromium"))
    assert "apt-get install" in (info.value.hint or "")
