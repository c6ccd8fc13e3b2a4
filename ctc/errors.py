"""One exception hierarchy for the toolkit.

Library code raises these; the CLI turns them into a single ``Error: ...`` line
(with the hint) and exit code 1. Definition errors concern files a survey office
or user writes (instrument, baseline, catalogue, mapping); data errors concern
the survey file itself.
"""

from __future__ import annotations

from dataclasses import dataclass


class CtcError(Exception):
    """Base class of every error the toolkit reports to a user."""

    hint: str | None = None

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        if hint is not None:
            self.hint = hint

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else ""


class DefinitionError(CtcError):
    """A definition file (instrument, baseline, catalogue, mapping) is wrong."""


@dataclass(frozen=True)
class Problem:
    """One problem in a definition file, with its path and (when known) position."""

    path: str
    message: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        where = self.path or "(top level)"
        if self.line is not None:
            where += f" (line {self.line}" + (f", column {self.column})" if self.column else ")")
        return f"{where}: {self.message}"


class InvalidDefinition(DefinitionError):
    """A definition file has one or more problems; all of them are listed."""

    def __init__(self, source: str, problems: list[Problem], hint: str | None = None) -> None:
        self.source = source
        self.problems = list(problems)
        n = len(self.problems)
        head = f"{source}: {n} problem{'s' if n != 1 else ''}"
        first = f"; first: {self.problems[0]}" if self.problems else ""
        super().__init__(head + first, hint)

    def report(self) -> str:
        lines = [f"{self.source}: {len(self.problems)} problem(s)"]
        lines += [f"  {p}" for p in self.problems]
        return "\n".join(lines)


class UnknownInstrument(DefinitionError):
    hint = "Run 'ctc instrument list' to see the shipped instruments, or give a path to a .yaml file."


class DataError(CtcError):
    """The survey data file cannot be used as given."""


class ReadError(DataError):
    """A data file could not be read at all."""


class MissingColumn(DataError):
    hint = "Name the column with --mapping (item,column) or override the instrument's 'columns'."


class OutputError(CtcError):
    """An output could not be written, or would overwrite a user's file."""


class UsageError(CtcError):
    """A combination of options that cannot work."""
