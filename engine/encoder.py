"""The x264 settings every piece of a video shares, and one encode of piped raw frames.

Pieces of one video are joined by copying their bytes, so they must agree on every header:
the preset, CRF and keyframe interval come from the quality and frame rate alone, nothing is
tuned per piece (a tune changes the picture parameter set), and ``stitchable`` stops x264 from
fitting its headers to the content. Segments are MP4 files, which keep B-frame timestamps.
"""

from __future__ import annotations

import contextlib
import subprocess
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from engine.errors import RenderFailed
from engine.ffmpeg import ffmpeg_exe, run_ffmpeg

PRESETS: dict[str, tuple[str, int]] = {
    "draft": ("ultrafast", 30),
    "standard": ("veryfast", 23),
    "high": ("medium", 19),
}
KEYFRAME_SECONDS = 10


@dataclass(frozen=True)
class EncoderSettings:
    """Frame size and rate and the quality preset of one video."""

    width: int
    height: int
    fps: int
    quality: str = "standard"
    threads: int = 0  # x264's threads per encode; 0 lets it choose

    def __post_init__(self) -> None:
        if self.quality not in PRESETS:
            raise RenderFailed(
                f"unknown quality {self.quality!r}; expected one of {', '.join(PRESETS)}")

    @property
    def keyframe_interval(self) -> int:
        """The most frames between two keyframes, so players can seek."""
        return self.fps * KEYFRAME_SECONDS

    @property
    def frame_bytes(self) -> dict[str, int]:
        """The size of one raw frame per input pixel format."""
        pixels = self.width * self.height
        return {"rgb24": pixels * 3, "yuv420p": pixels * 3 // 2, "nv12": pixels * 3 // 2}


def x264_arguments(settings: EncoderSettings, pixel_format: str) -> list[str]:
    """Returns ffmpeg's output options for one piece of the video made from raw frames in
    ``pixel_format``; x264 takes NV12 as it is, anything else is converted to 4:2:0."""
    preset, crf = PRESETS[settings.quality]
    encoded = "nv12" if pixel_format == "nv12" else "yuv420p"
    return ["-pix_fmt", encoded, "-c:v", "libx264", "-preset", preset, "-crf", str(crf),
            "-g", str(settings.keyframe_interval), "-forced-idr", "1",
            "-threads", str(settings.threads),
            "-x264-params", "stitchable=1"]


def encode_frames(frames: Iterable[bytes], target: Path, settings: EncoderSettings, *,
                  pixel_format: str, every_frame_idr: bool = False,
                  what: str = "encoding") -> int:
    """Encodes raw frames (``pixel_format`` rgb24, yuv420p or nv12) with x264 into
    ``target``: an MP4 segment when its suffix is .mp4, else an Annex B H.264 stream.
    ``every_frame_idr`` makes each frame an IDR picture.

    Returns the number of frames encoded. Raises RenderFailed when ffmpeg fails or a frame has
    the wrong size.
    """
    size = settings.frame_bytes[pixel_format]
    forced = ["-force_key_frames", "expr:1"] if every_frame_idr else []
    container = ["-movflags", "+faststart", "-f", "mp4"] if target.suffix == ".mp4" \
        else ["-f", "h264"]
    command = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", "-y",
               "-f", "rawvideo", "-pix_fmt", pixel_format,
               "-s", f"{settings.width}x{settings.height}", "-r", str(settings.fps), "-i", "-",
               *forced, *x264_arguments(settings, pixel_format), *container, str(target)]
    count = 0
    with tempfile.TemporaryFile() as errors:
        try:
            process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                       stderr=errors)
        except OSError as exc:
            raise RenderFailed(f"{what}: cannot start ffmpeg: {exc}") from exc
        assert process.stdin is not None
        try:
            for frame in frames:
                if len(frame) != size:
                    raise RenderFailed(f"{what}: a frame of {len(frame)} bytes, expected {size}")
                process.stdin.write(frame)
                count += 1
        except BrokenPipeError:
            pass  # ffmpeg stopped reading; its exit status and message say why
        finally:
            with contextlib.suppress(BrokenPipeError):
                process.stdin.close()
            returncode = process.wait()
        if returncode != 0:
            errors.seek(0)
            lines = errors.read().decode("utf-8", "replace").strip().splitlines()
            raise RenderFailed(f"{what}: ffmpeg failed: {' | '.join(lines[-3:]) or returncode}")
    return count


def wrap_annexb(stream: Path, target: Path, fps: int, *, what: str = "wrapping") -> None:
    """Copies an Annex B stream without B-frames into an MP4 segment, frame n at n/fps."""
    # A raw stream carries no timestamps; -r numbers its frames at the video's rate.
    run_ffmpeg(["-fflags", "+genpts", "-r", str(fps), "-f", "h264", "-i", str(stream),
                "-c:v", "copy", "-bsf:v", f"setts=ts=N:time_base=1/{fps}",
                "-f", "mp4", str(target)], what=what)
