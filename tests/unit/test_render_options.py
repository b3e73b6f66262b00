import pytest

from reelflow.engine.parsing import parse_script
from reelflow.errors import InvalidScript


def test_captions_and_motion_default_to_a_subtitle_track_and_still_slides() -> None:
    settings = parse_script(b"# T\n\nHello there.\n", source_name="x.md").settings
    assert (settings.captions, settings.motion) == ("soft", "none")


def test_front_matter_asks_for_burned_captions_and_a_ken_burns_zoom() -> None:
    text = b"---\ncaptions: burned\nmotion: kenburns\n---\n# T\n\nHello there.\n"
    settings = parse_script(text, source_name="x.md").settings
    assert (settings.captions, settings.motion) == ("burned", "kenburns")


def test_a_bare_yaml_off_means_no_captions_and_no_motion() -> None:
    text = b"title: T\nsettings: {captions: off, motion: no}\nscenes: [Hi.]\n"
    settings = parse_script(text, source_name="x.yaml").settings
    assert (settings.captions, settings.motion) == ("off", "none")


def test_an_unknown_motion_is_one_clear_error_with_its_line() -> None:
    with pytest.raises(InvalidScript, match=r"settings\.motion: .*'none' or 'kenburns'.*line 2"):
        parse_script(b"---\nmotion: zoom\n---\n# T\n\nHello.\n", source_name="x.md")
