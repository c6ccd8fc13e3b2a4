"""The message catalogue is complete: every English text in ctc/ has its German entry."""

from __future__ import annotations

import string

from scan import templates

from ctc.i18n import MESSAGES, translate
from ctc.phrases import DE


#: entries whose German is the English (a preposition, a parenthesis)
SAME_IN_GERMAN = {" in {}", " ({})"}


def _fields(text: str) -> list[str]:
    return [f for _, f, _, _ in string.Formatter().parse(text) if f is not None]


def test_every_message_in_the_source_has_a_german_entry() -> None:
    found = templates()
    assert len(found) > 250  # the scan sees the raise sites (guards against a scanner that finds nothing)
    missing = {text: where for text, where in found.items() if text not in DE}
    assert not missing, "no German entry in ctc/phrases.py (see docs/messages.md):\n" + "\n".join(
        f"  {where}: {text!r}" for text, where in missing.items())


def test_german_entries_take_the_same_values() -> None:
    for en, de in DE.items():
        n = len(_fields(en))
        fields = _fields(de)
        if all(f == "" for f in fields):
            assert len(fields) == n, (en, de)
        else:
            assert all(f.isdigit() and int(f) < n for f in fields), (en, de)
        assert de != en or en in SAME_IN_GERMAN, f"not translated: {en!r}"


def test_every_key_exists_in_both_languages() -> None:
    for key, entry in MESSAGES.items():
        assert entry.get("en") and entry.get("de"), key


def test_a_message_quoting_another_is_translated_through() -> None:
    en = ("instrument bad.yaml: 2 problems; first: scales[0] (line 3, column 5): "
          "unknown key (remove it or check its spelling)")
    assert translate(en, "de") == ("Instrument bad.yaml: 2 Probleme; erstes: scales[0] (Zeile 3, Spalte 5): "
                                   "unbekannter Schlüssel (entfernen Sie ihn oder prüfen Sie die Schreibweise)")


def test_numbers_in_messages_get_german_marks() -> None:
    assert translate("excluded 1,203 (4.5 %) by screening:", "de") == "1.203 (4,5 %) durch die Prüfregeln ausgeschlossen:"
    assert translate("excluded 1,203 (4.5 %) by screening:", "en") == "excluded 1,203 (4.5 %) by screening:"


def test_unknown_text_is_returned_as_it_is() -> None:
    assert translate("Musterstadt", "de") == "Musterstadt"
