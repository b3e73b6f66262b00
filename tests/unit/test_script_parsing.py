"""Script model and parsing: every format, the title rules, overrides and every error."""

from __future__ import annotations

import hashlib
import json
import random
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from reelflow.engine.parsing import parse_script, script_sha256
from reelflow.engine.script import MAX_SCENES, MAX_SCRIPT_BYTES, RenderSettings, Scene, Script
from reelflow.errors import InvalidScript

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def error_of(data: bytes | str, **kwargs: object) -> InvalidScript:
    """Parses what must fail and returns the error, checked to be one readable line."""
    with pytest.raises(InvalidScript) as caught:
        parse_script(data, **kwargs)  # type: ignore[arg-type]
    message = str(caught.value)
    assert "\n" not in message
    assert "pydantic" not in message and "errors.pydantic.dev" not in message
    return caught.value


# --- Markdown and plain text ---------------------------------------------------------------


def test_a_markdown_script_has_its_title_and_one_scene_per_section() -> None:
    script = parse_script(
        "# My talk\n\n## Opening\nHello there.\nSecond line.\n\nNew paragraph.\n\n"
        "## Closing\nGoodbye.\n",
        source_name="talk.md",
    )
    assert script.title == "My talk"
    assert [s.heading for s in script.scenes] == ["Opening", "Closing"]
    assert script.scenes[0].narration == "Hello there. Second line. New paragraph."
    assert script.scenes[1].narration == "Goodbye."


def test_text_before_the_first_section_becomes_an_intro_scene_without_heading() -> None:
    script = parse_script("# T\n\nWelcome, everyone.\n\n## Part one\nThe body.\n")
    assert [(s.heading, s.narration) for s in script.scenes] == [
        (None, "Welcome, everyone."),
        ("Part one", "The body."),
    ]


def test_without_sections_each_paragraph_is_a_scene_without_heading() -> None:
    script = parse_script("# T\n\nFirst paragraph\ncontinues here.\n\nSecond.\n\n\nThird.\n")
    assert [s.narration for s in script.scenes] == [
        "First paragraph continues here.",
        "Second.",
        "Third.",
    ]
    assert all(s.heading is None for s in script.scenes)


def test_a_plain_text_file_is_read_as_paragraphs() -> None:
    script = parse_script(b"One idea.\r\n\r\nAnother idea.\r\n", source_name="notes.txt")
    assert [s.narration for s in script.scenes] == ["One idea.", "Another idea."]
    assert script.title == "Notes"


def test_setext_headings_work_like_hash_headings() -> None:
    script = parse_script("My talk\n=======\n\nPart\n----\nText.\n")
    assert script.title == "My talk"
    assert script.scenes[0].heading == "Part"


def test_a_second_level_one_heading_starts_a_scene_like_a_level_two_heading() -> None:
    script = parse_script("# Title\n\n# Another\nText.\n")
    assert script.title == "Title"
    assert script.scenes[0].heading == "Another"


@pytest.mark.parametrize(
    ("markdown", "spoken"),
    [
        (
            "Some **bold**, *italic*, __strong__ and _soft_ words.",
            "Some bold, italic, strong and soft words.",
        ),
        ("A ***very*** ~~old~~ idea.", "A very old idea."),
        ("See [the docs](https://example.com/a_b) now.", "See the docs now."),
        ("See [the docs][ref] now.\n[ref]: https://example.com", "See the docs now."),
        ("Run `pip install *reelflow*` first.", "Run pip install *reelflow* first."),
        (
            "Keep snake_case_names and 2 * 3 * 4 as they are.",
            "Keep snake_case_names and 2 * 3 * 4 as they are.",
        ),
        (r"Literal \*stars\* stay.", "Literal *stars* stay."),
        ("Fish &amp; chips<br>for <b>two</b>.", "Fish & chips for two."),
        ("Visit <https://example.com> today.", "Visit https://example.com today."),
        ("> Quoted words.", "Quoted words."),
        ("Said once.[^1]", "Said once."),
        (
            "Shopping:\n- eggs\n- milk!\n1. bread\n   with butter",
            "Shopping: eggs. milk! bread with butter.",
        ),
        ("- [x] done task", "done task."),
        ("Before.\n<!-- a note\nfor me -->\nAfter.", "Before. After."),
        ("Text.\n\n```python\nprint('no')\n```\n\nMore text.", None),
        ("| Name | Role |\n|------|:----:|\n| Ann | host |", "Name, Role. Ann, host."),
    ],
)
def test_markdown_is_stripped_to_plain_speakable_text(markdown: str, spoken: str | None) -> None:
    script = parse_script(f"## Scene\n{markdown}\n", source_name="x.md")
    expected = spoken if spoken is not None else "Text. More text."
    assert script.scenes[0].narration == expected


