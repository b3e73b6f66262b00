"""engine/sniff.py on real files made with Pillow and ffmpeg: the kind comes from the content."""

from __future__ import annotations

import struct
import wave
import zlib
from pathlib import Path

import pytest
from PIL import Image

from reelflow.engine.ffmpeg import run_ffmpeg
from reelflow.engine.pictures import check_picture
from reelflow.engine.sniff import sniff
from reelflow.errors import InvalidMedia, InvalidScript


def make(tmp_path: Path, name: str) -> Path:
    path = tmp_path / f"upload-{name}"  # no telling extension: only the content may decide
    if name in ("png", "jpeg", "webp", "gif"):
        Image.new("RGB", (64, 48), "red").save(path, name.upper())
    elif name == "wav":
        with wave.open(str(path), "wb") as sound:
            sound.setnchannels(1)
            sound.setsampwidth(2)
            sound.setframerate(22050)
            sound.writeframes(b"\0\0" * 22050)
    else:
        sources = {"mp4": ["-f", "lavfi", "-i", "testsrc=size=64x48:rate=10:duration=1",
                           "-c:v", "libx264", "-f", "mp4"],
                   "webm": ["-f", "lavfi", "-i", "testsrc=size=64x48:rate=10:duration=1",
                            "-c:v", "libvpx-vp9", "-f", "webm"],
                   "ogg": ["-f", "lavfi", "-i", "sine=d=1", "-c:a", "libopus", "-f", "ogg"],
                   "m4a": ["-f", "lavfi", "-i", "sine=d=1", "-c:a", "aac", "-f", "mp4"]}
        run_ffmpeg([*sources[name], str(path)], what="making a sample")
    return path


@pytest.mark.parametrize(("name", "kind", "extension"), [
    ("png", "image", ".png"), ("jpeg", "image", ".jpg"), ("webp", "image", ".webp"),
    ("gif", "image", ".gif"), ("wav", "audio", ".wav"), ("ogg", "audio", ".ogg"),
    ("m4a", "audio", ".m4a"), ("mp4", "video", ".mp4"), ("webm", "video", ".webm"),
])
def test_accepted_media_is_told_from_its_content(tmp_path: Path, name: str, kind: str,
                                                 extension: str) -> None:
    found = sniff(make(tmp_path, name))
    assert (found.kind, found.extension) == (kind, extension)
    if kind != "image":
        assert found.duration is not None and 0.9 <= found.duration <= 1.1


def _png_claiming(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data)))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b""))


@pytest.mark.parametrize(("content", "words"), [
    (b"hello world\n" * 100, "not an image"),
    (b'<svg xmlns="http://www.w3.org/2000/svg"/>', "not an image"),
    (b"", "not an image"),
    (_png_claiming(20000, 20000), "claims more than 40 megapixels"),
    (_png_claiming(8000, 8000), "64 megapixels"),
])
def test_anything_else_is_refused_with_one_line(tmp_path: Path, content: bytes,
                                                words: str) -> None:
    path = tmp_path / "upload.png"
    path.write_bytes(content)
    with pytest.raises(InvalidMedia, match=words):
        sniff(path)


def test_a_truncated_image_or_video_is_refused(tmp_path: Path) -> None:
    image, video = make(tmp_path, "png"), make(tmp_path, "mp4")
    image.write_bytes(image.read_bytes()[:60])
    video.write_bytes(video.read_bytes()[:300])
    for path in (image, video):
        with pytest.raises(InvalidMedia):
            sniff(path)


def test_an_image_the_library_accepts_is_one_a_script_may_use(tmp_path: Path) -> None:
    """Uploads and scenes' pictures share one check: an image above the scenes' 40-megapixel
    limit (it used to pass the upload's own 50) and a CMYK one (which a scene flattens) are
    judged alike."""
    large, cmyk = tmp_path / "large", tmp_path / "cmyk"
    Image.new("L", (7000, 6000)).save(large, "PNG")
    Image.new("CMYK", (64, 48), (0, 255, 255, 0)).save(cmyk, "JPEG")
    with pytest.raises(InvalidMedia, match="42 megapixels"):
        sniff(large)
    with pytest.raises(InvalidScript, match="42 megapixels"):
        check_picture(large)
    found = sniff(cmyk)
    assert (found.kind, found.metadata["mode"]) == ("image", "CMYK")
    assert check_picture(cmyk).mode == "CMYK"
