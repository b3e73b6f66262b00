"""storage/access.py: path resolution against traversal, access verdicts, signed URLs."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from reelflow.db.states import StorageType
from reelflow.storage.access import (
    Role,
    Verdict,
    load_secret,
    may_read,
    may_write,
    resolve,
    role_of,
    servable_type,
    sign,
    signed_query,
    verify,
)
from reelflow.storage.layout import MediaLayout


@pytest.fixture
def root(tmp_path: Path) -> Path:
    media = tmp_path / "media"
    (media / "videos").mkdir(parents=True)
    (media / "videos" / "a.mp4").write_bytes(b"video")
    (tmp_path / "media-old").mkdir()
    (tmp_path / "media-old" / "secret.txt").write_bytes(b"secret")
    (media / "videos" / "out").symlink_to(tmp_path / "media-old")
    (media / "videos" / "inside.mp4").symlink_to(media / "videos" / "a.mp4")
    return media


@pytest.mark.parametrize("relative", [
    "", "/etc/passwd", "videos/../../media-old/secret.txt", "../media-old/secret.txt",
    "videos/./a.mp4", "videos//a.mp4", "videos/a.mp4\x00.png", "videos\\..\\a.mp4",
    "videos/%2e%2e/a.mp4", "videos/%252e%252e/a.mp4", "videos/out/secret.txt",
    "videos/" + "x" * 2000, "videos/a.mp4\n", "..", "videos/..",
])
def test_a_path_that_leaves_the_root_or_looks_odd_resolves_to_nothing(
        root: Path, relative: str) -> None:
    assert resolve(root, relative) is None


def test_a_plain_path_and_a_link_that_stays_inside_resolve_to_real_files(root: Path) -> None:
    real = Path(os.path.realpath(root))
    assert resolve(root, "videos/a.mp4") == real / "videos" / "a.mp4"
    assert resolve(root, "videos/inside.mp4") == real / "videos" / "a.mp4"
    assert resolve(root, "videos/missing.mp4") == real / "videos" / "missing.mp4"


@pytest.mark.parametrize(("relative", "expected"), [
    ("videos/a.mp4", StorageType.VIDEOS),
    ("images/uploads/x.png", StorageType.IMAGES),
    ("stock/tune.wav", StorageType.STOCK),
    ("temp/job/narration.wav", None),
    ("videos/.partial-0123456789ab-a.mp4", None),
    ("videos/.parts-a/seg-001.mp4", None),
    ("audio/cache/ab/cd.wav", None),
    ("audio/job/scene-001.wav", StorageType.AUDIO),
    ("elsewhere/file.txt", None),
])
def test_only_finished_files_of_served_types_are_servable(
        tmp_path: Path, relative: str, expected: StorageType | None) -> None:
    media = MediaLayout(tmp_path)
    assert servable_type(media, tmp_path / relative) == expected


TOKENS = {"read_tokens": ["reader-token-0123456789"], "admin_tokens": ["admin-token-0123456789"]}


@pytest.mark.parametrize(("header", "expected"), [
    (None, Role.ANONYMOUS),
    ("Bearer reader-token-0123456789", Role.READER),
    ("bearer admin-token-0123456789", Role.ADMIN),
    ("Bearer wrong", None),
    ("Basic reader-token-0123456789", None),
    ("Bearer", None),
    ("Bearer reader-token-012345678", None),
])
def test_the_role_comes_from_a_configured_bearer_token(header: str | None,
                                                       expected: Role | None) -> None:
    assert role_of(header, **TOKENS) == expected


PUBLIC = {"public_read": True, "authenticated_read": True, "admin_write": True}
PRIVATE = {"public_read": False, "authenticated_read": True, "admin_write": True}
CLOSED = {"public_read": False, "authenticated_read": False, "admin_write": True}
OPEN_WRITE = {"public_read": False, "authenticated_read": True, "admin_write": False}


@pytest.mark.parametrize(("rules", "role", "read", "write"), [
    (PUBLIC, Role.ANONYMOUS, Verdict.ALLOW, Verdict.UNAUTHENTICATED),
    (PUBLIC, Role.READER, Verdict.ALLOW, Verdict.FORBIDDEN),
    (PUBLIC, Role.ADMIN, Verdict.ALLOW, Verdict.ALLOW),
    (PRIVATE, Role.ANONYMOUS, Verdict.UNAUTHENTICATED, Verdict.UNAUTHENTICATED),
    (PRIVATE, Role.READER, Verdict.ALLOW, Verdict.FORBIDDEN),
    (PRIVATE, Role.ADMIN, Verdict.ALLOW, Verdict.ALLOW),
    (CLOSED, Role.READER, Verdict.FORBIDDEN, Verdict.FORBIDDEN),
    (CLOSED, Role.ADMIN, Verdict.ALLOW, Verdict.ALLOW),
    (OPEN_WRITE, Role.ANONYMOUS, Verdict.UNAUTHENTICATED, Verdict.UNAUTHENTICATED),
    (OPEN_WRITE, Role.READER, Verdict.ALLOW, Verdict.ALLOW),
    ({}, Role.READER, Verdict.FORBIDDEN, Verdict.FORBIDDEN),
])
def test_reads_and_writes_follow_the_storage_types_permissions(
        rules: dict[str, bool], role: Role, read: Verdict, write: Verdict) -> None:
    assert may_read(rules, role) == read
    assert may_write(rules, role) == write


SECRET = b"k" * 32


def test_a_signed_url_is_valid_only_for_its_path_until_its_expiry() -> None:
    path, expires = "/media/videos/a.mp4", 2_000_000_000
    signature = sign(SECRET, path, expires)
    assert signed_query(SECRET, path, expires) == f"expires={expires}&signature={signature}"
    assert verify(SECRET, path, str(expires), signature, now=expires - 1)
    assert verify(SECRET, path, str(expires), signature, now=expires)
    assert not verify(SECRET, path, str(expires), signature, now=expires + 1)
    assert not verify(SECRET, "/media/videos/b.mp4", str(expires), signature, now=0)
    assert not verify(SECRET, path, str(expires + 1), signature, now=0)
    assert not verify(b"other" * 8, path, str(expires), signature, now=0)
    assert not verify(SECRET, path, str(expires), signature[:-1] + "A", now=0)
    assert not verify(SECRET, path, None, signature, now=0)
    assert not verify(SECRET, path, str(expires), None, now=0)
    assert not verify(SECRET, path, "9" * 40, signature, now=0)
    assert not verify(SECRET, path, "-1", signature, now=0)
    assert not verify(SECRET, path, str(expires), "é" * 43, now=0)


def test_the_signing_secret_is_made_once_private_and_reused(tmp_path: Path) -> None:
    first = load_secret(tmp_path / "home")
    assert len(first) == 32
    path = tmp_path / "home" / "signing-secret"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_secret(tmp_path / "home") == first
    path.chmod(0o644)
    assert load_secret(tmp_path / "home") == first
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert sorted(p.name for p in (tmp_path / "home").iterdir()) == ["signing-secret"]
