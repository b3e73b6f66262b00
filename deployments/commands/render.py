"""``reelflow render``: validate a script, run the generate-video flow, wait and report."""

from __future__ import annotations

import argparse
import functools
import json
import os
import stat
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reelflow.deployments.prefect_env import prepare_prefect, starts_at_once
from reelflow.errors import InvalidArgument, InvalidScript, ReelflowError
from reelflow.files import read_at_most
from reelflow.settings import Settings
from reelflow.vocabulary import (
    CAPTION_POSITIONS,
    CAPTIONS,
    CLIP_AUDIOS,
    DEFAULT_CAPTIONS,
    DEFAULT_LANGUAGE,
    DEFAULT_MOTION,
    DEFAULT_MUSIC_VOLUME,
    DEFAULT_QUALITY,
    DEFAULT_RESOLUTION,
    DEFAULT_SPEECH_ENGINE,
    DEFAULT_TRANSITION_SECONDS,
    FITS,
    MOTIONS,
    QUALITIES,
    SPEECH_ENGINES,
    TRANSITIONS,
    VIDEO_FORMATS,
)

if TYPE_CHECKING:
    from reelflow.services.intake import Accepted

MAX_SESSION_CHARS = 128  # the jobs' session_id column


def register(commands: Any) -> None:
    render = commands.add_parser("render", help="render a script into videos and wait for it")
    add_job_options(render)
    render.add_argument("--json", action="store_true",
                        help="print one JSON object with the job and video on stdout")
    render.set_defaults(handler=run)


def add_job_options(command: Any) -> None:
    """Adds the script argument and the options of a job, shared by render and submit."""
    command.add_argument("script", help="script file (.md, .txt, .yaml, .json), or - for stdin")
    command.add_argument("--title", help="video title (default: the script's # Title)")
    command.add_argument("--resolution",
                         help=f"WIDTHxHEIGHT, e.g. 1920x1080 (default {DEFAULT_RESOLUTION})")
    command.add_argument("--quality", choices=QUALITIES,
                         help=f"encoding quality (default {DEFAULT_QUALITY})")
    command.add_argument("--tts", help=f"speech engine chain of {', '.join(SPEECH_ENGINES)}, "
                                       f"e.g. gtts,piper (default {DEFAULT_SPEECH_ENGINE}, "
                                       "offline)")
    command.add_argument("--session", default="default", help="session id to file the job under")
    command.add_argument("--no-audio", action="store_true", help="leave the narration out")
    command.add_argument("--captions", choices=CAPTIONS,
                         help="a subtitle track (soft), drawn into the picture (burned) or "
                              f"none (off); default {DEFAULT_CAPTIONS}")
    command.add_argument("--motion", choices=MOTIONS,
                         help="still slides (none) or a slow zoom (kenburns); default "
                              f"{DEFAULT_MOTION}")
    command.add_argument("--caption-position", choices=CAPTION_POSITIONS,
                         help="where burned-in captions sit (default bottom)")
    command.add_argument("--formats", type=_formats, metavar="mp4,webm",
                         help="the videos to make: mp4, webm or mp4,webm (default mp4)")
    command.add_argument("--poster-scene", type=int, metavar="N",
                         help="the scene whose first frame is the poster (default 1)")
    command.add_argument("--language", metavar="TAG",
                         help="the script's language, e.g. en, fr, ja, ar (default "
                              f"{DEFAULT_LANGUAGE}): English narrates offline with piper, "
                              "other languages with gtts (needs the network)")
    command.add_argument("--fit", choices=FITS,
                         help="how scene pictures fill the frame: cover (cropped to fill) or "
                              "contain (whole, on a blurred fill); default cover")
    command.add_argument("--clip-audio", choices=CLIP_AUDIOS,
                         help="a scene clip's own sound: mute, or mix it under the narration; "
                              "default mute")
    command.add_argument("--music", metavar="FILE",
                         help="background music: a sound file (in the script's folder or "
                              "the media root's uploads or stock), asset:ID or stock:ID/TAG")
    command.add_argument("--music-volume", type=float, metavar="DB",
                         help="the music's loudness between scenes in dB relative to the "
                              f"narration, -40 to 0 (default {DEFAULT_MUSIC_VOLUME:g})")
    command.add_argument("--transition", choices=TRANSITIONS,
                         help="how scenes follow each other (default cut)")
    command.add_argument("--transition-seconds", type=float, metavar="S",
                         help="a crossfade's length in seconds, 0.1 to 2 (default "
                              f"{DEFAULT_TRANSITION_SECONDS:g})")


