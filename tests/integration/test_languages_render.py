"""Titles, slides and burned captions in six writing systems, rendered to video and read back.

Each script is parsed and validated as a user's would be, its slides drawn and encoded by the
real engine (x264), and the decoded frames compared glyph by glyph with the same text drawn
straight from the font file the test names (tests/ink.py): a box where a glyph should be, an
unjoined Arabic word, a right-to-left word drawn left to right or a line that runs off the
slide fails. Speech is not under test here: the video is silent.
"""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image

from reelflow.engine.burned_captions import CaptionSpan, title_safe
from reelflow.engine.compose import Shot, render_video
from reelflow.engine.parsing import parse_script
from reelflow.engine.slides import TEXT, Slide, render_slide
from tests.ink import glyphs, likeness, likenesses, reference, runs, text_mask

WIDTH, HEIGHT = 640, 360
NOTO = Path("/usr/share/fonts/truetype/noto")
CJK_BOLD = "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"
CJK = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
DEJAVU_BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
ALIKE = 0.6  # measured: real glyphs 0.78-1.0 against their font, boxes ("tofu") 0.15-0.31

# language, title, narration, the font that should draw the title, its face index
TITLES = [
    ("ja", "一二三鬱", "一つの文です。", CJK_BOLD, 0),
    ("ar", "مستقبل في", "هذا نص عربي.", str(NOTO / "NotoSansArabic-Bold.ttf"), 0),
    ("he", "שלום", "זהו טקסט בעברית.", str(NOTO / "NotoSansHebrew-Bold.ttf"), 0),
    ("el", "ΩΔΞΨ", "Ένα ελληνικό κείμενο.", DEJAVU_BOLD, 0),
    ("ru", "ЖЯЩЮ", "Русский текст.", DEJAVU_BOLD, 0),
    ("fr", "ÉÅÑÇ", "Un texte en français.", DEJAVU_BOLD, 0),
]
RTL = {"ar", "he"}


def _script(language: str, title: str, narration: str) -> str:
    return f"title: {title}\nsettings: {{language: {language}}}\nscenes:\n  - {narration}\n"


def _first_frame(picture: Path, tmp_path: Path, captions: tuple[CaptionSpan, ...] = (),
                 language: str = "") -> np.ndarray:
    out = tmp_path / "out.mp4"
    render_video([Shot(picture, 6, captions, language=language)], out, fps=6, quality="high")
    with av.open(str(out)) as container:
        frame = next(container.decode(video=0))
        return np.asarray(frame.to_ndarray(format="rgb24"))


@pytest.mark.parametrize(("language", "title", "narration", "font", "index"), TITLES,
                         ids=[sample[0] for sample in TITLES])
def test_a_title_in_any_script_shows_the_fonts_own_glyphs_in_reading_order(
        tmp_path: Path, language: str, title: str, narration: str, font: str,
        index: int) -> None:
    script = parse_script(_script(language, title, narration), source_name="s.yaml")
    assert script.settings.language == language and script.settings.tts == "gtts"
    slide = tmp_path / "title.png"
    render_slide(Slide(script.title, None, script.scenes[0].narration, 0, 1,
                       language=language), slide, WIDTH, HEIGHT)
    mask = text_mask(_first_frame(slide, tmp_path), TEXT)
    direction = "rtl" if language in RTL else None
    expected = reference(title, font, index, direction=direction)
    found = likenesses(mask, expected)
    assert found and min(found) >= ALIKE, found
    if language in RTL:
        # The first word (in reading order) is drawn at the right, and the title is aligned
        # to the right edge of the text box.
        first = title.split()[0] if " " in title else title[0]
        drawn_first = glyphs(reference(first, font, index, direction="rtl"))[0]
        assert likeness(glyphs(mask)[-1], drawn_first) >= ALIKE
        right_edge = np.flatnonzero(mask.any(axis=0))[-1]
        assert right_edge > WIDTH * 0.85


def test_a_box_instead_of_a_glyph_fails_the_comparison(tmp_path: Path) -> None:
    # The check above can fail: DejaVu Sans has no CJK glyphs and draws boxes for them.
    boxes = reference("一二三鬱", DEJAVU_BOLD, size=40)
    found = likenesses(boxes, reference("一二三鬱", CJK_BOLD))
    assert len(found) == 4 and max(found) < ALIKE


def test_arabic_letters_join_into_words(tmp_path: Path) -> None:
    slide = tmp_path / "title.png"
    render_slide(Slide("مستقبل", None, "", 0, 1, language="ar"), slide, WIDTH, HEIGHT)
    mask = text_mask(_first_frame(slide, tmp_path), TEXT)
    # Joined letters leave no empty column inside the word; six separate letters would.
    word = runs(mask.any(axis=0))
    assert len(word) == 1 and word[0][1] - word[0][0] > 60


def test_japanese_text_without_spaces_breaks_into_lines_inside_the_slide(tmp_path: Path) -> None:
    body = "日本語の文章は単語の間に空白を入れずに書くので、行は文字と文字の間で折り返します。" * 2
    script = parse_script(_script("ja", "日本語", body), source_name="s.yaml")
    slide = tmp_path / "body.png"
    render_slide(Slide(script.title, None, script.scenes[0].narration, 1, 2, language="ja"),
                 slide, WIDTH, HEIGHT)
    mask = text_mask(_first_frame(slide, tmp_path), TEXT)
    margin = round(WIDTH * 0.07)
    columns = np.flatnonzero(mask.any(axis=0))
    assert columns[0] >= margin - 2 and columns[-1] <= WIDTH - margin + 2
    lines = runs(mask.any(axis=1), min_gap=3)
    assert len(lines) >= 3
    for top, bottom in lines[:-1]:  # every line but the last is filled to the right edge
        right = np.flatnonzero(mask[top:bottom].any(axis=0))[-1]
        assert right > WIDTH - margin - HEIGHT * 0.16  # short by at most a few characters
    for top, bottom in lines[1:]:  # no line starts with a comma or a full stop
        first = glyphs(mask[top:bottom])[0]
        assert first.shape[0] > (bottom - top) * 0.5


@pytest.mark.parametrize(("language", "text", "font", "index"), [
    ("ja", "一二三鬱", CJK, 0), ("zh", "一二三鬱", CJK, 2),
    ("ar", "مستقبل في", str(NOTO / "NotoSansArabic-Regular.ttf"), 0)], ids=["ja", "zh", "ar"])
def test_a_burned_caption_in_any_script_shows_the_fonts_own_glyphs_inside_the_safe_area(
        tmp_path: Path, language: str, text: str, font: str, index: int) -> None:
    plain = tmp_path / "plain.png"
    Image.new("RGB", (WIDTH * 2, HEIGHT * 2), (20, 60, 30)).save(plain)  # 720p: 32 px text
    frame = _first_frame(plain, tmp_path, (CaptionSpan(text, 0, 6),), language)
    mask = text_mask(frame, (255, 255, 255))
    direction = "rtl" if language == "ar" else None
    found = likenesses(mask, reference(text, font, index, direction=direction))
    assert found and min(found) >= ALIKE, found
    left, top, right, bottom = title_safe(WIDTH * 2, HEIGHT * 2)
    rows, columns = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    assert left <= columns[0] and columns[-1] < right and top <= rows[0] and rows[-1] < bottom