def test_headings_and_titles_are_stripped_of_markup_too() -> None:
    script = parse_script("# Welcome to *reelflow* #\n\n## The `engine` ##\nText.\n")
    assert script.title == "Welcome to reelflow"
    assert script.scenes[0].heading == "The engine"


def test_a_sub_heading_is_spoken_as_the_first_sentence_of_its_text() -> None:
    script = parse_script("## Scene\nIntro.\n\n### Details\n\nThe details.\n")
    assert script.scenes[0].narration == "Intro. Details. The details."


def test_control_characters_are_not_read_aloud() -> None:
    assert parse_script("Text\x01 with a\x07 bell.").scenes[0].narration == "Text with a bell."


def test_a_nul_character_is_refused_with_its_line_since_no_database_stores_it() -> None:
    assert str(error_of("# T\n\nText\x00 here.")) == "script contains a NUL character (line 3)"


def test_a_narration_of_only_punctuation_is_refused_before_any_speech_engine_runs() -> None:
    assert "nothing to speak" in str(error_of("# T\n\n## One\n\n. . .\n"))
    assert "nothing to speak" in str(error_of('{"scenes": ["?!"]}'))
    assert parse_script("# T\n\nÉté 2024 …").scenes[0].narration == "Été 2024 …"


def test_an_unclosed_comment_is_rejected_with_its_line() -> None:
    message = str(error_of("Text.\n<!-- a note\nMore text."))
    assert message == "comment opened at line 2 with '<!--' is never closed"


def test_a_code_block_is_not_read_aloud() -> None:
    script = parse_script("Spoken.\n\n~~~\n# not a heading\n~~~\n")
    assert [s.narration for s in script.scenes] == ["Spoken."]


def test_an_image_line_sets_the_image_hint_of_its_scene() -> None:
    script = parse_script(
        '## One\n![A diagram](images/one.png "Title")\nText.\n\n## Two\nNo picture.\n'
        "\n## Three\nInline ![x](<my pic.jpg>) image.\n"
    )
    assert [s.image for s in script.scenes] == ["images/one.png", None, "my pic.jpg"]
    assert script.scenes[2].narration == "Inline image."


def test_an_image_paragraph_goes_with_the_next_scene_or_else_the_last() -> None:
    script = parse_script("![a](a.png)\n\nFirst.\n\nSecond.\n\n![b](b.png)\n")
    assert [(s.narration, s.image) for s in script.scenes] == [
        ("First.", "a.png"),
        ("Second.", "b.png"),
    ]


def test_two_images_in_one_scene_are_rejected_with_their_lines() -> None:
    error = error_of("## One\n![a](a.png)\nText.\n![b](b.png)\n")
    assert "one image" in str(error) and "line 2" in str(error) and "line 4" in str(error)


def test_front_matter_holds_settings_and_the_title() -> None:
    script = parse_script(
        "---\ntitle: From front matter\nresolution: 1920x1080\nfps: 30\n"
        "settings:\n  quality: high\n  tts: gtts,piper\n---\n# Heading title\n\nText.\n"
    )
    assert script.title == "From front matter"
    assert (script.settings.width, script.settings.height, script.settings.fps) == (1920, 1080, 30)
    assert script.settings.quality == "high"
    assert script.settings.tts_chain == ("gtts", "piper")
    assert script.scenes[0].narration == "Text."


def test_a_bad_front_matter_setting_names_the_field_its_value_and_its_line() -> None:
    message = str(error_of("---\ntitle: T\nfps: 120\n---\nText.\n"))
    assert "settings.fps" in message and "120" in message and "line 3" in message


