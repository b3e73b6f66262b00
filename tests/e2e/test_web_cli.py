"""`reelflow web`, `link`, and where `render` and `show` say a video can be watched."""

from __future__ import annotations

import json
import subprocess
import urllib.error
import urllib.request
from pathlib import Path

from tests.e2e.conftest import REELFLOW, ROOT, run
from tests.prefect_server import free_port, wait_for


def status_of(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as reply:
            return int(reply.status)
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError:
        return 0  # not listening yet


def test_render_show_and_link_name_urls_only_where_a_server_serves_them(
        env: dict[str, str], tmp_path: Path) -> None:
    done = run(["render", "-", "--no-audio", "--resolution", "320x180", "--quality", "draft"],
               env, stdin=b"# Linked\n\nOne short scene.\n")
    assert done.returncode == 0, done.stderr
    assert "served at" not in done.stdout
    assert "watch: run `reelflow web`; it serves the gallery and /media/videos/" in done.stdout
    job_id = done.stdout.split()[1]
    port = free_port()
    public = {**env, "REELFLOW_PUBLIC_URL": f"http://127.0.0.1:{port}/"}
    shown = run(["show", job_id], public)
    url = next(line.split()[1] for line in shown.stdout.splitlines()
               if line.startswith("watch: "))
    assert url.startswith(f"http://127.0.0.1:{port}/media/videos/") and url.endswith(".mp4")

    assert run(["storage", "set", "videos", "public_read=false"], env).returncode == 0
    relative = run(["link", job_id], env)
    assert relative.returncode == 0 and relative.stdout.startswith("/media/videos/")
    assert "REELFLOW_PUBLIC_URL" in relative.stderr
    signed = run(["link", job_id, "--expires", "120"], public).stdout.strip()
    assert signed.startswith(url + "?expires=") and "&signature=" in signed
    for bad, words in ((["link", job_id, "--expires", "0"], "--expires"),
                       (["link", "00000000-0000-0000-0000-000000000000"], "no video"),
                       (["link", "nonsense"], "not a video or job id")):
        refused = run(bad, env)
        assert refused.returncode == 2 and words in refused.stderr, refused.stderr

    log = tmp_path / "web.log"
    with open(log, "wb") as out:
        web = subprocess.Popen([str(REELFLOW), "web", "--port", str(port)], env=public,
                               cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_for("the web server", lambda: status_of(
            f"http://127.0.0.1:{port}/api/v1/health") == 200, timeout=60)
        assert f"gallery:  http://127.0.0.1:{port}/" in log.read_text()
        assert status_of(signed) == 200
        assert status_of(url) == 401
        assert status_of(signed.replace("signature=", "signature=x")) == 401
        busy = run(["web", "--port", str(port)], public, timeout=60)
        assert busy.returncode == 1 and "cannot listen" in busy.stderr
    finally:
        web.terminate()
        web.wait(timeout=20)
    secret = Path(env["REELFLOW_HOME"]) / "signing-secret"
    assert oct(secret.stat().st_mode & 0o777) == "0o600"
    assert json.loads(run(["jobs", "--json"], env).stdout)[0]["id"] == job_id
