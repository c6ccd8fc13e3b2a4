"""Every text of ctc compare exists in English and German, and every key the code uses exists."""

from __future__ import annotations

import re
from pathlib import Path

from ctc.compare.strings import LANGS, TEXTS, s

SOURCES = Path(__file__).resolve().parents[2] / "ctc"


def test_both_languages_with_the_same_placeholders() -> None:
    for key, entry in TEXTS.items():
        assert set(entry) == set(LANGS), key
        fields = [set(re.findall(r"{(\w+)}", entry[lang])) for lang in LANGS]
        assert fields[0] == fields[1], key


def test_every_used_key_exists() -> None:
    code = "".join(p.read_text(encoding="utf-8") for p in [*(SOURCES / "compare").glob("*.py"), SOURCES / "cli" / "compare_cmd.py"])
    used = set(re.findall(r"""\bs\(\s*["']([\w.\- ]+)["']\s*[,)]""", code))
    assert used and used <= set(TEXTS), used - set(TEXTS)
    for prefix in ("verdict.", "trend.", "html.kind."):  # built from codes
        assert any(k.startswith(prefix) for k in TEXTS)
    assert s("verdict.better", "de") == "besser" and s("verdict.better", "fr") == "better"
