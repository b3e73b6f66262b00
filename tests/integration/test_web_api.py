"""The JSON API through the ASGI app: uploads, scripts, job validation, videos, deletion,
captions, errors and the pages."""

from __future__ import annotations

import io
import json
import uuid
import wave
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from reelflow.db.states import SourceType, StorageType
from reelflow.services.reports import job_rows, storage_rows
from reelflow.services.runtime import database, layout
from reelflow.storage.accounting import measure, reconcile
from reelflow.web.app import build_app
from tests.integration.web_library import (
    ADMIN_TOKEN,
    READ_TOKEN,
    Library,
    build_library,
    request,
)

READ = {"Authorization": f"Bearer {READ_TOKEN}"}
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
SCRIPT = "# Hello web\n\n## One\nThe first scene.\n\n## Two\nThe second scene.\n"


@pytest.fixture
def library(tmp_path: Path, db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Library]:
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    yield build_library(tmp_path, db_url, REELFLOW_UPLOAD_MAX_MB="1")


def api(app: Any, method: str, path: str, headers: dict[str, str] | None = None,
        body: bytes | dict[str, Any] = b"") -> Any:
    if isinstance(body, dict):
        body = json.dumps(body).encode()
        headers = {**(headers or {}), "Content-Type": "application/json"}
    return request(app, method, f"/api/v1{path}", headers, body)


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "teal").save(out, "PNG")
    return out.getvalue()


def wav() -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as sound:
        sound.setnchannels(1)
        sound.setsampwidth(2)
        sound.setframerate(16000)
        sound.writeframes(b"\x01\x00" * 16000)
    return out.getvalue()


def no_drift(library: Library) -> bool:
    return reconcile(database(library.settings), layout(library.settings)) == []


def test_an_uploaded_image_is_sniffed_stored_recorded_counted_and_served(
        library: Library) -> None:
    app = build_app(library.settings)
    no_drift(library)  # the library plants unrecorded files: count them once
    before = {row["storage_type"]: row for row in storage_rows(library.settings)}
    reply = api(app, "POST", "/uploads?name=holiday.jpeg&session=web", ADMIN, png())
    assert reply.status == 201, reply.body
    done = reply.json()
    stored = Path(done["file_path"])
    assert stored == layout(library.settings).uploads(StorageType.IMAGES) / \
        f"{done['asset_id']}.png"
    assert done["kind"] == "image" and done["metadata"]["dimensions"] == [40, 30]
    assert stored.read_bytes() == png()
    after = {row["storage_type"]: row for row in storage_rows(library.settings)}
    assert after["IMAGES"]["total_size_bytes"] == \
        before["IMAGES"]["total_size_bytes"] + len(png())
    assert no_drift(library)
    with database(library.settings).unit_of_work(read_only=True) as uow:
        job = uow.jobs.get(uuid.UUID(done["job_id"]))
        assert str(job.status) == "COMPLETED"
        assert (job.composition_settings or {})["ingest"] == "upload"
        (asset,) = uow.assets.for_job(job.id)
        assert asset.source_type == SourceType.USER_UPLOADED
    assert request(app, "GET", done["url"]).body == png()
    assert all(row["id"] != done["job_id"] for row in job_rows(library.settings,
                                                                session_id=None, limit=50))
    jobs = api(app, "GET", "/jobs?session=web").json()["jobs"]
    assert all(row["id"] != done["job_id"] for row in jobs)

    audio = api(app, "POST", "/uploads?name=voice.bin&kind=audio", ADMIN, wav())
    assert audio.status == 201 and audio.json()["asset_type"] == "AUDIO"
    assert audio.json()["file_path"].endswith(".wav") and audio.json()["duration"] == 1.0
    assert no_drift(library)


@pytest.mark.parametrize(("headers", "query", "body", "status", "words"), [
    ({}, "name=a.png", png(), 401, "bearer token"),
    (READ, "name=a.png", png(), 403, "may not write"),
    (ADMIN, "name=notes.png", b"just some text, not a picture\n" * 20, 415, "not an image"),
    (ADMIN, "name=a.png&kind=audio", png(), 415, "expected a audio"),
    (ADMIN, "name=big.wav", b"\0" * (2**20 + 1), 413, "limit"),
    (ADMIN, "name=a.png&kind=text", png(), 422, "kind"),
    (ADMIN, "kind=image", png(), 422, "name"),
])
def test_a_refused_upload_answers_one_line_and_leaves_nothing(
        library: Library, headers: dict[str, str], query: str, body: bytes, status: int,
        words: str) -> None:
    app = build_app(library.settings)
    before = {kind: measure(layout(library.settings).folder(kind)) for kind in StorageType}
    reply = api(app, "POST", f"/uploads?{query}", headers, body)
    assert reply.status == status, reply.body
    error = reply.json()
    assert set(error) == {"error", "detail"} and words in error["detail"]
    assert "\n" not in error["detail"]
    assert {kind: measure(layout(library.settings).folder(kind)) for kind in StorageType} \
        == before
    assert [p.name for p in (library.settings.home / "staging").glob("*")] == []


