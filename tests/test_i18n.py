from ctc.i18n import MESSAGES, number, t


def test_every_message_exists_in_english_and_german() -> None:
    missing = [k for k, v in MESSAGES.items() if not v.get("en") or not v.get("de")]
    assert missing == []


def test_german_numbers_use_a_decimal_comma() -> None:
    assert number(2.5, "de") == "2,5" and number(2.5, "en") == "2.5"
    assert number(8.25, "de", 1) == "8,2" or number(8.25, "de", 1) == "8,3"


def test_fallback_to_english_and_formatting() -> None:
    assert t("codebook.min_valid", "fr", n=2) == "at least 2 answered item(s)"
