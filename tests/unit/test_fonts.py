"""Font choice (engine/fonts.py) on the faces the set-up installs (DejaVu, Noto, Noto CJK)."""

import pytest

from reelflow.engine.fonts import complex_layout, coverage, face_runs, font_name, missing_script


def _faces(text: str, weight: str = "regular", language: str = "") -> list[tuple[str, str]]:
    return [(run, face.name) for run, face in face_runs(text, weight, language)]


def test_the_set_up_gives_pillow_its_complex_text_layout() -> None:
    # Without it (Pillow's raqm needs the system's FriBiDi), Arabic would not join and
    # right-to-left text would be drawn backwards; README and .ci/run install libfribidi0.
    assert complex_layout()


@pytest.mark.parametrize(("text", "language", "face"), [
    ("Hello, café, Ελληνικά, Русский", "en", "DejaVu Sans"),
    ("مرحبا بالعالم", "ar", "Noto Sans Arabic"),
    ("שלום", "he", "Noto Sans Hebrew"),
    ("日本語のタイトル", "", "Noto Sans CJK JP"),
    ("中文标题", "zh", "Noto Sans CJK SC"),
    ("中文標題", "zh-TW", "Noto Sans CJK TC"),
    ("한국어 제목", "", "Noto Sans CJK KR"),
    ("東京 Tokyo", "ja", "Noto Sans CJK JP"),
    ("مرحبا Hello", "ar", "DejaVu Sans"),  # one face for both scripts beats two
])
def test_a_text_is_drawn_in_the_face_made_for_its_script_when_one_covers_it(
        text: str, language: str, face: str) -> None:
    assert _faces(text, "regular", language) == [(text, face)]


def test_bold_text_gets_the_bold_file_of_the_same_family() -> None:
    (_, face), = face_runs("日本語", "bold", "ja")
    assert face.name == "Noto Sans CJK JP" and face.path is not None
    assert face.path.name == "NotoSansCJK-Bold.ttc" and face.index == 0


def test_text_no_single_face_covers_is_split_into_runs_each_in_a_face_that_draws_it() -> None:
    runs = _faces("日本 مرحبا")
    assert "".join(run for run, _ in runs) == "日本 مرحبا"
    assert runs == [("日本 ", "Noto Sans CJK SC"), ("مرحبا", "Noto Sans Arabic")]


def test_an_emoji_in_a_latin_title_gets_a_symbols_face_and_the_rest_stays_in_dejavu() -> None:
    assert _faces("Intro 🎬") == [("Intro ", "DejaVu Sans"), ("🎬", "NotoSansSymbols2")]


@pytest.mark.parametrize("weight", ["regular", "bold"])
def test_the_words_after_an_emoji_only_symbola_draws_go_back_to_the_texts_face(
        weight: str) -> None:
    # Symbola also draws Latin letters: the run once stayed in it, and "today" came out in
    # its serif letters.
    assert _faces("Ship it 🚀 today", weight) == [
        ("Ship it ", "DejaVu Sans"), ("🚀 ", "Symbola"), ("today", "DejaVu Sans")]


@pytest.mark.parametrize(("text", "named"), [
    ("Hello \ue000", "private-use characters ('\\ue000', U+E000)"),
    ("ok \U000e0041", None),  # a tag character is a format character: nothing to draw
    ("Hello", None), ("日本語 مرحبا שלום Ελληνικά", None)])
def test_the_first_character_no_installed_face_draws_is_named_with_its_script(
        text: str, named: str | None) -> None:
    assert missing_script(text) == named


def test_a_character_map_is_read_once_and_a_choice_is_made_once_per_text() -> None:
    (_, face), = face_runs("日本語", "regular", "ja")
    before = coverage.cache_info().misses
    assert coverage(face) is coverage(face) and ord("語") in coverage(face)
    assert coverage.cache_info().misses == before  # already read for the choice above
    assert face_runs("日本語", "regular", "ja") is face_runs("日本語", "regular", "ja")


def test_the_metadata_names_the_face_that_draws_the_text() -> None:
    assert font_name("regular", "Hello") == "DejaVu Sans"
    assert font_name("regular", "مرحبا", "ar") == "Noto Sans Arabic"
