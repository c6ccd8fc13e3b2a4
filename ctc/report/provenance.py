"""What the report says about where its numbers come from, read from the run manifest.

The manifest is written by ``ctc profile``; the report reads it defensively (a missing
key is shown as a dash), so a context built in a notebook without a manifest renders too.
Keys read (docs/report.md)::

    created                      date and time of the run (ISO 8601)
    toolkit.version              ctc version (falls back to ctc.__version__)
    instrument.sha256            hash of the instrument file
    input.sha256 / input.path    hash and name of the survey file (a list of files is allowed)
    input.synthetic              true when the survey data are simulated
    baseline.synthetic           true when the baseline is simulated
    baseline.source / .year      shown when the context carries no Baseline object
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .. import __version__


def lookup(manifest: Mapping[str, Any], path: str) -> Any:
    node: Any = manifest
    for key in path.split("."):
        if not isinstance(node, Mapping) or key not in node:
            return None
        node = node[key]
    return node


def _entries(value: Any) -> list[Mapping[str, Any]]:
    if isinstance(value, Mapping):
        return [value]
    if isinstance(value, Sequence) and not isinstance(value, str):
        return [v for v in value if isinstance(v, Mapping)]
    return []


def _hashes(manifest: Mapping[str, Any], key: str) -> list[str]:
    return [str(e["sha256"]) for e in _entries(manifest.get(key)) if e.get("sha256")]


def _truthy(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.strip().lower() in {"true", "yes", "1"})


@dataclass(frozen=True)
class Provenance:
    created: str
    toolkit_version: str
    instrument_sha256: str
    input_sha256: tuple[str, ...]
    input_files: tuple[str, ...]
    synthetic_input: bool
    synthetic_baseline: bool


def provenance(manifest: Mapping[str, Any]) -> Provenance:
    created = lookup(manifest, "created")
    version = lookup(manifest, "toolkit.version") or lookup(manifest, "toolkit_version") or __version__
    inputs = _entries(manifest.get("input"))
    return Provenance(
        created=str(created) if created else "",
        toolkit_version=str(version),
        instrument_sha256=", ".join(_hashes(manifest, "instrument")),
        input_sha256=tuple(_hashes(manifest, "input")),
        input_files=tuple(str(e["path"]) for e in inputs if e.get("path")),
        synthetic_input=any(_truthy(e.get("synthetic")) for e in inputs),
        synthetic_baseline=any(_truthy(e.get("synthetic")) for e in _entries(manifest.get("baseline"))),
    )
