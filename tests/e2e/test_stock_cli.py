"""``reelflow stock`` as a user runs it: add files with tags, list them, remove one no video
uses; bad input refused in one line."""

from __future__ import annotations

import json
from pathlib import Path

from PIL import Image

from tests.e2e.conftest import run
from tests.footage import tone_wav


def test_stock_add_copies_the_file_in_and_list_shows_it_with_its_tags(
        env: dict[str, str], tmp_path: Path) -> None:
    picture = tmp_path / "beach.png"
    Image.new("RGB", (32, 24), (200, 180, 90)).save(picture)
    added = run(["stock", "add", str(picture), "--tags", "Beach, summer"], env)
    assert added.returncode == 0, added.stderr
    asset_id = added.stdout.splitlines()[0]
    assert "stock:" + asset_id in added.stdout
    assert picture.is_file()  # copied, not moved
    sound = run(["stock", "add", str(tone_wav(tmp_path / "calm.wav", seconds=0.5,
                                              frequency=440)), "--json"], env)
    assert sound.returncode == 0, sound.stderr
    audio = json.loads(sound.stdout)
    stored = Path(env["REELFLOW_HOME"]) / "media" / "stock" / f"{asset_id}.png"
    assert stored.is_file()

    listed = run(["stock", "list"], env)
    assert listed.returncode == 0, listed.stderr
    header, *rows = listed.stdout.splitlines()
    assert header.split() == ["ID", "KIND", "SIZE", "USES", "TAGS"]
    assert rows[0].split()[:2] == [asset_id, "IMAGE"] and rows[0].endswith("beach, summer")
    items = json.loads(run(["stock", "list", "--json"], env).stdout)
    assert [(item["id"], item["kind"], item["uses"], item["tags"]) for item in items] == [
        (asset_id, "IMAGE", 0, ["beach", "summer"]), (audio["id"], "AUDIO", 0, [])]
    assert items[0]["file_size"] == stored.stat().st_size

    removed = run(["stock", "remove", asset_id], env)
    assert removed.returncode == 0, removed.stderr
    assert not stored.exists()
    assert [item["id"] for item in json.loads(run(["stock", "list", "--json"], env).stdout)] \
        == [audio["id"]]
    storage = {row["storage_type"]: row for row in json.loads(run(["storage", "--json"],
                                                                  env).stdout)}
    assert storage["STOCK"]["file_count"] == 1


def test_stock_refuses_what_it_cannot_take_in_one_line(env: dict[str, str],
                                                      tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    for args, words in (
        (["stock", "add", str(text)], "not an image, audio or video file"),
        (["stock", "add", str(tmp_path / "missing.png")], "not a file"),
        (["stock", "add", str(text), "--tags", "a b"], "tag 'a b'"),
        (["stock", "remove", "nope"], "not a stock item id"),
        (["stock", "remove", "0b8f7a52-6a3b-4a4e-9a7e-2f1f0b6f2d11"], "no stock item"),
    ):
        done = run(args, env)
        assert done.returncode == 2, (args, done.stderr)
        assert words in done.stderr and done.stderr.count("\n") == 1, (args, done.stderr)