def test_an_unknown_front_matter_key_is_an_error_with_its_line() -> None:
    message = str(error_of("---\nspeeed: 2\n---\nText.\n"))
    assert message == "settings.speeed: unknown field (line 2)"


def test_front_matter_that_is_never_closed_is_an_error() -> None:
    assert "never closed" in str(error_of("---\nfps: 30\nText.\n"))


def test_a_front_matter_syntax_error_names_its_line_in_the_whole_file() -> None:
    message = str(error_of("---\nfps: 30\nquality: [high\n---\nText.\n"))
    assert message.startswith("YAML syntax error at line 4")
    assert "flow sequence at line 3" in message


@pytest.mark.parametrize("text", ["---\n\nJust text.\n", "---\nJust text.\n\n---\n"])
def test_a_leading_thematic_break_is_not_taken_for_front_matter(text: str) -> None:
    assert parse_script(text).scenes[0].narration == "Just text."


# --- Titles --------------------------------------------------------------------------------


def test_without_a_title_heading_the_title_comes_from_the_overrides() -> None:
    script = parse_script("Text.", source_name="my-video.md", overrides={"title": "Given"})
    assert script.title == "Given"


@pytest.mark.parametrize(
    ("source_name", "title"),
    [
        ("my-video.md", "My video"),
        ("/home/ann/scripts/launch_day_v2.txt", "Launch day v2"),
        ("C:\\Users\\ann\\quarterly--review.markdown", "Quarterly review"),
        (None, "Untitled"),
    ],
)
def test_without_any_title_the_file_name_is_humanised_else_untitled(
    source_name: str | None, title: str
) -> None:
    assert parse_script("Text.", source_name=source_name).title == title


def test_a_title_override_wins_over_the_scripts_own_title() -> None:
    assert parse_script("# Mine\n\nText.", overrides={"title": "Theirs"}).title == "Theirs"


def test_a_structured_script_without_title_falls_back_to_the_file_name() -> None:
    assert parse_script("scenes: [Hello.]", source_name="launch-plan.yaml").title == "Launch plan"


def test_an_empty_heading_is_ignored() -> None:
    script = parse_script("#\n\nText.\n\n## #\nMore.")
    assert script.title == "Untitled"
    assert [(s.heading, s.narration) for s in script.scenes] == [(None, "Text."), (None, "More.")]


def test_an_empty_title_is_rejected() -> None:
    assert str(error_of("---\ntitle: ' '\n---\nText.")) == "title: must not be empty (line 2)"


def test_a_too_long_title_is_rejected() -> None:
    assert "title" in str(error_of(f"# {'x' * 257}\n\nText."))


# --- YAML and JSON -------------------------------------------------------------------------


def test_a_yaml_script_has_title_settings_and_scenes() -> None:
    script = parse_script(
        "title: In YAML\nsettings:\n  resolution: 640x360\n  include_audio: false\n"
        "scenes:\n  - heading: One\n    narration: First.\n    image: a.png\n    duration: 4.5\n"
        "  - Second, as a bare string.\n",
        source_name="s.yml",
    )
    assert script.title == "In YAML"
    assert script.settings.resolution == "640x360" and script.settings.include_audio is False
    assert script.scenes[0] == Scene(heading="One", narration="First.", image="a.png", duration=4.5)
    assert script.scenes[1] == Scene(narration="Second, as a bare string.")


def test_a_json_script_is_read_the_same_way() -> None:
    data = {"title": "In JSON", "settings": {"fps": 30}, "scenes": ["One.", {"narration": "Two."}]}
    script = parse_script(json.dumps(data), source_name="s.json")
    assert script.title == "In JSON" and script.settings.fps == 30
    assert [s.narration for s in script.scenes] == ["One.", "Two."]


def test_yaml_settings_left_empty_mean_the_defaults() -> None:
    script = parse_script("title: T\nsettings:\nscenes: [Hi.]\n", source_name="a.yaml")
    assert script.settings == RenderSettings()


def test_yaml_numbers_are_accepted_as_text() -> None:
    script = parse_script("title: 1984\nscenes: [42]\n", source_name="a.yaml")
    assert (script.title, script.scenes[0].narration) == ("1984", "42")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('  {"title": "T", "scenes": ["Hi."]}', "T"),
        ("# comment\ntitle: Y\nscenes:\n  - Hi.\n", "Y"),
        ("Title: a note, not YAML.\n\nHi.", "Untitled"),
    ],
)
def test_without_a_file_name_the_format_is_sniffed(text: str, expected: str) -> None:
    assert parse_script(text).title == expected


