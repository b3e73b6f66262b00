"""Running the ffmpeg binary that imageio-ffmpeg ships inside its wheel."""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from functools import lru_cache

from reelflow.errors import RenderFailed
from reelflow.processes import die_with_parent


@lru_cache(maxsize=1)
def ffmpeg_exe() -> str:
    """Returns the path of the bundled ffmpeg binary; raises RenderFailed when it is missing."""
    import imageio_ffmpeg

    try:
        return str(imageio_ffmpeg.get_ffmpeg_exe())
    except RuntimeError as exc:
        raise RenderFailed(f"ffmpeg is not available: {exc}") from exc


def run_ffmpeg(args: Sequence[str], *, what: str) -> None:
    """Runs ffmpeg with ``args`` (no binary name, no -y); raises RenderFailed naming ``what``.

    The last lines of ffmpeg's own error output are kept in the message, since they are what a
    user needs to see when an encode fails.
    """
    _run(args, what, "error")


def ffmpeg_report(args: Sequence[str], *, what: str) -> str:
    """Runs ffmpeg as ``run_ffmpeg`` does, at the info log level, and returns what it wrote
    on stderr: where analysis filters (ebur128) print their summaries."""
    return _run(["-nostats", *args], what, "info")


def _run(args: Sequence[str], what: str, level: str) -> str:
    command = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", level, "-y", *args]
    try:
        # The arranging function only makes one system call in the child, so it is safe
        # beside other threads; the thread waits for ffmpeg, so ffmpeg dies with the process.
        done = subprocess.run(command, capture_output=True, text=True, check=False,
                              preexec_fn=die_with_parent())
    except OSError as exc:
        raise RenderFailed(f"{what}: cannot start ffmpeg: {exc}") from exc
    if done.returncode != 0:
        tail = " | ".join(done.stderr.strip().splitlines()[-3:]) or f"exit code {done.returncode}"
        raise RenderFailed(f"{what}: ffmpeg failed: {tail}")
    return done.stderr
