"""The narration encoded once for the whole video, fed to the encoder while it is still being
spoken.

One ffmpeg per format reads mono 16-bit PCM at the narration rate on its standard input and
encodes it as engine/outputs.py says (AAC for MP4, Opus for WebM). Scenes are written in order,
each cut or padded to its slot's exact sample count, as soon as they are known; the encoder
sees one continuous signal, so its priming happens once, at the very start, exactly as when
the joined WAV is encoded in one go, and the sound starts on the exact frame of every cut.
Only the last scene's samples remain to encode when the last narration ends.
"""

from __future__ import annotations

import contextlib
import subprocess
import tempfile
from pathlib import Path

from reelflow.engine.audio import NARRATION_RATE
from reelflow.engine.ffmpeg import ffmpeg_exe
from reelflow.engine.outputs import AUDIO, AUDIO_RATE
from reelflow.errors import RenderFailed
from reelflow.processes import die_with_parent
from reelflow.vocabulary import VideoFormat


class SoundEncoder:
    """Encodes PCM written in order into ``target``, of format ``fmt``; ``close`` finishes the
    file. Start it from a thread that lives as long as it should (reelflow/processes.py).
    Raises RenderFailed when ffmpeg cannot start or fails."""

    def __init__(self, target: Path, fmt: VideoFormat) -> None:
        self.target = target
        self._errors = tempfile.TemporaryFile()  # noqa: SIM115 - lives as long as ffmpeg
        command = [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y",
                   "-f", "s16le", "-ar", str(NARRATION_RATE), "-ac", "1", "-i", "pipe:0",
                   "-vn", *AUDIO[fmt], "-ar", str(AUDIO_RATE), "-ac", "1", "-f", fmt,
                   str(target)]
        try:
            self._process = subprocess.Popen(command, stdin=subprocess.PIPE,
                                             stdout=subprocess.DEVNULL, stderr=self._errors,
                                             preexec_fn=die_with_parent())  # noqa: PLW1509
        except OSError as exc:
            self._errors.close()
            raise RenderFailed(f"encoding the narration: cannot start ffmpeg: {exc}") from exc

    def write(self, pcm: bytes) -> None:
        """Encodes the next samples."""
        assert self._process.stdin is not None
        try:
            self._process.stdin.write(pcm)
        except (BrokenPipeError, ValueError) as exc:
            self._process.wait()
            raise RenderFailed(f"encoding the narration: ffmpeg stopped: {self._tail()}") from exc

    def close(self) -> Path:
        """Ends the input and waits for the file; returns it."""
        assert self._process.stdin is not None
        with contextlib.suppress(BrokenPipeError):  # ffmpeg ended: its exit code says how
            self._process.stdin.close()
        code = self._process.wait()
        tail = self._tail()
        self._errors.close()
        if code != 0:
            raise RenderFailed(f"encoding the narration: ffmpeg failed: {tail or code}")
        return self.target

    def abandon(self) -> None:
        """Stops the encoder; its file is left for the caller to remove."""
        if self._process.poll() is None:
            self._process.kill()
        self._process.wait()
        if self._process.stdin is not None and not self._process.stdin.closed:
            with contextlib.suppress(BrokenPipeError):
                self._process.stdin.close()
        self._errors.close()

    def _tail(self) -> str:
        if self._errors.closed:
            return ""
        self._errors.seek(0)
        lines = self._errors.read().decode(errors="replace").strip().splitlines()
        return " | ".join(lines[-3:])
