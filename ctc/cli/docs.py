"""Generate docs/cli.md from the commands' own --help (``python -m ctc.cli.docs``).

A test fails when the committed file differs, so the reference never drifts.
"""

from __future__ import annotations

from pathlib import Path

import click

from .main import cli

HEADER = """# Command-line reference

Generated from `--help` by `python -m ctc.cli.docs`; do not edit by hand.

Every command exits 0 on success, 1 with one `Error: …` line (and a hint) when the
input or a definition file is wrong, and 2 on a usage error. `--debug` (before the
command) adds a traceback. `--lang de` (global or per command) switches reports and
messages to German.
"""


def _walk(cmd: click.Command, path: list[str]) -> list[tuple[list[str], click.Command]]:
    out = [(path, cmd)]
    if isinstance(cmd, click.Group):
        ctx = click.Context(cmd)
        for name in sorted(cmd.list_commands(ctx)):  # the root loads its commands lazily
            sub = cmd.get_command(ctx, name)
            assert sub is not None
            out += _walk(sub, [*path, name])
    return out


def cli_reference() -> str:
    parts = [HEADER]
    for path, cmd in _walk(cli, ["ctc"]):
        with click.Context(cmd, info_name=" ".join(path), terminal_width=100, max_content_width=100) as ctx:
            text = cmd.get_help(ctx)
        level = "##" if len(path) <= 2 else "###"
        parts.append(f"{level} `{' '.join(path)}`\n\n```text\n{text}\n```\n")
    return "\n".join(parts)


def docs_path() -> Path:
    return Path(__file__).resolve().parents[2] / "docs" / "cli.md"


if __name__ == "__main__":
    docs_path().write_text(cli_reference(), encoding="utf-8")
    print(f"wrote {docs_path()}")
