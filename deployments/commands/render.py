"""``reelflow render``: validate a script, run the generate-video flow, wait and report."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from reelflow.deployments.prefect_env import prepare_prefect
from reelflow.errors import InvalidScript, ReelflowError
from reelflow.settings import Settings
from reelflow.vocabulary import (
    CAPTION_POSITIONS,
    CAPTIONS,
    DEFAULT_CAPTIONS,
    DEFAULT_LANGUAGE,
    DEFAULT_MOTION,
    DEFAULT_QUALITY,
    DEFAULT_RESOLUTION,
    DEFAULT_SPEECH_ENGINE,
    MOTIONS,
    QUALITIES,
    SPEECH_ENGINES,
    VIDEO_FORMATS,
)


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


def _formats(text: str) -> list[str]:
    names = [name.strip().lower() for name in text.split(",")]
    if not all(name in VIDEO_FORMATS for name in names) or len(set(names)) != len(names):
        raise argparse.ArgumentTypeError(
            f"{text!r}: expected a comma-separated list of {', '.join(VIDEO_FORMATS)}")
    return names


def read_script(name: str) -> tuple[bytes, Path | None]:
    """Returns the bytes of script file ``name`` (``-``: standard input) and its path."""
    if name == "-":
        return sys.stdin.buffer.read(), None
    path = Path(name)
    try:
        return path.read_bytes(), path
    except OSError as exc:
        raise InvalidScript(f"cannot read {path}: {exc.strerror or exc}") from exc


def flow_parameters(args: argparse.Namespace, data: bytes, path: Path | None) -> dict[str, Any]:
    """Returns the generate-video parameters for the command's options (only those given),
    after validating the script exactly as the flow will (raises InvalidScript)."""
    from reelflow.engine.parsing import parse_script
    from reelflow.services.scripts import overrides

    params: dict[str, Any] = {
        "title": args.title, "custom_resolution": args.resolution, "quality_preset": args.quality,
        "tts": args.tts, "session_id": args.session,
        "include_audio": False if args.no_audio else None, "captions": args.captions,
        "motion": args.motion, "formats": args.formats,
        "caption_position": args.caption_position, "poster_scene": args.poster_scene,
        "language": args.language,
    }
    params = {key: value for key, value in params.items() if value is not None}
    # Validate before paying for Prefect's start-up, exactly as the flow will: a bad script
    # fails in milliseconds.
    chosen = {key: value for key, value in params.items() if key != "session_id"}
    parse_script(data, source_name=path.name if path else None,
                 overrides=overrides(**chosen))
    if path is None:
        params["script"] = data.decode("utf-8-sig")
    else:
        params["script_path"] = str(path.resolve())
    return params


def run(args: argparse.Namespace, settings: Settings) -> None:
    data, path = read_script(args.script)
    params = flow_parameters(args, data, path)
    prepare_prefect(settings)
    from reelflow.flows.generate_video import generate_video

    try:
        result = generate_video(**params)
    except ReelflowError:
        raise
    except Exception as exc:  # Prefect wraps some failures; the job row holds the message
        raise ReelflowError(f"{type(exc).__name__}: {exc}") from exc
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


def watch_line(settings: Settings, url_path: str) -> str:
    """Returns where to watch a video: its full URL when a public address is configured (a
    server serves it there), else how to serve it. Never a URL that nothing serves."""
    full = settings.public(url_path)
    if full is not None:
        return f"watch: {full}"
    return f"watch: run `reelflow web`; it serves the gallery and {url_path}"
