"""/media driven through the ASGI app: traversal and access, ranges, 304s, signed URLs."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from reelflow.db.states import StorageType
from reelflow.services.reports import update_storage
from reelflow.storage.access import load_secret, signed_query
from reelflow.web.app import build_app
from tests.integration.web_library import (
    ADMIN_TOKEN,
    READ_TOKEN,
    SECRET,
    Library,
    build_library,
    request,
)

READ = {"Authorization": f"Bearer {READ_TOKEN}"}
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


@pytest.fixture
def library(tmp_path: Path, db_url: str) -> Iterator[Library]:
    yield build_library(tmp_path, db_url)


def app_for(library: Library) -> Any:
    return build_app(library.settings)


def set_access(library: Library, **flags: bool) -> None:
    update_storage(library.settings, StorageType.VIDEOS, cleanup_policy={},
                   access_permissions=flags)


def signed(library: Library, path: str, expires: int) -> str:
    return f"{path}?{signed_query(load_secret(library.settings.home), path, expires)}"


# (what, method, target (a placeholder in braces is filled from the library), headers, status)
PUBLIC_CASES: list[tuple[str, str, str, dict[str, str], int]] = [
    ("completed video", "GET", "{video_url}", {}, 200),
    ("completed video, HEAD", "HEAD", "{video_url}", {}, 200),
    ("image of a completed job", "GET", "{image_url}", {}, 200),
    ("image of a running job", "GET", "{running_image_url}", {}, 404),
    ("video still generating", "GET", "{pending_video_url}", {}, 404),
    ("file no row records", "GET", "/media/videos/unrecorded.mp4", {}, 404),
    ("missing file", "GET", "/media/videos/missing.mp4", {}, 404),
    ("partial write", "GET", "/media/videos/.partial-0123456789ab-{video_name}", {}, 404),
    ("parts folder", "GET", "/media/videos/.parts-{video_stem}/segment-001.mp4", {}, 404),
    ("temp scratch, even for an admin", "GET", "/media/temp/{job_id}/narration.wav", ADMIN, 404),
    ("speech cache", "GET", "/media/audio/cache/ab/cached.wav", {}, 404),
    ("dot-dot", "GET", "/media/../secret.txt", {}, 404),
    ("dot-dot deeper", "GET", "/media/videos/../../../secret.txt", {}, 404),
    ("encoded dots", "GET", "/media/%2e%2e/%2e%2e/secret.txt", {}, 404),
    ("double-encoded dots", "GET", "/media/%252e%252e/%252e%252e/secret.txt", {}, 404),
    ("encoded slashes", "GET", "/media/videos/..%2f..%2f..%2fsecret.txt", {}, 404),
    ("backslashes", "GET", "/media/videos/..\\..\\..\\secret.txt", {}, 404),
    ("encoded backslashes", "GET", "/media/videos/..%5c..%5c..%5csecret.txt", {}, 404),
    ("absolute path", "GET", "/media//etc/passwd", {}, 404),
    ("encoded absolute path", "GET", "/media/%2fetc%2fpasswd", {}, 404),
    ("NUL byte", "GET", "/media/videos/{video_name}%00.png", {}, 404),
    ("over-long path", "GET", "/media/" + "a/" * 700 + "x.mp4", {}, 404),
    ("sibling folder named like the root", "GET", "/media/../media-old/secret.txt", {}, 404),
    ("sibling folder at the URL level", "GET", "/media-old/secret.txt", {}, 404),
    ("symlink to a file outside", "GET", "/media/videos/evil.mp4", {}, 404),
    ("symlink to a folder outside", "GET", "/media/videos/outside/secret.txt", {}, 404),
    ("a storage folder itself", "GET", "/media/videos", {}, 404),
    ("the media root itself", "GET", "/media/", {}, 404),
    ("trailing slash", "GET", "{video_url}/", {}, 404),
    ("dot segment", "GET", "/media/videos/./{video_name}", {}, 404),
    ("write method", "POST", "{video_url}", ADMIN, 405),
    ("unknown bearer token on a public file", "GET", "{video_url}",
     {"Authorization": "Bearer not-a-token-at-all"}, 401),
]


def fill(target: str, library: Library) -> str:
    return target.format(video_url=library.video_url, image_url=library.image_url,
                         running_image_url=library.running_image_url,
                         pending_video_url=library.pending_video_url,
                         video_name=library.video.name, video_stem=library.video.stem,
                         job_id=library.job_id)


def test_every_traversal_and_access_case_gets_its_answer_and_never_the_secret(
        library: Library) -> None:
    app = app_for(library)
    answers = {}
    for what, method, target, headers, status in PUBLIC_CASES:
        reply = request(app, method, fill(target, library), headers)
        answers[what] = reply.status
        assert SECRET not in reply.body, what
        if status != 200:
            assert reply.body.startswith(b"{"), what
    assert answers == {what: status for what, _, _, _, status in PUBLIC_CASES}


def test_private_videos_need_a_token_or_a_signed_url_and_refusals_hide_existence(
        library: Library) -> None:
    set_access(library, public_read=False, authenticated_read=True)
    app = app_for(library)
    now = int(time.time())
    other = "/media/videos/unrecorded.mp4"
    cases = [
        ("anonymous, existing file", library.video_url, {}, 401),
        ("anonymous, missing file", "/media/videos/missing.mp4", {}, 401),
        ("read token", library.video_url, READ, 200),
        ("admin token", library.video_url, ADMIN, 200),
        ("wrong token", library.video_url, {"Authorization": "Bearer x" * 3}, 401),
        ("basic auth", library.video_url, {"Authorization": f"Basic {READ_TOKEN}"}, 401),
        ("signed URL", signed(library, library.video_url, now + 60), {}, 200),
        ("expired signed URL", signed(library, library.video_url, now - 1), {}, 401),
        ("signature of another path", signed(library, other, now + 60).replace(
            other, library.video_url), {}, 401),
        ("tampered expiry", signed(library, library.video_url, now + 60).replace(
            f"expires={now + 60}", f"expires={now + 6000}"), {}, 401),
        ("images stay public", library.image_url, {}, 200),
    ]
    bodies = {}
    for what, target, headers, status in cases:
        reply = request(app, "GET", target, headers)
        assert reply.status == status, what
        assert SECRET not in reply.body
        bodies[what] = reply.body
        if status == 401:
            assert reply.headers["www-authenticate"].startswith("Bearer")
    assert bodies["anonymous, existing file"] == bodies["anonymous, missing file"]

    set_access(library, public_read=False, authenticated_read=False)
    app = app_for(library)
    assert request(app, "GET", library.video_url, READ).status == 403
    assert request(app, "GET", "/media/videos/missing.mp4", READ).status == 403
    assert request(app, "GET", signed(library, library.video_url, now + 60)).status == 403
    assert request(app, "GET", library.video_url, ADMIN).status == 200


def test_a_real_server_refuses_raw_traversal_paths(library: Library) -> None:
    import socket
    import threading

    import uvicorn

    from tests.prefect_server import free_port

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app_for(library), host="127.0.0.1", port=port,
                                           log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 20
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        for raw in ("/media/../secret.txt", "/media/videos/../../../secret.txt",
                    "/media/%2e%2e/%2e%2e/secret.txt", "/media/videos/outside/secret.txt",
                    "/media/videos/..%2f..%2f..%2fsecret.txt", library.video_url):
            with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
                sock.sendall(f"GET {raw} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                             .encode())
                answer = b""
                while chunk := sock.recv(65536):
                    answer += chunk
            assert SECRET not in answer
            expected = b"200" if raw == library.video_url else b"404"
            assert answer.split(b"\r\n", 1)[0].split(b" ")[1] == expected, raw
    finally:
        server.should_exit = True
        thread.join(timeout=20)


def test_byte_ranges_follow_the_range_table(library: Library) -> None:
    app = app_for(library)
    data = library.video.read_bytes()
    size = len(data)

    def get(value: str, **extra: str) -> Any:
        return request(app, "GET", library.video_url, {"Range": value, **extra})

    first = get("bytes=0-99")
    assert (first.status, first.body) == (206, data[:100])
    assert first.headers["content-range"] == f"bytes 0-99/{size}"
    assert first.headers["content-length"] == "100"
    suffix = get("bytes=-100")
    assert (suffix.status, suffix.body) == (206, data[-100:])
    open_end = get("bytes=1000-")
    assert (open_end.status, open_end.body) == (206, data[1000:])
    clamped = get(f"bytes={size - 10}-{size + 500}")
    assert (clamped.status, clamped.body) == (206, data[-10:])
    assert clamped.headers["content-range"] == f"bytes {size - 10}-{size - 1}/{size}"
    past = get(f"bytes={size}-")
    assert past.status == 416 and past.headers["content-range"] == f"bytes */{size}"
    for malformed in ("bytes=abc", "bytes=9-0", "lines=0-9", "bytes=0-9;", "bytes="):
        whole = get(malformed)
        assert (whole.status, whole.body) == (200, data), malformed
    excessive = get("bytes=" + ",".join(f"{n * 10}-{n * 10 + 1}" for n in range(9)))
    assert (excessive.status, excessive.body) == (200, data)
    multi = get("bytes=0-9,100-109")
    assert multi.status == 206
    boundary = multi.headers["content-type"].split("boundary=")[1]
    assert int(multi.headers["content-length"]) == len(multi.body)
    parts = multi.body.split(f"--{boundary}".encode())
    assert parts[1].endswith(b"\r\n\r\n" + data[:10] + b"\r\n")
    assert f"content-range: bytes 100-109/{size}".encode() in parts[2]
    assert parts[2].endswith(data[100:110] + b"\r\n") and parts[3] == b"--\r\n"
    stale = get("bytes=0-9", **{"If-Range": '"not-the-etag"'})
    assert (stale.status, stale.body) == (200, data)
    fresh = get("bytes=0-9", **{"If-Range": first.headers["etag"]})
    assert (fresh.status, fresh.body) == (206, data[:10])
    head = request(app, "HEAD", library.video_url, {"Range": "bytes=0-9"})
    assert (head.status, head.body, head.headers["content-length"]) == (206, b"", "10")
    whole = request(app, "GET", library.video_url)
    assert whole.headers["accept-ranges"] == "bytes"
    assert whole.headers["content-type"] == "video/mp4"
    assert whole.headers["content-length"] == str(size) and whole.body == data


def test_conditional_requests_answer_304_when_nothing_changed(library: Library) -> None:
    app = app_for(library)
    first = request(app, "GET", library.video_url)
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    cases = [
        ({"If-None-Match": etag}, 304),
        ({"If-None-Match": f'"other", {etag}'}, 304),
        ({"If-None-Match": f"W/{etag}"}, 304),
        ({"If-None-Match": '"other"'}, 200),
        ({"If-Modified-Since": modified}, 304),
        ({"If-Modified-Since": "Thu, 01 Jan 1970 00:00:00 GMT"}, 200),
        ({"If-Modified-Since": "not a date"}, 200),
        ({"If-None-Match": '"other"', "If-Modified-Since": modified}, 200),
        ({"If-None-Match": etag, "Range": "bytes=0-9"}, 304),
    ]
    for headers, status in cases:
        reply = request(app, "GET", library.video_url, headers)
        assert reply.status == status, headers
        if status == 304:
            assert reply.body == b"" and reply.headers["etag"] == etag