def _formats(text: str) -> list[str]:
    names = [name.strip().lower() for name in text.split(",")]
    if not all(name in VIDEO_FORMATS for name in names) or len(set(names)) != len(names):
        raise argparse.ArgumentTypeError(
            f"{text!r}: expected a comma-separated list of {', '.join(VIDEO_FORMATS)}")
    return names


def _music(written: str | None) -> str | None:
    """The music option as the flow reads it: a path given on the command line means a path
    from the current folder (the script's own setting is relative to the script's folder);
    asset: and stock: references pass as they are. Where it may be read is judged later."""
    if written is None or written.startswith(("asset:", "stock:")) or not written.strip():
        return written
    return os.path.abspath(written)


def read_script(name: str) -> tuple[bytes, Path | None]:
    """Returns the bytes of script file ``name`` (``-``: standard input) and, when it is a
    regular file, its real path (a pipe such as ``<(cat x.md)`` has no folder: it is inline).

    Reads at most the script size limit; raises InvalidScript when it cannot or it is larger.
    """
    from reelflow.engine.script import MAX_SCRIPT_BYTES

    try:
        if name == "-":
            data, path = read_at_most(sys.stdin.buffer, MAX_SCRIPT_BYTES), None
        else:
            with open(name, "rb") as stream:
                data = read_at_most(stream, MAX_SCRIPT_BYTES)
                regular = stat.S_ISREG(os.fstat(stream.fileno()).st_mode)
            path = Path(os.path.realpath(name)) if regular else None
    except OSError as exc:
        raise InvalidScript(f"cannot read {name}: {exc.strerror or exc}") from exc
    if len(data) > MAX_SCRIPT_BYTES:
        raise InvalidScript(f"{name} is larger than the limit of {MAX_SCRIPT_BYTES:,} bytes")
    return data, path


def flow_parameters(args: argparse.Namespace, settings: Settings, data: bytes,
                    path: Path | None) -> tuple[dict[str, Any], Accepted]:
    """Returns the generate-video parameters for the command's options (only those given),
    after validating the script exactly as the flow will, pictures included (raises
    InvalidScript), and the script as accepted. ``path`` None: the script goes inline and
    has no folder.
    """
    from reelflow.services.intake import accept
    from reelflow.services.scripts import overrides

    if not 1 <= len(args.session) <= MAX_SESSION_CHARS:
        raise InvalidArgument(f"--session must be 1 to {MAX_SESSION_CHARS} characters, got "
                              f"{len(args.session)}")
    if args.title is not None and not args.title.strip():
        raise InvalidArgument("--title must not be empty (leave it out to use the script's "
                              "own title)")
    params: dict[str, Any] = {
        "title": args.title, "custom_resolution": args.resolution, "quality_preset": args.quality,
        "tts": args.tts, "session_id": args.session,
        "include_audio": False if args.no_audio else None, "captions": args.captions,
        "motion": args.motion, "formats": args.formats,
        "caption_position": args.caption_position, "poster_scene": args.poster_scene,
        "language": args.language, "fit": args.fit, "clip_audio": args.clip_audio,
        "music": _music(args.music),
        "music_volume": args.music_volume, "transition": args.transition,
        "transition_seconds": args.transition_seconds,
    }
    params = {key: value for key, value in params.items() if value is not None}
    # Validate before paying for Prefect's start-up, exactly as the flow will: a bad script
    # fails in milliseconds.
    chosen = {key: value for key, value in params.items() if key != "session_id"}
    accepted = accept(settings, data, source_name=path.name if path else None,
                      script_folder=path.parent if path else None, overrides=overrides(**chosen))
    if path is None:
        params["script"] = data.decode("utf-8-sig")
    else:
        params["script_path"] = str(path)
    return params, accepted


