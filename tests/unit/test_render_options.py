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


def test_formats_caption_position_and_poster_scene_default_to_mp4_bottom_and_scene_one() -> None:
    settings = parse_script(b"# T\n\nHello there.\n", source_name="x.md").settings
    assert (settings.formats, settings.caption_position, settings.poster_scene) == (
        ("mp4",), "bottom", 1)


@pytest.mark.parametrize("written", ["[webm, mp4]", "'webm, mp4'", "[WebM, MP4]"])
def test_formats_are_a_list_or_a_comma_separated_string_in_the_order_given(written: str) -> None:
    text = f"---\nformats: {written}\n---\n# T\n\nHello.\n".encode()
    assert parse_script(text, source_name="x.md").settings.formats == ("webm", "mp4")


@pytest.mark.parametrize(("written", "expected"), [
    ("[mp4, avi]", r"settings\.formats: unknown format 'avi'.*line 2"),
    ("[]", r"settings\.formats: no format given"),
    ("[mp4, mp4]", r"settings\.formats: .* names a format twice"),
    ("7", r"settings\.formats"),
])
def test_a_bad_formats_setting_is_one_clear_error(written: str, expected: str) -> None:
    with pytest.raises(InvalidScript, match=expected):
        parse_script(f"---\nformats: {written}\n---\n# T\n\nHello.\n".encode(),
                     source_name="x.md")


def test_a_poster_scene_must_be_one_of_the_scripts_scenes() -> None:
    two = b"title: T\nsettings: {poster_scene: 2}\nscenes: [One., Two.]\n"
    assert parse_script(two, source_name="x.yaml").settings.poster_scene == 2
    with pytest.raises(InvalidScript, match="poster_scene: scene 3 does not exist; the script "
                                            "has 2 scenes"):
        parse_script(two.replace(b"2}", b"3}"), source_name="x.yaml")
    with pytest.raises(InvalidScript, match="poster_scene"):
        parse_script(two.replace(b"2}", b"0}"), source_name="x.yaml")


def test_a_caption_position_is_top_center_or_bottom() -> None:
    text = b"---\ncaption_position: top\n---\n# T\n\nHello.\n"
    assert parse_script(text, source_name="x.md").settings.caption_position == "top"
    with pytest.raises(InvalidScript, match=r"caption_position: .*'top', 'center' or 'bottom'"):
        parse_script(text.replace(b"top", b"left"), source_name="x.md")


def test_the_command_line_takes_formats_caption_position_and_poster_scene() -> None:
    from reelflow.deployments.cli import parser

    args = parser().parse_args(["render", "s.md", "--formats", "mp4,webm",
                                "--caption-position", "center", "--poster-scene", "2"])
    assert (args.formats, args.caption_position, args.poster_scene) == (
        ["mp4", "webm"], "center", 2)
    with pytest.raises(SystemExit):
        parser().parse_args(["render", "s.md", "--formats", "mp4,ogg"])