def test_the_file_suffix_decides_the_format_over_the_content() -> None:
    script = parse_script("title: T\nscenes: [Hi.]\n", source_name="notes.md")
    assert script.scenes[0].narration == "title: T scenes: [Hi.]"


def test_an_unknown_yaml_field_names_its_path_and_line() -> None:
    text = "title: T\nscenes:\n  - One.\n  - Two.\n  - heading: H\n    narraton: Three.\n"
    message = str(error_of(text, source_name="a.yaml"))
    assert "scenes[2].narraton: unknown field (scene 3, line 6)" in message
    assert "scenes[2].narration: required field missing (scene 3, line 5)" in message


def test_an_unknown_json_field_names_its_path() -> None:
    text = json.dumps({"title": "T", "scenes": ["a"], "setings": {}})
    assert str(error_of(text, source_name="a.json")) == "setings: unknown field"


def test_a_yaml_syntax_error_names_its_line() -> None:
    error = error_of("title: T\nscenes:\n  - One.\n  - [unclosed\n", source_name="a.yaml")
    assert str(error).startswith("YAML syntax error at line 5")
    assert isinstance(error.__cause__, yaml.YAMLError)


def test_broken_yaml_is_reported_as_yaml_even_without_a_file_name() -> None:
    message = str(error_of("title: T\nscenes: [unclosed\n"))
    assert message.startswith("YAML syntax error at line 3")
    assert "while parsing a flow sequence at line 2" in message


def test_a_json_syntax_error_names_its_line_and_column() -> None:
    error = error_of('{\n  "title": "T",\n  "scenes": ["a",]\n}', source_name="a.json")
    assert str(error).startswith("JSON syntax error at line 3, column 18")
    assert isinstance(error.__cause__, json.JSONDecodeError)


@pytest.mark.parametrize(
    ("text", "name", "kind"),
    [
        ("- a\n- b\n", "a.yaml", "got a list"),
        ("just a string", "a.yaml", "got a str"),
        ("# only a comment\n", "a.yml", "got nothing"),
        ('["a"]', "a.json", "got a list"),
    ],
)
def test_a_top_level_that_is_not_a_mapping_is_rejected(text: str, name: str, kind: str) -> None:
    message = str(error_of(text, source_name=name))
    assert "must be a mapping" in message and kind in message


def test_duplicate_keys_are_rejected_rather_than_silently_dropped() -> None:
    assert "duplicate key 'title' at line 2" in str(
        error_of("title: A\ntitle: B\nscenes: [x]\n", source_name="a.yaml")
    )
    assert "duplicate key 'title'" in str(
        error_of('{"title": "A", "title": "B", "scenes": ["x"]}', source_name="a.json")
    )


def test_yaml_aliases_are_rejected_so_a_small_file_cannot_expand_without_bound() -> None:
    text = "a: &a [x, x]\nb: &b [*a, *a]\ntitle: T\nscenes: [Hi.]\n"
    assert "aliases are not supported" in str(error_of(text, source_name="a.yaml"))


def test_yaml_tags_that_build_objects_are_rejected() -> None:
    text = "title: !!python/object:os.system x\nscenes: [Hi.]\n"
    assert "YAML" in str(error_of(text, source_name="a.yaml"))


@pytest.mark.parametrize(
    ("text", "name", "expected"),
    [
        ("title: 2024-13-45\nscenes: [x]", "a.yaml", "YAML error at line 1, column 8"),
        ("settings:\n  fps: " + "9" * 5000 + "\nscenes: [x]", "a.yaml", "YAML error at line 2"),
        ('{"scenes": ["x"], "n": ' + "9" * 5000 + "}", "a.json", "JSON value cannot be read"),
        ("? [a, b]\n: x\nscenes: [x]", "a.yaml", "unhashable key"),
        ("title: T\x00\nscenes: [x]", "a.yaml", "NUL character (line 1)"),
    ],
)
def test_values_that_python_cannot_build_are_reported_as_script_errors(
    text: str, name: str, expected: str
) -> None:
    assert expected in str(error_of(text, source_name=name))


