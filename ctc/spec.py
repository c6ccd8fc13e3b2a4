"""Shared machinery for declarative definition files (instruments, catalogues, baselines).

* YAML is read with ruamel.yaml so every problem can name its line and column;
  duplicate keys and syntax errors become :class:`~ctc.errors.Problem` s, never tracebacks.
* pydantic validation errors are turned into the same ``Problem`` list, with the
  dotted path users see in their file (``scales[3].items[1]``).
* :class:`Text` is the format's "text": a plain string or a mapping language → string.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, RootModel, ValidationError, model_validator
from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from .errors import InvalidDefinition, Problem

LANGUAGES = ("en", "de")
M = TypeVar("M", bound=BaseModel)


class Strict(BaseModel):
    """Base for every definition model: unknown keys fail, instances are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=False)


class Text(RootModel[dict[str, str]]):
    """A user-facing text: ``"Family conflict"`` or ``{en: ..., de: ...}`` (``en`` required)."""

    model_config = ConfigDict(frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _from_plain(cls, value: Any) -> Any:
        if isinstance(value, str):
            return {"en": value}
        if isinstance(value, Mapping):
            if "en" not in value:
                raise ValueError("a text mapping needs an 'en' entry")
            bad = [k for k in value if not (isinstance(k, str) and k.isalpha() and len(k) == 2 and k.islower())]
            if bad:
                raise ValueError(f"language keys must be two-letter codes like 'en' or 'de', got {bad!r}")
            return dict(value)
        raise ValueError("a text must be a string or a mapping like {en: ..., de: ...}")

    def get(self, lang: str = "en") -> str:
        """The text in ``lang``, falling back to English."""
        return self.root.get(lang) or self.root["en"]

    def __str__(self) -> str:
        return self.root["en"]

    def __hash__(self) -> int:
        return hash(tuple(sorted(self.root.items())))


def text_in(value: Text | None, lang: str) -> str:
    return value.get(lang) if value is not None else ""


# --------------------------------------------------------------------------- YAML


def _yaml() -> YAML:
    y = YAML(typ="rt")  # round-trip nodes carry line/column information
    y.allow_duplicate_keys = False
    return y


def _fast_yaml() -> YAML:
    # libyaml through ruamel.yaml.clib: the same YAML 1.2 reading (duplicate keys refused too)
    # about 8× faster than the round-trip parser, but without line numbers (pure Python if
    # the C extension is missing)
    y = YAML(typ="safe", pure=False)
    y.allow_duplicate_keys = False
    return y


def read_yaml(path: Path) -> tuple[Any, list[Problem]]:
    """Parse a YAML file; return (data, problems). Syntax errors come back as problems."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return None, [Problem("", f"cannot read file: {exc.strerror or exc}")]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return None, [Problem("", f"file is not UTF-8 text (byte {exc.start}); save it as UTF-8")]
    return parse_yaml(text)


def parse_yaml(text: str) -> tuple[Any, list[Problem]]:
    try:
        return _yaml().load(text), []
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        msg = "YAML syntax error: " + " ".join(str(x) for x in (exc.context, exc.problem) if x)
        line = mark.line + 1 if mark is not None else None
        col = mark.column + 1 if mark is not None else None
        return None, [Problem("", msg.strip(), line, col)]
    except YAMLError as exc:
        return None, [Problem("", f"YAML error: {exc}")]


def plain(data: Any) -> Any:
    """ruamel containers → plain dicts/lists (pydantic and JSON want plain types)."""
    if isinstance(data, Mapping):
        return {k: plain(v) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [plain(v) for v in data]
    return data


def position(data: Any, path: Sequence[str | int]) -> tuple[int | None, int | None]:
    """Line and column (1-based) of ``path`` in a ruamel document, as deep as it resolves."""
    node, found = data, (None, None)
    for key in path:
        lc = getattr(node, "lc", None)
        try:
            if isinstance(node, Mapping) and key in node:
                if lc is not None:
                    ln, col = lc.key(key)
                    found = (ln + 1, col + 1)
                node = node[key]
            elif isinstance(node, list) and isinstance(key, int) and 0 <= key < len(node):
                if lc is not None:
                    ln, col = lc.item(key)
                    found = (ln + 1, col + 1)
                node = node[key]
            else:
                break
        except (KeyError, TypeError, AttributeError):
            break
    return found


def format_path(path: Iterable[str | int], data: Any = None) -> str:
    """``scales[3].items[1]``: list positions in brackets, mapping keys dotted.

    With the document at hand an int key of a mapping (a grade) prints dotted.
    """
    out, node = "", data
    for key in path:
        is_index = isinstance(key, int) and (node is None or isinstance(node, list))
        out += f"[{key}]" if is_index else ("." if out else "") + str(key)
        try:
            node = node[key] if node is not None else None
        except (KeyError, IndexError, TypeError):
            node = None
    return out


# --------------------------------------------------------------------------- pydantic


def _clean_loc(loc: tuple[Any, ...]) -> list[str | int]:
    """Drop pydantic's internal location parts (union tags, 'root', function names)."""
    out: list[str | int] = []
    for part in loc:
        if isinstance(part, str) and ("[" in part or part in {"root"} or part.startswith("function-")):
            continue
        out.append(part)
    return out


def _message(err: Mapping[str, Any]) -> str:
    kind = err.get("type")
    if kind == "extra_forbidden":
        return "unknown key (remove it or check its spelling)"
    if kind == "missing":
        return "required key is missing"
    if kind == "union_tag_invalid":
        ctx = err.get("ctx", {})
        return f"unknown rule type {ctx.get('tag')!r}; valid types: {ctx.get('expected_tags')}"
    msg = str(err.get("msg", "invalid value"))
    return msg.removeprefix("Value error, ")


def validation_problems(exc: ValidationError, data: Any, prefix: Sequence[str | int] = ()) -> list[Problem]:
    problems = []
    for err in exc.errors():
        loc = [*prefix, *_clean_loc(err["loc"])]
        line, col = position(data, loc)
        problems.append(Problem(format_path(loc, data), _message(err), line, col))
    return problems


def locate(data: Any, path: Sequence[str | int], message: str) -> Problem:
    line, col = position(data, path)
    return Problem(format_path(path, data), message, line, col)


def load_model(
    model: type[M],
    path: Path,
    cross_checks: Iterable[Any] = (),
    *,
    what: str = "file",
    hint: str | None = None,
) -> M:
    """Read ``path``, validate against ``model`` and ``cross_checks``; raise with *every* problem.

    ``cross_checks`` are callables ``(raw_data) -> list[Problem]`` working defensively on
    the raw document, so referential problems are reported even when the structure is
    also wrong.
    """
    checks = tuple(cross_checks)
    fast = _load_fast(model, path, checks)
    if fast is not None:
        return fast
    # a problem somewhere: read again with positions, so every problem names its line
    data, problems = read_yaml(path)
    source = f"{what} {path}"
    if problems:
        raise InvalidDefinition(source, problems, hint)
    for check in checks:
        problems.extend(check(data))
    try:
        result = model.model_validate(plain(data))
    except ValidationError as exc:
        problems = validation_problems(exc, data) + problems
        result = None
    if problems or result is None:
        raise InvalidDefinition(source, _dedupe(problems), hint)
    return result


def _load_fast(model: type[M], path: Path, checks: tuple[Any, ...]) -> M | None:
    """The model of a file without a single problem, read by the fast parser; None when
    anything is wrong (load_model then reads it again with line numbers to report it)."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
        # where the two parsers disagree, the round-trip one decides: tabs (the C parser accepts some
        # that the round-trip parser refuses), %YAML directives (the C parser reads a 1.1 file as 1.2),
        # explicit tags and merge keys (other values, another key order)
        if "\t" in text or text.startswith("%") or "\n%" in text or "!!" in text or "<<" in text:
            return None
        data = _fast_yaml().load(text)
        if any(check(data) for check in checks):
            return None
        return model.model_validate(data)
    except (OSError, UnicodeDecodeError, YAMLError, ValidationError):
        return None


def _dedupe(problems: list[Problem]) -> list[Problem]:
    seen: set[tuple[str, str]] = set()
    out = []
    for p in problems:
        key = (p.path, p.message)
        if key not in seen:
            seen.add(key)
            out.append(p)
    return out
