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
messages to German. A failure of the system (disk full, no permission, read-only file
system, too many open files, ...) is an `Error:` line too, with a hint for that cause.
When the reader of standard output goes away (`ctc score … | head`), the command stops
quietly with exit code 141, as other Unix tools do. Output names that Windows reserves
(`con`, `nul`, `aux`, `com1`, ...) are refused; a municipality with such a name gets the
folder `con_`.

`ctc profile` refuses a run with nothing to analyse, each with one `Error:` line saying
why and what to do: more than half of the instrument's item columns missing (the
threshold is the instrument's `missing_share_above` screening share; above it every
questionnaire would be excluded), no valid grade (e.g. `7. Klasse`), no municipality,
every questionnaire excluded by screening, invalid weights (missing, zero, negative or
not a number: unless `--unweighted`, which ignores the weight column). A wave column
with several waves is never pooled: the latest wave is profiled (numeric waves) or the
one given with `--wave`; the summary and `manifest.json` (`input.selection`) say which.
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
        # the help option names the group passes down (-h, --help), as `ctc CMD --help` shows them. click caches
        # a command's help option on first use (Command._help_option, click >= 8.1.8), with the names of
        # whatever context asked first (a test invoking a subcommand directly gets only --help): drop the cache
        # so the reference never depends on what ran before in this process.
        cmd._help_option = None  # type: ignore[attr-defined]
        with click.Context(cmd, info_name=" ".join(path), terminal_width=100, max_content_width=100,
                           help_option_names=["-h", "--help"]) as ctx:
            text = cmd.get_help(ctx)
        level = "##" if len(path) <= 2 else "###"
        parts.append(f"{level} `{' '.join(path)}`\n\n```text\n{text}\n```\n")
    return "\n".join(parts)


def docs_path() -> Path:
    return Path(__file__).resolve().parents[2] / "docs" / "cli.md"


if __name__ == "__main__":
    docs_path().write_text(cli_reference(), encoding="utf-8")
    print(f"wrote {docs_path()}")
