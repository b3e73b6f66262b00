"""Property-based fuzzing of the parser, the references and the settings: whatever a stranger
sends, the answer is a valid value or one of reelflow's own errors with a one-line message."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reelflow.engine.parsing import parse_located, parse_script
from reelflow.engine.script import MAX_SCENES, Script
from reelflow.errors import InvalidArgument, InvalidScript
from reelflow.settings import Settings
from reelflow.storage.references import ReadRoots, resolve

FUZZ = settings(max_examples=300, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
NAMES = st.sampled_from([None, "s.md", "s.txt", "s.yaml", "s.yml", "s.json", "s", ".md"])
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(),
                    st.text(max_size=30))
JSONISH = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=12), inner, max_size=4)),
    max_leaves=25)
KEYS = st.sampled_from(["title", "settings", "scenes", "narration", "heading", "image",
                        "duration", "resolution", "fps", "tts", "speed", "pause_seconds",
                        "captions", "motion", "language", "include_audio", "quality"])
SCRIPTISH = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(KEYS, inner, max_size=5)), max_leaves=30)


def accepted_or_refused(data: bytes | str, name: str | None) -> Script | None:
    """Parses; returns the script, or None after checking the refusal is one clean line."""
    try:
        script = parse_script(data, source_name=name)
    except InvalidScript as exc:
        message = str(exc)
        assert message and "\n" not in message and "Traceback" not in message
        return None
    assert 1 <= len(script.scenes) <= MAX_SCENES
    assert all(any(c.isalnum() for c in scene.narration) for scene in script.scenes)
    return script


@FUZZ
@given(st.binary(max_size=400), NAMES)
def test_any_bytes_parse_or_are_refused_with_one_line(data: bytes, name: str | None) -> None:
    accepted_or_refused(data, name)


@FUZZ
@given(st.text(max_size=400), NAMES)
def test_any_text_parses_or_is_refused_with_one_line(text: str, name: str | None) -> None:
    accepted_or_refused(text, name)


@FUZZ
@given(st.lists(st.sampled_from(["# ", "## ", "### ", "---", "<!--", "-->", "![a](b.png)",
                                 "title: x", "scenes:", "  - ", "{", "}", "[", "]", "\n",
                                 "\n\n", "Hello.", "é", "\u202e", "\x00", "\ud800", "&a", "*a",
                                 "!!python/object", ":", "\"", "'"]), max_size=40), NAMES)
def test_script_shaped_fragments_parse_or_are_refused(parts: list[str],
                                                      name: str | None) -> None:
    accepted_or_refused("".join(parts), name)


@FUZZ
@given(SCRIPTISH)
def test_any_json_or_yaml_structure_parses_or_is_refused(data: object) -> None:
    text = json.dumps(data)
    accepted_or_refused(text, "s.json")
    accepted_or_refused(yaml.safe_dump(data), "s.yaml")


@FUZZ
@given(JSONISH)
def test_any_json_value_parses_or_is_refused(data: object) -> None:
    accepted_or_refused(json.dumps(data), "s.json")


@FUZZ
@given(st.dictionaries(st.sampled_from(["title", "resolution", "quality", "tts", "captions",
                                        "motion", "speed", "pause_seconds", "include_audio"]),
                       SCALARS, max_size=4))
def test_any_overrides_are_applied_or_refused(overrides: dict[str, object]) -> None:
    try:
        script, lines = parse_located("# T\n\nHello there.\n", overrides=overrides)
    except InvalidScript as exc:
        assert "\n" not in str(exc)
        return
    assert lines[("scenes", 0)] == 3 and script.scenes[0].narration == "Hello there."


@FUZZ
@given(st.text(max_size=80))
def test_any_reference_resolves_inside_the_roots_or_is_refused(tmp_path_factory: object,
                                                               written: str) -> None:
    root = Path("/tmp/reelflow-fuzz-roots")
    (root / "show").mkdir(parents=True, exist_ok=True)
    (root / "show" / "a.png").write_bytes(b"png")
    roots = ReadRoots(root / "show", root / "media", (root / "media" / "stock",))
    try:
        found = resolve(written, roots)
    except InvalidScript as exc:
        assert "\n" not in str(exc)
        return
    assert found.path == root / "show" / "a.png"


ENV_NAMES = st.sampled_from(["REELFLOW_HOME", "REELFLOW_MEDIA_ROOT", "REELFLOW_DATABASE_URL",
                             "REELFLOW_SCRIPT_DIRS", "REELFLOW_ALLOWED_MEDIA_DIRS",
                             "REELFLOW_HEARTBEAT_SECONDS"])


@FUZZ
@given(st.dictionaries(ENV_NAMES, st.text(max_size=60), max_size=6))
def test_any_environment_gives_settings_or_one_line_naming_the_variable(
        env: dict[str, str]) -> None:
    try:
        found = Settings.from_env(env, cwd=Path("/tmp/reelflow-fuzz-cwd"))
    except InvalidArgument as exc:
        message = str(exc)
        assert "\n" not in message and any(name in message for name in env)
        return
    assert found.home.is_absolute() and found.media_root.is_absolute()
    assert all(folder.is_absolute() for folder in found.script_dirs + found.allowed_media_dirs)
    assert 0.2 <= found.heartbeat_seconds <= 600
