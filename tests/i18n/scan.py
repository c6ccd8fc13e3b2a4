"""Find every English text a person can read in ctc's source, as a catalogue template.

Walks the syntax tree of every module under ``ctc/`` (no import needed) and collects the
message texts of errors and problems, hints, and the console lines of the CLI. Each text
becomes a template: an f-string's ``{expr}`` parts become ``{}``, adjacent literals and
``+`` concatenation are joined. ``ctc/phrases.py`` must hold a German entry for every
template that contains a word (pure punctuation such as ``"{}: {}"`` needs none).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2] / "ctc"

#: calls whose text arguments reach a person (besides the CtcError classes found in the source)
TEXT_CALLS = {"Problem": (1,), "locate": (2,), "ValueError": (0,), "CtcError": (0, 1)}
ECHO = {"echo", "say", "echo_err", "translate"}


def template(node: ast.AST) -> str | None:
    """The catalogue template of a literal text expression, else None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value.replace("{", "{{").replace("}", "}}")
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value.replace("{", "{{").replace("}", "}}") if isinstance(v, ast.Constant) else "{}"
                       for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = template(node.left), template(node.right)
        if left is None and right is None:
            return None
        return (left if left is not None else "{}") + (right if right is not None else "{}")
    if isinstance(node, ast.IfExp):
        return None
    return None


def _error_classes(trees: dict[Path, ast.Module]) -> set[str]:
    """Names of CtcError and every class deriving from it (by name, across modules)."""
    bases: dict[str, set[str]] = {}
    for tree in trees.values():
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                bases[node.name] = {getattr(b, "id", None) or getattr(b, "attr", "") for b in node.bases}
    found = {"CtcError"}
    grew = True
    while grew:
        new = {name for name, b in bases.items() if b & found} - found
        found |= new
        grew = bool(new)
    return found


def _name(func: ast.AST) -> str:
    return getattr(func, "id", None) or getattr(func, "attr", "") or ""


def _texts(node: ast.AST) -> Iterator[ast.AST]:
    """Text expressions in an argument (a list of problems counts too)."""
    if isinstance(node, (ast.List, ast.Tuple)):
        for elt in node.elts:
            yield from _texts(elt)
    elif isinstance(node, ast.IfExp):
        yield from _texts(node.body)
        yield from _texts(node.orelse)
    else:
        yield node


def templates() -> dict[str, str]:
    """Template → first place it occurs (``path:line``)."""
    trees = {p: ast.parse(p.read_text(encoding="utf-8")) for p in sorted(ROOT.rglob("*.py"))}
    errors = _error_classes(trees)
    found: dict[str, str] = {}

    def add(node: ast.AST, path: Path) -> None:
        for expr in _texts(node):
            text = template(expr)
            if text is not None and re.search(r"[A-Za-z]{2}", text.replace("{}", "")):
                found.setdefault(text, f"{path.relative_to(ROOT.parent)}:{getattr(expr, 'lineno', 0)}")

    for path, tree in trees.items():
        in_cli = path.parent.name == "cli"
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                name = _name(node.func)
                if name in errors:
                    for arg in node.args[:2]:
                        add(arg, path)
                    for kw in node.keywords:
                        if kw.arg in {"hint", "message"}:
                            add(kw.value, path)
                elif name in TEXT_CALLS:
                    for i in TEXT_CALLS[name]:
                        if i < len(node.args):
                            add(node.args[i], path)
                elif in_cli and name in ECHO and node.args and path.name != "docs.py":
                    add(node.args[0], path)
            elif isinstance(node, (ast.Assign, ast.AnnAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                if node.value is not None and any("hint" in _name(t).lower() for t in targets):
                    values = node.value.values if isinstance(node.value, ast.Dict) else [node.value]
                    for v in values:
                        add(v, path)
            elif isinstance(node, ast.FunctionDef) and "hint" in node.name.lower():
                for sub in ast.walk(node):
                    if isinstance(sub, ast.Return) and sub.value is not None:
                        add(sub.value, path)
    return found


if __name__ == "__main__":  # python tests/i18n/scan.py: list the templates that lack a German entry
    import sys

    sys.path.insert(0, str(ROOT.parent))
    from ctc.phrases import DE

    for text, where in templates().items():
        if text not in DE:
            print(f"{where}\t{text!r}")