def test_an_empty_yaml_title_falls_back_to_the_file_name() -> None:
    assert parse_script("title:\nscenes: [x]\n", source_name="my-file.yaml").title == "My file"


def test_deeply_nested_input_is_rejected_cleanly() -> None:
    assert "JSON" in str(error_of("{" + '"a":[' * 100_000, source_name="a.json"))
    assert "YAML" in str(error_of("scenes: " + "[" * 100_000, source_name="a.yaml"))


# --- Overrides -----------------------------------------------------------------------------


def test_overrides_replace_what_the_script_says() -> None:
    script = parse_script(
        "---\nresolution: 640x360\nquality: draft\n---\nText.",
        overrides={
            "resolution": "1920x1080",
            "quality": "high",
            "tts": "gtts",
            "include_audio": False,
        },
    )
    settings = script.settings
    assert (settings.resolution, settings.quality, settings.tts_chain) == (
        "1920x1080",
        "high",
        ("gtts",),
    )
    assert settings.include_audio is False


def test_overrides_that_are_none_are_ignored() -> None:
    script = parse_script("---\nfps: 30\n---\nText.", overrides={"fps": None, "title": None})
    assert script.settings.fps == 30 and script.title == "Untitled"


def test_a_bad_override_names_the_override_and_its_value() -> None:
    message = str(error_of("Text.", overrides={"resolution": "1920*1080"}))
    assert message.startswith("override resolution: '1920*1080'") and "WIDTHxHEIGHT" in message


def test_an_unknown_override_is_rejected() -> None:
    assert str(error_of("Text.", overrides={"voice": "x"})) == "override voice: unknown field"


def test_overrides_from_a_command_line_are_coerced_from_strings() -> None:
    script = parse_script(
        "Text.", overrides={"fps": "30", "speed": "1.5", "include_audio": "false"}
    )
    assert (script.settings.fps, script.settings.speed, script.settings.include_audio) == (
        30,
        1.5,
        False,
    )


# --- Input errors --------------------------------------------------------------------------


@pytest.mark.parametrize("data", ["", b"", "   \n\t\n", b"\xef\xbb\xbf  \n"])
def test_empty_input_is_rejected(data: bytes | str) -> None:
    assert str(error_of(data)) == "script is empty"


@pytest.mark.parametrize(
    "text",
    [
        "# Just a title\n",
        "# T\n\n```\ncode only\n```\n",
        "<!-- nothing to say -->\n",
        "![a](a.png)\n",
    ],
)
def test_a_script_without_narration_is_rejected(text: str) -> None:
    assert "no narration" in str(error_of(text))


def test_a_section_without_narration_is_rejected_with_its_line() -> None:
    assert str(error_of("# T\n\n## Empty\n\n## Full\nText.\n")) == (
        "section 'Empty' at line 3 has no narration"
    )


def test_a_model_problem_in_markdown_names_the_scene_and_its_line() -> None:
    message = str(error_of(f"# T\n\n## One\nText.\n\n## {'h' * 201}\nText.\n"))
    assert message == ("scenes[1].heading: String should have at most 200 characters "
                       "(scene 2, line 6)")


def test_a_structured_script_without_scenes_is_rejected() -> None:
    message = str(error_of("title: T\nscenes: []\n", source_name="a.yaml"))
    assert message == "scenes: a script needs at least one scene with narration (line 2)"
    assert "scenes: required field missing" in str(error_of('{"title": "T"}'))


def test_bytes_that_are_not_utf8_are_rejected_with_their_offset_and_line() -> None:
    error = error_of(b"Fine.\n\nCaf\xe9 au lait.")
    assert str(error) == "script is not valid UTF-8: byte 0xe9 at offset 10 (line 3)"
    assert isinstance(error.__cause__, UnicodeDecodeError)


def test_utf16_input_gets_a_hint() -> None:
    assert "UTF-16" in str(error_of("Hello.".encode("utf-16")))


def test_a_script_over_one_megabyte_is_rejected_with_its_size_and_the_limit() -> None:
    message = str(error_of(b"a" * (MAX_SCRIPT_BYTES + 1)))
    assert message == "script is 1,000,001 bytes; the limit is 1,000,000 bytes"


