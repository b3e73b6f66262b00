"""The music and transition options, wherever a user gives them: script settings, the command
line, the run form and the web API, each validated with one clear message."""

from __future__ import annotations

import os
from typing import Any

import pytest
from prefect.utilities.callables import parameter_schema
from pydantic import ValidationError

from reelflow.engine.parsing import parse_script
from reelflow.errors import InvalidScript
from reelflow.services.scripts import overrides

MARKDOWN = "---\n{front}\n---\n# T\n\nHello there.\n"


def settings_of(front: str) -> Any:
    return parse_script(MARKDOWN.format(front=front).encode(), source_name="x.md").settings


def test_by_default_there_is_no_music_and_scenes_cut() -> None:
    settings = parse_script(b"# T\n\nHello there.\n", source_name="x.md").settings
    assert (settings.music, settings.music_volume, settings.transition,
            settings.transition_seconds) == (None, -12.0, "cut", 0.5)


def test_front_matter_and_yaml_settings_ask_for_music_and_a_crossfade() -> None:
    settings = settings_of("music: sound/theme.mp3\nmusic_volume: -20\ntransition: crossfade\n"
                           "transition_seconds: 1.25")
    assert (settings.music, settings.music_volume, settings.transition,
            settings.transition_seconds) == ("sound/theme.mp3", -20.0, "crossfade", 1.25)
    text = (b"title: T\nsettings: {music: 'stock:calm', transition: crossfade}\n"
            b"scenes: [Hello.]\n")
    settings = parse_script(text, source_name="x.yaml").settings
    assert (settings.music, settings.transition) == ("stock:calm", "crossfade")


def test_an_empty_music_setting_means_no_music() -> None:
    assert settings_of("music: '  '").music is None
    assert settings_of("music: ~").music is None


@pytest.mark.parametrize(("front", "expected"), [
    ("music_volume: 3", r"settings\.music_volume: .*less than or equal to 0.*line 2"),
    ("music_volume: -41", r"settings\.music_volume: .*greater than or equal to -40"),
    ("music_volume: .nan", r"settings\.music_volume: .*finite"),
    ("music_volume: loud", r"settings\.music_volume: .*valid number"),
    ("transition: wipe", r"settings\.transition: .*'cut' or 'crossfade'.*line 2"),
    ("transition_seconds: 0", r"settings\.transition_seconds: .*greater than or equal to 0\.1"),
    ("transition_seconds: 2.5", r"settings\.transition_seconds: .*less than or equal to 2"),
    ("music: [a.mp3, b.mp3]", r"settings\.music: .*valid string"),
    ('music: "a\\0.mp3"', r"settings\.music: music path contains a NUL character"),
])
def test_a_bad_music_or_transition_setting_is_one_clear_error(front: str, expected: str
                                                              ) -> None:
    with pytest.raises(InvalidScript, match=expected):
        settings_of(front)


def test_parameters_on_their_defaults_leave_the_scripts_music_and_transition_alone() -> None:
    assert overrides() == {}
    assert overrides(music=" ", music_volume=-12.0, transition="cut",
                     transition_seconds=0.5) == {}
    assert overrides(music="audio/uploads/a.mp3", music_volume=-6, transition="crossfade",
                     transition_seconds=1.0) == {
        "music": "audio/uploads/a.mp3", "music_volume": -6, "transition": "crossfade",
        "transition_seconds": 1.0}


def test_the_command_line_takes_music_and_transition_options(tmp_path: Any,
                                                             monkeypatch: pytest.MonkeyPatch
                                                             ) -> None:
    from reelflow.deployments.cli import parser
    from reelflow.deployments.commands.render import _music

    args = parser().parse_args(["render", "s.md", "--music", "theme.mp3", "--music-volume",
                                "-18", "--transition", "crossfade", "--transition-seconds",
                                "0.8"])
    assert (args.music, args.music_volume, args.transition, args.transition_seconds) == (
        "theme.mp3", -18.0, "crossfade", 0.8)
    with pytest.raises(SystemExit):
        parser().parse_args(["render", "s.md", "--transition", "wipe"])
    with pytest.raises(SystemExit):
        parser().parse_args(["submit", "s.md", "--music-volume", "loud"])
    # A path on the command line is one from the current folder; references pass unchanged.
    monkeypatch.chdir(tmp_path)
    assert _music("sound/theme.mp3") == os.path.join(str(tmp_path), "sound", "theme.mp3")
    assert _music("stock:calm") == "stock:calm"
    assert _music(None) is None


def test_the_run_form_shows_music_and_transition_fields_on_their_defaults() -> None:
    from reelflow.flows.generate_video import generate_video

    props = parameter_schema(generate_video.fn).model_dump()["properties"]
    assert props["music"]["default"] == "" and props["music"]["type"] == "string"
    volume = props["music_volume"]
    assert (volume["default"], volume["type"], volume["minimum"], volume["maximum"]) == (
        -12.0, "number", -40.0, 0.0)
    assert props["transition"]["enum"] == ["cut", "crossfade"]
    assert props["transition"]["default"] == "cut"
    assert (props["transition_seconds"]["default"], props["transition_seconds"]["minimum"],
            props["transition_seconds"]["maximum"]) == (0.5, 0.1, 2.0)


def test_the_web_api_takes_music_and_transition_and_refuses_out_of_range_values() -> None:
    from reelflow.web.schemas import StartJob

    job = StartJob(script="Hello.", music="stock:calm", music_volume=-20,
                   transition="crossfade", transition_seconds=1)
    assert (job.music, job.music_volume, job.transition, job.transition_seconds) == (
        "stock:calm", -20, "crossfade", 1)
    for wrong in ({"music_volume": 6}, {"transition": "wipe"}, {"transition_seconds": 9},
                  {"music": ""}, {"music_volume": float("nan")}):
        with pytest.raises(ValidationError):
            StartJob(script="Hello.", **wrong)
