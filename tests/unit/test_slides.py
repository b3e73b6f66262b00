from pathlib import Path

import pytest
from PIL import Image

from reelflow.engine.slides import Slide, render_slide
from reelflow.errors import RenderFailed


@pytest.mark.parametrize("size", [(1280, 720), (1080, 1920), (320, 240)])
def test_a_slide_has_the_requested_size_and_metadata(tmp_path: Path,
                                                     size: tuple[int, int]) -> None:
    meta = render_slide(Slide("Title", "Heading", "Body text. " * 30, 1, 3),
                        tmp_path / "s.png", *size)
    with Image.open(tmp_path / "s.png") as image:
        assert image.size == size
    assert meta["dimensions"] == list(size)
    assert meta["format"] == "png" and meta["generation_method"] == "pillow-slide"


def test_text_is_drawn_and_stays_inside_the_margins(tmp_path: Path) -> None:
    render_slide(Slide("T", None, "word " * 2000, 1, 2), tmp_path / "s.png", 640, 360)
    with Image.open(tmp_path / "s.png") as image:
        grey = image.convert("L")
        left_margin = grey.crop((0, 0, 30, 360))
        body = grey.crop((60, 60, 580, 300))
        assert max(left_margin.getdata()) < 120  # no text spilled into the margin
        assert max(body.getdata()) > 200  # bright text is there


def test_a_missing_background_image_is_a_render_error(tmp_path: Path) -> None:
    with pytest.raises(RenderFailed, match="cannot read the scene image"):
        render_slide(Slide("T", None, "x", 0, 1, background=tmp_path / "nope.png"),
                     tmp_path / "s.png", 320, 240)
    assert not (tmp_path / "s.png").exists()


def test_a_background_image_fills_the_slide(tmp_path: Path) -> None:
    Image.new("RGB", (100, 50), (250, 0, 0)).save(tmp_path / "bg.png")
    meta = render_slide(Slide("T", None, "", 1, 2, background=tmp_path / "bg.png"),
                        tmp_path / "s.png", 320, 240)
    with Image.open(tmp_path / "s.png") as image:
        red, green, _ = image.convert("RGB").getpixel((160, 200))
        assert red > 100 and green < 60
    assert meta["generation_method"] == "pillow-over-image"