def allow_script_folder(path: Path) -> None:
    """Lets the flow this process runs read the script file the user named on the command
    line (the run parameter script_path reads only inside REELFLOW_SCRIPT_DIRS)."""
    folders = [part for part in os.environ.get("REELFLOW_SCRIPT_DIRS", "").split(os.pathsep)
               if part]
    os.environ["REELFLOW_SCRIPT_DIRS"] = os.pathsep.join([*folders, str(path.parent)])


def run(args: argparse.Namespace, settings: Settings) -> None:
    data, path = read_script(args.script)
    start_prefect = functools.partial(prepare_prefect, settings, quiet=not args.verbose,
                                      local_server=True, wait=False)
    answered = _prefect_early(settings, start_prefect)
    from reelflow.services.media import speak_ahead  # after: imports take a while
    from reelflow.services.preflight import check_writable
    params, accepted = flow_parameters(args, settings, data, path)
    check_writable(settings)  # one line now rather than a failed run after Prefect's start
    if path is not None:
        allow_script_folder(path)
    # The job runs in this process: its narrations are spoken while Prefect starts.
    speak_ahead(settings, accepted)
    if answered is None:  # the first start here: only once the script is known to be good
        answered = start_prefect()
    settings = Settings.from_env()  # beside `reelflow up`, its web server's address is known now
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    from reelflow.flows.generate_video import generate_video  # while the server starts

    answered()
    # Without Prefect's flow heartbeat: its thread sleeps a second at a time and the run waits
    # for it at its end (measured: 0.45 s of a render). A render that dies is found by the
    # job's own heartbeat, and the reconciler marks its run Crashed.
    with temporary_settings({PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        state = generate_video(**params, return_state=True)
    result = _outcome(settings, state)
    if args.json:
        print(json.dumps(result, default=str))
        return
    video, usage = result["video"], result["resource_usage"]
    print(f"job {result['job_id']} {result['status']}")
    print(f"video: {video['file_path']}")
    print(f"  {video['duration']:.2f} s, {video['resolution']}, "
          f"{video['file_size'] / 2**20:.2f} MB")
    for other in result["videos"][1:]:
        print(f"video: {other['file_path']} ({other['file_size'] / 2**20:.2f} MB)")
    for item in result["files"]:
        print(f"{item['kind']}: {item['file_path']}")
    print(f"  rendered in {usage['generation_time_seconds']:.1f} s, "
          f"peak memory {usage['peak_memory_mb']:.0f} MB")
    print(watch_line(settings, video["url_path"]))


def _prefect_early(settings: Settings, start: Callable[[], Callable[[], None]]
                   ) -> Callable[[], None] | None:
    """Calls ``start`` (``prepare_prefect`` for the command) now, so that the temporary
    Prefect server starts while the script is checked, when its start will not wait for a
    first one's database set-up; returns what waits for it. None when nothing is to be
    started, or it cannot start (the checks that follow say why, in one line)."""
    if os.environ.get("PREFECT_API_URL") or not starts_at_once(settings):
        return None
    try:
        return start()
    except (ReelflowError, OSError):
        return None


def watch_line(settings: Settings, url_path: str) -> str:
    """Returns where to watch a video: its full URL when a public address is configured (a
    server serves it there), else how to serve it. Never a URL that nothing serves."""
    full = settings.public(url_path)
    if full is not None:
        return f"watch: {full}"
    return f"watch: run `reelflow web`; it serves the gallery and {url_path}"


def _outcome(settings: Settings, state: Any) -> dict[str, Any]:
    """Given the flow run's final state, returns its result; raises what failed it, naming
    the job (InvalidScript as it is: no job was made)."""
    from reelflow.services.reports import job_detail

    if state.is_completed():
        return dict(state.result())
    error = state.result(raise_on_failure=False)
    if isinstance(error, InvalidScript):
        raise error
    run_id = state.state_details.flow_run_id
    if isinstance(error, BaseException):
        reason = f"{type(error).__name__}: {str(error).strip() or state.message or state.name}"
    else:
        reason = state.message or state.name
    try:
        job = job_detail(settings, run_id)
    except ReelflowError:  # no job row: the run failed before it could record one
        raise ReelflowError(f"run {run_id} failed before its job was recorded: "
                            f"{reason}") from None
    raise ReelflowError(f"job {run_id} {job['status']}: {job['error_message'] or reason}")
