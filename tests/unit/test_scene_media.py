"""A scene's own media in the script: image, clip and recorded narration, with fit and
clip_audio, as YAML/JSON fields and as Markdown image lines (engine/script.py, parsing)."""

from __future__ import annotations

import pytest

from reelflow.engine.parsing import parse_located, parse_script
from reelflow.engine.parsing.markdown import media_field
from reelflow.errors import InvalidScript

YAML = """title: Mine
settings: {fit: contain, clip_audio: mix}
scenes:
  - narration: A picture.
    image: stock:beach
    fit: cover
  - narration: A clip.
    clip: clips/surf.mp4
    clip_audio: mute
  - narration: My own voice.
    audio: asset:0b8f7a52-6a3b-4a4e-9a7e-2f1f0b6f2d11
"""


def test_yaml_scenes_take_image_clip_and_audio_with_their_own_fit_and_clip_audio() -> None:
    script = parse_script(YAML, source_name="s.yaml")
    first, second, third = script.scenes
    assert (first.image, first.fit_in(script.settings)) == ("stock:beach", "cover")
    assert (second.clip, second.clip_audio_in(script.settings)) == ("clips/surf.mp4", "mute")
    assert third.audio == "asset:0b8f7a52-6a3b-4a4e-9a7e-2f1f0b6f2d11"
    # A scene without its own choice takes the script's.
    assert (third.fit_in(script.settings), third.clip_audio_in(script.settings)) == (
        "contain", "mix")


def test_the_defaults_are_cover_and_mute() -> None:
    script = parse_script("# T\n\nHello.")
    assert (script.settings.fit, script.settings.clip_audio) == ("cover", "mute")


def test_markdown_alt_words_choose_the_field_and_the_options() -> None:
    text = ("# T\n\n## One\n\n![contain](photo.png)\n\nA photo.\n\n## Two\n\n"
            "![clip mix](surf.mp4)\n![audio](voice.wav)\n\nA clip, in my voice.\n")
    script, lines = parse_located(text, source_name="t.md")
    one, two = script.scenes
    assert (one.image, one.fit, one.clip) == ("photo.png", "contain", None)
    assert (two.clip, two.clip_audio, two.audio, two.image) == (
        "surf.mp4", "mix", "voice.wav", None)
    assert lines[("scenes", 1, "clip")] == 11 and lines[("scenes", 1, "audio")] == 12


@pytest.mark.parametrize(("alt", "expected"), [
    ("", ("image", {})), ("a beach at dawn", ("image", {})), ("Clip", ("clip", {})),
    ("audio: my voice", ("audio", {})), ("clip mute", ("clip", {"clip_audio": "mute"})),
    ("image contain", ("image", {"fit": "contain"})),
])
def test_only_the_first_word_of_the_alt_text_makes_a_file_a_clip_or_audio(
        alt: str, expected: tuple[str, dict[str, str]]) -> None:
    assert media_field(alt) == expected


def test_an_image_and_a_clip_in_one_scene_are_refused() -> None:
    with pytest.raises(InvalidScript, match=r"an image or a clip, not both .*scene 1"):
        parse_script("# T\n\n![x](a.png)\n![clip](b.mp4)\n\nHello.\n", source_name="t.md")


def test_two_clips_in_one_scene_are_refused_with_their_lines() -> None:
    with pytest.raises(InvalidScript, match=r"play one clip, found 2 \(line 3, line 4\)"):
        parse_script("# T\n\n![clip](a.mp4)\n![clip](b.mp4)\n\nHello.\n", source_name="t.md")


def test_an_unknown_fit_is_refused_naming_the_field() -> None:
    with pytest.raises(InvalidScript, match=r"scenes\[0\]\.fit"):
        parse_script("title: T\nscenes:\n  - {narration: Hi., image: a.png, fit: stretch}\n",
                     source_name="t.yaml")


def test_fit_and_clip_audio_are_command_line_options_run_form_fields_and_api_fields() -> None:
    from prefect.utilities.callables import parameter_schema

    from reelflow.deployments.cli import parser
    from reelflow.flows.generate_video import generate_video
    from reelflow.services.scripts import overrides
    from reelflow.web.schemas import StartJob

    args = parser().parse_args(["render", "s.md", "--fit", "contain", "--clip-audio", "mix"])
    assert (args.fit, args.clip_audio) == ("contain", "mix")
    with pytest.raises(SystemExit):
        parser().parse_args(["render", "s.md", "--fit", "stretch"])
    form = parameter_schema(generate_video.fn).model_dump()["properties"]
    assert (form["fit"]["enum"], form["fit"]["default"]) == (["cover", "contain"], "cover")
    assert (form["clip_audio"]["enum"], form["clip_audio"]["default"]) == (["mute", "mix"],
                                                                           "mute")
    # Left on their defaults they override nothing; chosen, they win over the script.
    assert overrides(fit="cover", clip_audio="mute") == {}
    chosen = overrides(fit="contain", clip_audio="mix")
    script = parse_script("---\nfit: cover\n---\n# T\n\nHi.", overrides=chosen)
    assert (script.settings.fit, script.settings.clip_audio) == ("contain", "mix")
    assert StartJob(script="x", fit="contain", clip_audio="mix").fit == "contain"