def test_a_script_upload_is_validated_and_stored_once(library: Library) -> None:
    app = build_app(library.settings)
    stored = api(app, "POST", "/scripts?name=hello.md&session=web", ADMIN, SCRIPT.encode())
    assert stored.status == 201
    assert stored.json()["title"] == "Hello web" and stored.json()["scenes"] == 2
    again = api(app, "POST", "/scripts?name=hello.md&session=web", ADMIN, SCRIPT.encode())
    assert again.json()["script_id"] == stored.json()["script_id"]
    bad = api(app, "POST", "/scripts?name=bad.yaml", ADMIN,
              b"title: x\nsettings:\n  resolution: 1920*1080\nscenes: [hi]\n")
    assert bad.status == 422 and "1920*1080" in bad.json()["detail"]
    assert bad.json()["error"] == "invalid_script"
    big = api(app, "POST", "/scripts?name=big.md", ADMIN, b"# x\n\n" + b"word " * 210_000)
    assert big.status == 413
    assert api(app, "POST", "/scripts?name=a.md", READ, SCRIPT.encode()).status == 403


@pytest.mark.parametrize(("headers", "body", "status", "words"), [
    ({}, {"script": SCRIPT}, 401, "bearer token"),
    (READ, {"script": SCRIPT}, 403, "may not write"),
    (ADMIN, {"script": ""}, 422, "empty"),
    (ADMIN, {"script": "# Only a title\n"}, 422, "narration"),
    (ADMIN, {"script": SCRIPT, "resolution": "1920*1080"}, 422, "resolution"),
    (ADMIN, {"script": SCRIPT, "captions": "loud"}, 422, "captions"),
    (ADMIN, {"script": SCRIPT, "tts": "nobody"}, 422, "nobody"),
    (ADMIN, {"script": SCRIPT, "script_id": "00000000-0000-0000-0000-000000000000"}, 422,
     "either"),
    (ADMIN, {"script_id": "00000000-0000-0000-0000-000000000000"}, 404, "no script"),
    (ADMIN, {"script": SCRIPT, "surprise": 1}, 422, "surprise"),
    (ADMIN, {"script": "# T\n\n![x](/etc/passwd)\n\nHi.\n"}, 422, "absolute path outside"),
    (ADMIN, {"script": "# T\n\n![clip](/etc/passwd)\n\nHi.\n"}, 422,
     "clip '/etc/passwd' is an absolute path outside"),
    (ADMIN, {"script": "# T\n\n![audio](stock:calm)\n\nHi.\n"}, 422,
     "no stock audio has this tag"),
    (ADMIN, {"script": SCRIPT, "fit": "stretch"}, 422, "fit"),
    (ADMIN, {"script": SCRIPT, "clip_audio": "loud"}, 422, "clip_audio"),
    (ADMIN, {"script": SCRIPT, "fit": "contain", "clip_audio": "mix"}, 503, "PREFECT_API_URL"),
    (ADMIN, {"script": SCRIPT, "formats": ["avi"]}, 422, "formats"),
    (ADMIN, {"script": SCRIPT, "language": "ja", "tts": "gtts,piper"}, 422, "Japanese"),
    (ADMIN, {"script": SCRIPT}, 503, "PREFECT_API_URL"),
])
def test_a_job_is_validated_before_any_run_exists(
        library: Library, headers: dict[str, str], body: dict[str, Any], status: int,
        words: str) -> None:
    reply = api(build_app(library.settings), "POST", "/jobs", headers, body)
    assert reply.status == status, reply.body
    assert words in reply.json()["detail"] and "\n" not in reply.json()["detail"]


def test_videos_list_with_urls_and_captions_as_webvtt(library: Library) -> None:
    app = build_app(library.settings)
    videos = api(app, "GET", "/videos?session=web").json()["videos"]
    assert [v["id"] for v in videos] == [str(library.video_id)]
    video = videos[0]
    assert video["url"] == library.video_url and video["download_url"].endswith("?download=1")
    download = request(app, "GET", video["download_url"])
    assert download.headers["content-disposition"].startswith("attachment")
    captions = request(app, "GET", video["captions_url"])
    assert captions.status == 200 and captions.headers["content-type"].startswith("text/vtt")
    assert captions.body.startswith(b"WEBVTT") and b"Hello from the captions." in captions.body
    assert request(app, "GET", video["captions_url"]).body == captions.body  # from the cache
    assert video["language"] == "en"  # the job named none: the default
    assert api(app, "GET", f"/jobs/{library.job_id}").json()["video"]["id"] == video["id"]
    assert api(app, "GET", "/jobs/00000000-0000-0000-0000-000000000001").status == 404

    from reelflow.services.reports import update_storage

    update_storage(library.settings, StorageType.VIDEOS, cleanup_policy={},
                   access_permissions={"public_read": False})
    app = build_app(library.settings)
    assert api(app, "GET", "/videos").status == 401
    private = api(app, "GET", "/videos", READ).json()["videos"][0]
    assert "signature=" in private["url"] and "signature=" in private["captions_url"]
    assert request(app, "GET", private["url"]).body == library.video.read_bytes()
    assert request(app, "GET", private["captions_url"]).status == 200
    assert request(app, "GET", library.video_url).status == 401


