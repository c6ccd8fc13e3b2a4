"""Open a report in headless Chromium and look at it: screenshot, console errors, requests.

Used by ``scripts/screenshot_report.py`` and the report's browser test. It speaks the
Chrome DevTools Protocol over ``--remote-debugging-pipe`` (file descriptors 3 and 4,
NUL-terminated JSON), so it needs nothing beyond the standard library and a
``chromium`` binary: no websocket client, no port, no Selenium/Playwright.

What counts as an error: an uncaught exception, a ``console.error``/``warning`` call,
and every ``Log.entryAdded`` entry of level ``error`` (failed or blocked loads, CSP
violations, ...). Every request the page makes is recorded, so a caller can assert
that a self-contained page requests nothing but itself.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import CtcError

FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--no-default-browser-check",
    "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-extensions",
    "--disable-default-apps", "--mute-audio", "--hide-scrollbars", "--remote-debugging-pipe",
)


class BrowserError(CtcError):
    """Chromium is missing, crashed or did not answer."""

    hint = "Install Chromium (Debian: apt-get install --no-install-recommends chromium) or pass its path as binary=."


@dataclass
class PageResult:
    png: bytes
    width: int
    height: int  # full page height in CSS pixels
    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    pdf: bytes = b""
    value: Any = None  # what ``evaluate`` returned


def find_chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        path = shutil.which(name)
        if path:
            return path
    return None


class _Pipe:
    """A DevTools session over the two pipes."""

    def __init__(self, proc: subprocess.Popen, write_fd: int, read_fd: int, timeout: float) -> None:
        self.proc, self.write_fd, self.read_fd, self.timeout = proc, write_fd, read_fd, timeout
        self.buffer = b""
        self.next_id = 0
        self.events: list[dict[str, Any]] = []

    def send(self, method: str, params: dict[str, Any] | None = None, session: str | None = None) -> dict[str, Any]:
        self.next_id += 1
        message: dict[str, Any] = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self.write_fd, json.dumps(message).encode() + b"\0")
        while True:
            reply = self._read()
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise BrowserError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_for(self, method: str) -> dict[str, Any]:
        for k, event in enumerate(self.events):
            if event.get("method") == method:
                return self.events.pop(k)
        while True:
            event = self._read()
            if event.get("method") == method:
                return event
            self.events.append(event)

    def _read(self) -> dict[str, Any]:
        import select

        deadline = time.monotonic() + self.timeout
        while b"\0" not in self.buffer:
            left = deadline - time.monotonic()
            ready, _, _ = select.select([self.read_fd], [], [], max(0.0, left))
            if not ready:
                raise BrowserError(f"chromium did not answer within {self.timeout:.0f} s")
            chunk = os.read(self.read_fd, 1 << 20)
            if not chunk:
                raise BrowserError(f"chromium closed the DevTools pipe (exit code {self.proc.poll()})")
            self.buffer += chunk
        raw, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(raw)


def _launch(binary: str, profile: str) -> tuple[subprocess.Popen, int, int]:
    to_child_r, to_child_w = os.pipe()
    from_child_r, from_child_w = os.pipe()

    def plumbing() -> None:
        # in the child: fd 3 reads our commands, fd 4 writes replies. Copy to fresh numbers
        # first (a pipe end may itself be fd 3 or 4); dup2 leaves the copies inheritable.
        reader, writer = os.dup(to_child_r), os.dup(from_child_w)
        os.dup2(reader, 3)
        os.dup2(writer, 4)

    try:
        proc = subprocess.Popen([binary, *FLAGS, f"--user-data-dir={profile}", "about:blank"], stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, close_fds=False, preexec_fn=plumbing,
                                start_new_session=True)  # chromium and its helpers: one process group
    except OSError as exc:
        for fd in (to_child_r, to_child_w, from_child_r, from_child_w):
            os.close(fd)
        raise BrowserError(f"cannot start {binary}: {exc.strerror or exc}") from None
    os.close(to_child_r)
    os.close(from_child_w)
    return proc, to_child_w, from_child_r


def _errors(events: list[dict[str, Any]]) -> list[str]:
    out = []
    for e in events:
        method, params = e.get("method"), e.get("params", {})
        if method == "Runtime.exceptionThrown":
            out.append("exception: " + str(params.get("exceptionDetails", {}).get("text", "")))
        elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "warning", "assert"):
            out.append(f"console.{params['type']}: " + " ".join(str(a.get("value", a.get("description", ""))) for a in params.get("args", [])))
        elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
            entry = params["entry"]
            out.append(f"{entry.get('source')}: {entry.get('text')} {entry.get('url', '')}".strip())
    return out


def inspect_page(path: str | Path, *, width: int = 1200, full_page: bool = True, height: int = 1600, pdf: bool = False,
                 anchor: str | None = None, timeout: float = 60.0, binary: str | None = None,
                 evaluate: str | None = None) -> PageResult:
    """Load ``path`` in headless Chromium; return its screenshot, errors and requests.

    ``full_page``: the whole page, else one ``height``-high screen, starting at the element
    with id ``anchor`` when given (e.g. ``"risk"`` for a picture of the risk chart).
    ``evaluate``: a JavaScript expression run on the loaded page; its JSON value is returned.
    """
    binary = binary or find_chromium()
    if binary is None:
        raise BrowserError("chromium not found")
    url = Path(path).resolve().as_uri()
    profile = tempfile.mkdtemp(prefix="ctc-chromium-")
    try:
        proc, write_fd, read_fd = _launch(binary, profile)
        pipe = _Pipe(proc, write_fd, read_fd, timeout)
        try:
            return _session(pipe, url, width, full_page, height, pdf, anchor, evaluate)
        finally:
            _close(pipe)
    finally:
        _remove(profile)


def _close(pipe: _Pipe) -> None:
    """Ask the browser to quit (its helper processes go with it), then make sure it did."""
    try:
        os.write(pipe.write_fd, json.dumps({"id": pipe.next_id + 1, "method": "Browser.close"}).encode() + b"\0")
    except OSError:
        pass
    for fd in (pipe.write_fd, pipe.read_fd):
        os.close(fd)
    try:
        pipe.proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        pipe.proc.terminate()
        try:
            pipe.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pipe.proc.kill()
            pipe.proc.wait()
    _wait_for_group(pipe.proc.pid)


def _group_alive(pgid: int) -> bool:
    """Is any process of the group chromium was started in still running? (Linux /proc)"""
    proc = Path("/proc")
    if not proc.is_dir():
        return False
    for entry in proc.iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            if fields[0] != "Z" and int(fields[2]) == pgid:
                return True
    return False


def _wait_for_group(pgid: int, timeout: float = 15.0) -> None:
    """Let chromium's helper processes finish (they write to the profile until they exit);
    stop the ones still running after ``timeout`` — only the group this module started."""
    import signal

    deadline = time.monotonic() + timeout
    while _group_alive(pgid):
        if time.monotonic() > deadline:
            try:
                os.killpg(pgid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            return
        time.sleep(0.1)


def _remove(profile: str) -> None:
    """Delete the throw-away profile; a helper process may still be writing for a moment."""
    for _ in range(20):
        shutil.rmtree(profile, ignore_errors=True)
        if not os.path.exists(profile):
            return
        time.sleep(0.25)


def _top_of(pipe: _Pipe, session: str, anchor: str) -> int:
    script = (f"(() => {{ const e = document.getElementById({json.dumps(anchor)});"
              " return e ? Math.floor(e.getBoundingClientRect().top + window.scrollY) : -1; })()")
    top = pipe.send("Runtime.evaluate", {"expression": script, "returnByValue": True}, session=session)["result"]["value"]
    if top < 0:
        raise BrowserError(f"no element with id {anchor!r} on the page")
    return int(top)


def _session(pipe: _Pipe, url: str, width: int, full_page: bool, height: int, pdf: bool, anchor: str | None,
             evaluate: str | None = None) -> PageResult:
    target = pipe.send("Target.createTarget", {"url": "about:blank"})["targetId"]
    session = pipe.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
    for domain in ("Page", "Runtime", "Log", "Network"):
        pipe.send(f"{domain}.enable", session=session)
    pipe.send("Emulation.setDeviceMetricsOverride", {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
              session=session)
    pipe.send("Page.navigate", {"url": url}, session=session)
    pipe.wait_for("Page.loadEventFired")
    pipe.send("Runtime.evaluate", {"expression": "document.fonts.ready.then(() => 1)", "awaitPromise": True}, session=session)
    value = None
    if evaluate:
        value = pipe.send("Runtime.evaluate", {"expression": evaluate, "returnByValue": True}, session=session)["result"].get("value")
    metrics = pipe.send("Page.getLayoutMetrics", session=session)
    full = int(metrics.get("cssContentSize", metrics.get("contentSize", {})).get("height", height))
    top = _top_of(pipe, session, anchor) if anchor and not full_page else 0
    shot_height = full if full_page else min(height, full - top)
    clip = {"x": 0, "y": top, "width": width, "height": shot_height, "scale": 1}
    shot = pipe.send("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True, "clip": clip},
                     session=session)
    printed = b""
    if pdf:
        printed = base64.b64decode(pipe.send("Page.printToPDF", {"preferCSSPageSize": True, "printBackground": True},
                                             session=session)["data"])
    events = pipe.events
    requests = [e["params"]["request"]["url"] for e in events if e.get("method") == "Network.requestWillBeSent"]
    return PageResult(base64.b64decode(shot["data"]), width, full, _errors(events), requests, printed, value)
