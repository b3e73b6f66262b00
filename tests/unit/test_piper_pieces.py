"""A sentence too long to speak at once is cut into pieces at pauses, else between words."""

from __future__ import annotations

from reelflow.engine.speech.piper_voice import split_phonemes


def _phonemes(text: str) -> list[str]:
    return list(text)


def test_a_sentence_within_the_limit_is_one_piece() -> None:
    sentence = _phonemes("helo der.")
    assert split_phonemes(sentence, limit=200) == [sentence]


def test_a_long_sentence_is_cut_after_a_pause_in_the_second_half_of_the_window() -> None:
    sentence = _phonemes("aaaa bbbbbb, cccc dddd eeee ffff gggg")
    pieces = split_phonemes(sentence, limit=16)
    assert "".join(pieces[0]) == "aaaa bbbbbb,"
    assert [p for piece in pieces for p in piece] == sentence and all(len(p) <= 16 for p in pieces)


def test_without_a_pause_the_cut_falls_between_words() -> None:
    sentence = _phonemes("aaaa bbbb cccc dddd eeee ffff")
    pieces = split_phonemes(sentence, limit=12)
    assert all("".join(p).endswith(" ") for p in pieces[:-1])
    assert [p for piece in pieces for p in piece] == sentence and all(len(p) <= 12 for p in pieces)


def test_a_word_longer_than_the_limit_is_cut_at_the_limit() -> None:
    sentence = _phonemes("x" * 50)
    pieces = split_phonemes(sentence, limit=20)
    assert [len(p) for p in pieces] == [20, 20, 10]


def test_a_pause_too_early_in_the_window_is_not_used() -> None:
    sentence = _phonemes("a, bbbbbbbbbbbbbbbbbbbbbbbbb ccccc")
    pieces = split_phonemes(sentence, limit=30)
    assert "".join(pieces[0]) == "a, bbbbbbbbbbbbbbbbbbbbbbbbb "