def test_a_video_carries_its_job_language_for_the_captions_track(library: Library) -> None:
    from reelflow.db.models import VideoGenerationJob

    with database(library.settings).unit_of_work() as uow:
        job = uow.session.get(VideoGenerationJob, library.job_id)
        assert job is not None
        job.composition_settings = {**(job.composition_settings or {}), "language": "pt-BR"}
        uow.commit()
    video = api(build_app(library.settings), "GET", "/videos?session=web").json()["videos"][0]
    assert video["language"] == "pt-BR"


def test_deleting_a_video_removes_its_files_and_rows_and_keeps_counters_exact(
        library: Library) -> None:
    app = build_app(library.settings)
    no_drift(library)  # the library plants unrecorded files: count them once
    media = layout(library.settings)
    image = media.slide(library.job_id, 0).with_name("scene-001.png")
    leftovers = [media.scratch(library.job_id) / "narration.wav",
                 library.video.with_name(f".partial-0123456789ab-{library.video.name}"),
                 library.video.with_name(f".parts-{library.video.stem}") / "segment-001.mp4"]
    assert api(app, "DELETE", f"/videos/{library.video_id}", READ).status == 403
    assert api(app, "DELETE", f"/videos/{library.video_id}").status == 401
    with database(library.settings).unit_of_work(read_only=True) as uow:
        pending = uow.videos.get_for_job(
            next(j.id for j in uow.jobs.list(limit=10) if not j.is_finished))
    assert pending is not None
    refused = api(app, "DELETE", f"/videos/{pending.id}", ADMIN)
    assert refused.status == 409 and "cancel it or wait" in refused.json()["detail"]
    reply = api(app, "DELETE", f"/videos/{library.video_id}", ADMIN)
    assert reply.status == 200, reply.body
    # The job's own leftovers (scratch, a partial, a parts folder) go with it.
    assert reply.json()["files"] == 5 and reply.json()["jobs"] == [str(library.job_id)]
    assert not any(path.exists() for path in [library.video, image, *leftovers])
    assert no_drift(library)
    with database(library.settings).unit_of_work(read_only=True) as uow:
        assert uow.jobs.find(library.job_id) is None
        assert uow.videos.get_for_job(library.job_id) is None
    assert request(app, "GET", library.video_url).status == 404
    assert api(app, "DELETE", f"/videos/{library.video_id}", ADMIN).status == 404


def test_errors_are_json_and_the_pages_and_openapi_are_served(library: Library) -> None:
    app = build_app(library.settings)
    missing = api(app, "GET", "/nothing-here")
    assert missing.status == 404 and set(missing.json()) == {"error", "detail"}
    wrong = api(app, "GET", "/videos?limit=0")
    assert wrong.status == 422 and "limit" in wrong.json()["detail"]
    options = api(app, "GET", "/options").json()
    assert "1280x720" in options["resolutions"] and options["can_start_jobs"] is False
    page = request(app, "GET", "/")
    assert page.status == 200 and b'id="start-form"' in page.body
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert request(app, "GET", "/docs").status == 200
    assert request(app, "GET", "/static/gallery.js").status == 200
    spec = request(app, "GET", "/openapi.json").json()
    assert {"/api/v1/jobs", "/api/v1/videos/{video_id}", "/api/v1/uploads"} <= set(spec["paths"])
    huge = request(app, "POST", "/api/v1/jobs", {**ADMIN, "Content-Type": "application/json"},
                   b"{" + b" " * (3 * 2**20) + b"}")
    assert huge.status == 413


def test_a_deletion_is_refused_on_a_media_root_another_database_claimed(
        library: Library) -> None:
    from reelflow.storage.identity import marker_path

    app = build_app(library.settings)
    marker = marker_path(layout(library.settings).root)
    marker.write_text(f"{uuid.uuid4()}\n")  # as if this folder were another installation's
    reply = api(app, "DELETE", f"/videos/{library.video_id}", ADMIN)
    assert reply.status == 500, reply.body
    assert library.video.exists()
    with database(library.settings).unit_of_work(read_only=True) as uow:
        assert uow.jobs.find(library.job_id) is not None
