"""The run form's parameters against the script's own settings (services/scripts.py)."""

from pathlib import Path

import pytest

from reelflow.engine.parsing import parse_script
from reelflow.errors import InvalidScript
from reelflow.services.scripts import overrides, read_source
from reelflow.settings import Settings

YAML = b"""title: Tour
settings: {resolution: 1920x1080, quality: high, captions: burned, motion: kenburns}
scenes: [Hello there.]
"""


SETTINGS = Settings(home=Path("/tmp/h"), database_url="sqlite://",
                    media_root=Path("/tmp/h/m"))


def test_parameters_left_at_their_defaults_override_nothing() -> None:
    assert overrides() == {}
    assert overrides(title="  ", custom_resolution="", tts="piper", include_audio=True) == {}


def test_the_script_s_own_settings_win_over_parameters_left_at_their_defaults() -> None:
    settings = parse_script(YAML, source_name="tour.yaml", overrides=overrides()).settings
    assert (settings.resolution, settings.quality, settings.captions, settings.motion) == (
        "1920x1080", "high", "burned", "kenburns")


def test_any_other_choice_overrides_the_script() -> None:
    chosen = overrides(resolution="854x480", quality_preset="draft", captions="off",
                       motion="none", include_audio=False, title="Mine")
    # motion "none" is the default, so the script's kenburns stands.
    assert chosen == {"resolution": "854x480", "quality": "draft", "captions": "off",
                      "include_audio": False, "title": "Mine"}
    settings = parse_script(YAML, source_name="tour.yaml", overrides=chosen).settings
    assert (settings.resolution, settings.quality, settings.motion) == (
        "854x480", "draft", "kenburns")


def test_a_custom_resolution_wins_over_the_resolution_choice() -> None:
    assert overrides(resolution="1920x1080", custom_resolution="1000x562")["resolution"] == (
        "1000x562")


@pytest.mark.parametrize("script", ["", "   \n\t", None])
def test_no_script_is_refused_with_one_message_naming_both_ways_to_give_one(
        script: str | None) -> None:
    with pytest.raises(InvalidScript, match=r"^no script: .*'script'.*'script_path'"):
        read_source(SETTINGS, script, "")


def test_a_script_and_a_path_at_once_are_refused() -> None:
    with pytest.raises(InvalidScript, match="not both"):
        read_source(SETTINGS, "# Hi\n\nHello.", "/tmp/hello.md")
