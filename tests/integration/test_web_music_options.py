"""Music and transitions over the JSON API: judged as the flow judges them, before a run."""

from __future__ import annotations

from typing import Any

import pytest

from reelflow.web.app import build_app
from tests.integration.test_web_api import ADMIN, SCRIPT, api, library, wav
from tests.integration.web_library import Library

__all__ = ["library"]  # the fixture, shared with test_web_api


@pytest.mark.parametrize(("body", "status", "words"), [
    ({"music": "/etc/passwd"}, 422, "music '/etc/passwd' is an absolute path outside"),
    ({"music": "stock:calm"}, 422, "'stock:calm': not found"),
    ({"music": "audio/uploads/missing.mp3"}, 422, "not found"),
    ({"music_volume": 5}, 422, "music_volume"),
    ({"transition": "wipe"}, 422, "transition"),
    ({"transition_seconds": 9}, 422, "transition_seconds"),
    ({"transition": "crossfade", "transition_seconds": 1.5, "music_volume": -20}, 503,
     "PREFECT_API_URL"),
])
def test_music_and_transition_options_are_judged_before_any_run_exists(
        library: Library, body: dict[str, Any], status: int, words: str) -> None:
    reply = api(build_app(library.settings), "POST", "/jobs", ADMIN, {"script": SCRIPT, **body})
    assert reply.status == status, reply.body
    assert words in reply.json()["detail"] and "\n" not in reply.json()["detail"]


def test_an_uploaded_sound_is_music_an_inline_script_may_use(library: Library) -> None:
    app = build_app(library.settings)
    upload = api(app, "POST", "/uploads?name=theme.wav", ADMIN, wav())
    assert upload.status == 201, upload.body
    for music in (upload.json()["file_path"], f"asset:{upload.json()['asset_id']}"):
        reply = api(app, "POST", "/jobs", ADMIN, {"script": SCRIPT, "music": music})
        # Accepted by validation: only the missing Prefect API stops it from starting.
        assert reply.status == 503 and "PREFECT_API_URL" in reply.json()["detail"], reply.body
    picture = api(app, "POST", "/jobs", ADMIN, {"script": "---\nmusic: x\n---\n# T\n\nHi.\n",
                                                 "music": "audio/uploads/nothing.wav"})
    assert picture.status == 422 and "settings.music: music 'audio/uploads/nothing.wav'" in \
        picture.json()["detail"]