def test_a_script_of_exactly_one_megabyte_is_accepted() -> None:
    text = ("word " * 499 + "end.\n\n").encode()
    data = (text * (MAX_SCRIPT_BYTES // len(text) + 1))[:MAX_SCRIPT_BYTES]
    assert len(parse_script(data).scenes) > 1


def test_five_hundred_scenes_are_accepted() -> None:
    text = "\n\n".join(f"Scene number {n}." for n in range(MAX_SCENES))
    assert len(parse_script(text).scenes) == 500


def test_five_hundred_and_one_scenes_are_rejected_with_the_count() -> None:
    text = "\n\n".join(f"Scene number {n}." for n in range(MAX_SCENES + 1))
    assert str(error_of(text)) == "scenes: 501 scenes; a script may have at most 500"
    data = json.dumps({"title": "T", "scenes": ["x"] * 501})
    assert "501 scenes" in str(error_of(data, source_name="a.json"))


def test_a_bad_resolution_names_the_value_and_the_expected_form() -> None:
    error = error_of(
        "title: T\nsettings:\n  resolution: 1920*1080\nscenes: [Hi.]\n", source_name="a.yaml"
    )
    message = str(error)
    assert message.startswith("settings.resolution: '1920*1080' is not a resolution")
    assert "WIDTHxHEIGHT" in message and "(line 3)" in message
    assert isinstance(error.__cause__, ValidationError)


def test_an_unknown_speech_engine_is_rejected_by_name() -> None:
    message = str(error_of('{"title": "T", "settings": {"tts": "piper,espeak"}, "scenes": ["x"]}'))
    assert "settings.tts: unknown speech engine 'espeak'" in message and "piper, gtts" in message


def test_an_unclosed_code_block_is_rejected_with_its_line() -> None:
    assert str(error_of("Text.\n\n```\ncode\n")) == "code block opened at line 3 is never closed"


def test_many_problems_are_summarised_in_one_line() -> None:
    data = {"title": "", "settings": {"fps": 0, "speed": 9, "quality": "ultra"}, "scenes": ["x"]}
    message = str(error_of(json.dumps(data)))
    assert message.count("; ") == 3 and message.endswith("and 1 more problems")


def test_arbitrary_input_is_either_a_script_or_an_invalid_script_error() -> None:
    # A seeded mini-fuzz over the characters that mean something to the three parsers.
    alphabet = [*"#-*_`~[]()!<>|:{}\",'&\\ \n\t\r=?%@^xyz019", "\ufeff", "\x00", "é"]
    rng = random.Random(20240611)
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 60)))
        for name in (None, "a.md", "a.yaml", "a.json"):
            try:
                parse_script(text, source_name=name)
            except InvalidScript as exc:
                assert "\n" not in str(exc)


# --- Encoding ------------------------------------------------------------------------------


def test_a_utf8_byte_order_mark_is_accepted() -> None:
    assert parse_script(b"\xef\xbb\xbf# Caf\xc3\xa9\n\nText.").title == "Café"
    assert parse_script("\ufeff# T\n\nText.").title == "T"
    data = b'\xef\xbb\xbf{"title": "T", "scenes": ["x"]}'
    assert parse_script(data, source_name="a.json").title == "T"


def test_the_sha256_of_text_is_the_sha256_of_its_utf8_bytes() -> None:
    assert (
        script_sha256("Café")
        == script_sha256("Café".encode())
        == hashlib.sha256(b"Caf\xc3\xa9").hexdigest()
    )


# --- The model -----------------------------------------------------------------------------


def test_render_settings_have_sensible_defaults() -> None:
    settings = RenderSettings()
    assert (settings.width, settings.height, settings.fps) == (1280, 720, 24)
    assert (settings.quality, settings.tts_chain, settings.speed) == ("standard", ("piper",), 1.0)
    assert (settings.pause_seconds, settings.include_audio, settings.language) == (0.6, True, "en")


