"""Writing systems (engine/writing.py): where lines break, which way text runs, script names."""
# ruff: noqa: RUF001 - the full-width punctuation and letters are the subject here

import pytest

from reelflow.engine.writing import break_units, drawn, is_rtl, needs_shaping, script_name


def test_latin_text_breaks_only_after_spaces_and_keeps_them() -> None:
    assert list(break_units("Hello big world.")) == ["Hello ", "big ", "world."]


def test_japanese_breaks_between_characters_but_never_before_closing_marks_or_small_kana(
        ) -> None:
    units = list(break_units("日本語です。「かぎ」も、ちゃんと"))
    assert units == ["日", "本", "語", "で", "す。", "「か", "ぎ」", "も、", "ちゃ", "ん", "と"]


def test_chinese_punctuation_stays_with_the_character_before_and_opening_brackets_after(
        ) -> None:
    assert list(break_units("中文，测试！（括号）")) == ["中", "文，", "测", "试！", "（括", "号）"]


def test_korean_and_mixed_text_break_at_spaces_and_between_syllables() -> None:
    assert list(break_units("한국 Tokyo東京")) == ["한", "국 ", "Tokyo", "東", "京"]


@pytest.mark.parametrize("text", ["", "a", "日本語の文章です。", "مرحبا بالعالم، كيف", "x  y",
                                  "e\u0301t\u00e9", "👍🏽 ok"])
def test_the_units_joined_give_the_text_back(text: str) -> None:
    assert "".join(break_units(text)) == text


def test_a_combining_mark_never_starts_a_line() -> None:
    assert list(break_units("日\u3099本")) == ["日\u3099", "本"]


@pytest.mark.parametrize(("text", "rtl"), [("مرحبا", True), ("שלום world", True),
                                           ("Hello שלום", False), ("123 مرحبا", True),
                                           ("日本", False), ("", False)])
def test_a_paragraph_runs_the_way_its_first_strong_letter_does(text: str, rtl: bool) -> None:
    assert is_rtl(text) is rtl


def test_arabic_hebrew_and_combining_marks_need_shaping_latin_and_cjk_do_not() -> None:
    assert needs_shaping("مرحبا") and needs_shaping("שלום") and needs_shaping("क\u093f")
    assert not needs_shaping("Hello, Ελληνικά, Русский, 日本語")


@pytest.mark.parametrize(("char", "name"), [("a", "Latin"), ("ж", "Cyrillic"), ("ش", "Arabic"),
                                            ("ส", "Thai"),
                                            ("語", "CJK (Chinese, Japanese, Korean)"),
                                            ("か", "Japanese kana"), ("한", "Korean (Hangul)"),
                                            ("𐽰", "Old Uyghur"), ("𖩰", "Tangsa"),
                                            ("\ue000", "private-use characters"),
                                            ("🎬", "symbols and emoji")])
def test_a_character_s_writing_system_is_named_for_people(char: str, name: str) -> None:
    assert script_name(char) == name


def test_spaces_controls_joiners_and_variation_selectors_need_no_glyph() -> None:
    assert not any(drawn(char) for char in " \t\u200d\u200f\ufe0f\u00a0")
    assert drawn("a") and drawn("\u0301")
