"""validate.normalise: the one change made to a clerk's text."""

from __future__ import annotations

from site_builder.validate import normalise


def test_full_width_latin_letters_and_digits_become_ascii() -> None:
    assert normalise("項番４４とＤＸ推進ｗｇ") == "項番44とDX推進wg"


def test_every_other_character_is_kept() -> None:
    """Only the runs of full-width letters and digits are replaced; their neighbours in
    the full-width block (＠［｀｛), punctuation, kana and kanji stay as written."""
    every = "".join(chr(c) for c in range(0x10000) if not 0xD800 <= c < 0xE000)
    fullwidth = {
        *range(0xFF10, 0xFF1A),
        *range(0xFF21, 0xFF3B),
        *range(0xFF41, 0xFF5B),
    }
    expected = "".join(chr(ord(c) - 0xFEE0) if ord(c) in fullwidth else c for c in every)
    assert normalise(every) == expected
    assert normalise("＠［｀｛（１）　「ａ」") == "＠［｀｛（1）　「a」"