@pytest.mark.parametrize(
    ("resolution", "reason"),
    [
        ("1920*1080", "expected WIDTHxHEIGHT"),
        ("1920X1080", "expected WIDTHxHEIGHT"),
        ("01920x1080", "expected WIDTHxHEIGHT"),
        ("1921x1080", "odd side"),
        ("8000x4000", "out of range"),
        ("14x14", "out of range"),
        ("3840x4500", "out of range"),
    ],
)
def test_a_resolution_must_be_even_sized_and_within_limits(resolution: str, reason: str) -> None:
    with pytest.raises(ValidationError, match=reason):
        RenderSettings(resolution=resolution)


@pytest.mark.parametrize("resolution", ["16x16", "7680x4320", " 640x480 "])
def test_resolutions_at_the_limits_are_accepted(resolution: str) -> None:
    assert RenderSettings(resolution=resolution).resolution == resolution.strip()


@pytest.mark.parametrize("tts", ["piper,", ",gtts", "gtts,gtts", "espeak", ""])
def test_a_speech_chain_needs_known_distinct_names(tts: str) -> None:
    with pytest.raises(ValidationError):
        RenderSettings(tts=tts)


def test_a_speech_chain_may_be_written_as_a_list_and_is_normalised() -> None:
    assert RenderSettings.model_validate({"tts": ["GTTS", " piper"]}).tts == "gtts,piper"


@pytest.mark.parametrize(
    "field",
    [
        {"fps": 0},
        {"fps": 61},
        {"speed": 0.4},
        {"speed": 2.1},
        {"speed": float("nan")},
        {"pause_seconds": -0.1},
        {"pause_seconds": 5.1},
        {"quality": "ultra"},
        {"language": "english!"},
    ],
)
def test_out_of_range_settings_are_rejected(field: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        RenderSettings.model_validate(field)


def test_a_scene_collapses_whitespace_and_treats_blank_optionals_as_absent() -> None:
    scene = Scene(heading="  ", narration="  Two\n lines\t here. ", image=" ")
    assert (scene.heading, scene.narration, scene.image) == (None, "Two lines here.", None)


@pytest.mark.parametrize(
    "fields",
    [
        {"narration": " \n "},
        {"narration": "x" * 5001},
        {"narration": "x", "heading": "h" * 201},
        {"narration": "x", "duration": 0},
        {"narration": "x", "duration": 601},
        {"narration": "x", "image": "a\x00b"},
        {"narration": "x", "extra": 1},
    ],
)
def test_invalid_scenes_are_rejected(fields: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        Scene.model_validate(fields)


def test_models_are_frozen() -> None:
    scene: Any = Scene(narration="x")  # Any: assigning is the point of the test
    with pytest.raises(ValidationError):
        scene.narration = "y"
    assert hash(Scene(narration="x")) == hash(Scene(narration="x"))


def test_word_count_counts_the_narration_of_every_scene() -> None:
    script = Script(
        title="T",
        scenes=(Scene(heading="Not counted", narration="one two"), Scene(narration="three")),
    )
    assert script.word_count == 3


# --- The bundled examples ------------------------------------------------------------------


@pytest.mark.parametrize("name", ["welcome.md", "three-paragraphs.md", "scenes.yaml"])
def test_every_example_parses(name: str) -> None:
    path = EXAMPLES / name
    assert parse_script(path.read_bytes(), source_name=path.name).scenes


def test_the_welcome_example_has_a_title_and_headed_scenes() -> None:
    script = parse_script((EXAMPLES / "welcome.md").read_bytes(), source_name="welcome.md")
    assert script.title == "Welcome to reelflow"
    assert 3 <= len(script.scenes) <= 4 and all(s.heading for s in script.scenes)


def test_the_three_paragraph_example_has_three_scenes_of_about_270_words() -> None:
    path = EXAMPLES / "three-paragraphs.md"
    script = parse_script(path.read_bytes(), source_name=path.name)
    assert len(script.scenes) == 3 and all(s.heading is None for s in script.scenes)
    assert 260 <= script.word_count <= 280


def test_the_yaml_example_has_settings_and_a_duration_hint() -> None:
    script = parse_script((EXAMPLES / "scenes.yaml").read_bytes(), source_name="scenes.yaml")
    assert (script.settings.resolution, script.settings.quality) == ("1280x720", "standard")
    assert len(script.scenes) == 3
    assert script.scenes[0].heading and script.scenes[0].duration == 8.0
