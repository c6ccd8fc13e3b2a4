"""Run manifests: what was run on which inputs, so a result can be reproduced and cited."""

from __future__ import annotations

import hashlib
import json
import platform
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from . import __version__


def file_sha256(path: Path | None) -> str | None:
    if path is None or not Path(path).is_file():
        return None
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def base_manifest() -> dict[str, Any]:
    import numpy
    import pandas

    return {
        "toolkit": {"name": "ctc", "version": __version__},
        "created": datetime.now(UTC).replace(microsecond=0).isoformat(),
        "environment": {"python": platform.python_version(), "pandas": pandas.__version__, "numpy": numpy.__version__},
    }


def to_json(manifest: dict[str, Any]) -> str:
    return json.dumps(manifest, indent=2, ensure_ascii=False, sort_keys=False, default=str) + "\n"
