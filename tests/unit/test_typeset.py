"""Setting text in lines (engine/typeset.py): widths kept, right-to-left lines from the right."""
# ruff: noqa: RUF001, RUF003 - the full-width punctuation and letters are the subject here

import numpy as np
import pytest
from PIL import Image, ImageDraw

from reelflow.engine.typeset import set_line, wrap

JAPANESE = "日本語の文章は単語の間に空白を入れずに書くので、行は文字と文字の間で折り返します。"


@pytest.mark.parametrize(("text", "language"), [
    (JAPANESE * 3, "ja"), ("中文文本，测试！（括号）。" * 8, "zh"),
    ("هذا نص عربي طويل لاختبار التفاف الأسطر من اليمين إلى اليسار " * 3, "ar"),
    ("A plain English sentence that goes on for a while. " * 4, "en")])
@pytest.mark.parametrize("width", [120, 333, 600])
def test_every_line_fits_its_width_and_the_lines_keep_all_the_text(
        text: str, language: str, width: int) -> None:
    lines = wrap(text, "regular", 24, width, language)
    assert all(line.width <= width for line in lines)
    assert "".join(line.text for line in lines).replace(" ", "") == text.replace(" ", "")
    if language in ("ja", "zh"):
        assert len(lines) > 1 and all(not line.text.startswith(("。", "，", "、", "）"))
                                      for line in lines)


def test_a_word_wider_than_the_width_gets_a_line_of_its_own() -> None:
    lines = wrap("a Pneumonoultramicroscopicsilicovolcanoconiosis b", "regular", 20, 100)
    assert [line.text for line in lines] == [
        "a", "Pneumonoultramicroscopicsilicovolcanoconiosis", "b"]


def test_an_ellipsis_shortens_a_line_to_its_room_in_any_script() -> None:
    for text, language in [(JAPANESE, "ja"), ("مرحبا بالعالم كيف حالك اليوم", "ar"),
                           ("Far too long for the room.", "en")]:
        line = set_line(text, "regular", 24, language).ellipsized(150)
        assert line.width <= 150 and line.text.endswith("…")
        assert text.startswith(line.text[:-1].rstrip())


def _ink_columns(text: str, language: str) -> np.ndarray:
    image = Image.new("L", (400, 60))
    line = set_line(text, "regular", 32, language)
    line.draw(ImageDraw.Draw(image), 20, 380, 42, (255,))
    return np.flatnonzero(np.asarray(image).max(axis=0) > 128)


def test_a_right_to_left_line_starts_at_the_right_edge_and_a_left_to_right_one_at_the_left(
        ) -> None:
    hebrew, latin = _ink_columns("שלום עולם", "he"), _ink_columns("Hello world", "en")
    assert 370 <= hebrew[-1] <= 380 and hebrew[0] > 150
    assert 20 <= latin[0] <= 30 and latin[-1] < 250


def test_the_first_letter_of_a_right_to_left_line_is_drawn_at_its_right_end() -> None:
    # "ש" then "י": drawn right to left, the wide shin is rightmost, the small yod leftmost.
    columns = _ink_columns("שי", "he")
    gap = np.flatnonzero(np.diff(columns) > 1)[0]
    left, right = columns[: gap + 1], columns[gap + 1:]
    assert len(right) > 2 * len(left)
