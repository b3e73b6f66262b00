"""A script's BCP 47 language becomes the ISO 639-2 code each container labels a track with."""

import pytest

from reelflow.engine.language_codes import primary_language, track_language


@pytest.mark.parametrize(("tag", "mp4", "webm"), [
    ("en", "eng", "eng"), ("en-GB", "eng", "eng"), ("de", "deu", "ger"), ("fr-CA", "fra", "fre"),
    ("zh-Hant", "zho", "chi"), ("ja", "jpn", "jpn"), ("pt_BR", "por", "por"),
    ("he", "heb", "heb"), ("fil", "fil", "fil"), ("xx", "und", "und"), ("", "und", "und"),
])
def test_each_container_gets_its_form_of_the_code(tag: str, mp4: str, webm: str) -> None:
    assert track_language(tag, "mp4") == mp4
    assert track_language(tag, "webm") == webm


def test_the_primary_subtag_is_lower_case_and_regionless() -> None:
    assert primary_language(" zh-Hant-TW ") == "zh"
    assert primary_language("EN_us") == "en"
