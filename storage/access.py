"""Who may read or write what in the media root, decided from plain values.

The web server asks these functions and turns their answers into HTTP statuses; nothing here
knows HTTP. Four questions, in the order a request meets them:

1. ``resolve``: which real file inside the media root does a URL path name? Refusals here
   (traversal, odd characters, links pointing out) look exactly like a missing file.
2. ``servable_type``: which storage type holds it, and may that kind of file be served at all?
   Temporary files, partial writes (``.partial-*``, ``.parts-*``), hidden names and the speech
   cache never are.
3. ``may_read`` / ``may_write``: given the type's ``access_permissions`` and who is asking.
4. ``verify``: whether a signed URL (HMAC of path and expiry with the server's secret) is
   genuine and unexpired; a genuine one counts as an authenticated reader of that path only.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
import stat
from collections.abc import Iterable, Mapping
from enum import IntEnum, StrEnum
from pathlib import Path

from reelflow.db.states import StorageType
from reelflow.storage.layout import MediaLayout

MAX_URL_PATH = 1024  # characters after the media prefix; no file we write has a longer name
SECRET_FILE = "signing-secret"
SECRET_BYTES = 32
MAX_EXPIRY_DIGITS = 12  # far beyond any real expiry, short enough to refuse a hostile number


class Role(IntEnum):
    """Who a request is, from least to most trusted."""

    ANONYMOUS = 0
    READER = 1  # a read token, or a genuine signed URL for the requested path
    ADMIN = 2


class Verdict(StrEnum):
    """The answer to "may this caller do this?"."""

    ALLOW = "allow"
    UNAUTHENTICATED = "unauthenticated"  # no credentials that count: ask for some
    FORBIDDEN = "forbidden"  # credentials known, not enough for this


def resolve(root: Path, relative: str) -> Path | None:
    """Given the media root and the part of a URL path after the media prefix (decoded once, as
    the HTTP server hands it over), returns the real path it names inside the root, or None.

    None for: an empty or over-long path, NUL or other control characters, backslashes, ``%``
    (a second round of decoding must never find dots), an absolute path, empty, ``.`` or
    ``..`` segments, and any path whose real location (symbolic links followed) is not
    strictly inside the root's real location. Whether the file exists is not asked here.
    """
    if not relative or len(relative) > MAX_URL_PATH or relative.startswith("/"):
        return None
    if any(ord(char) < 32 or char in "\\%\x7f" for char in relative):
        return None
    parts = relative.split("/")
    if any(part in ("", ".", "..") for part in parts):
        return None
    # Why realpath + commonpath: a string check is fooled by links and by a sibling folder
    # whose name starts like the root ("media-old"); the resolved path is not.
    real_root = os.path.realpath(root)
    candidate = os.path.realpath(os.path.join(real_root, *parts))
    if candidate == real_root or os.path.commonpath([real_root, candidate]) != real_root:
        return None
    return Path(candidate)


def servable_type(media: MediaLayout, real: Path) -> StorageType | None:
    """Given a real path inside ``media``'s root (``media.root`` itself real), returns the
    storage type that holds it when files of that kind may be served; None for anything
    outside the storage folders, in TEMP, hidden (which covers partial writes and parts
    folders) or in the speech cache."""
    kind = media.storage_type_of(real)
    if kind is None or kind == StorageType.TEMP:
        return None
    inside = real.relative_to(media.folder(kind))
    if any(part.startswith(".") for part in inside.parts):
        return None
    if kind == StorageType.AUDIO and real.is_relative_to(media.speech_cache()):
        return None
    return kind


def role_of(authorization: str | None, read_tokens: Iterable[str],
            admin_tokens: Iterable[str]) -> Role | None:
    """Given an ``Authorization`` header value and the configured tokens, returns the caller's
    role: ANONYMOUS without a header, READER or ADMIN for a known bearer token, None for a
    header that is malformed or names no configured token."""
    if authorization is None:
        return Role.ANONYMOUS
    scheme, _, token = authorization.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        return None
    if _known(token, admin_tokens):
        return Role.ADMIN
    if _known(token, read_tokens):
        return Role.READER
    return None


def _known(token: str, configured: Iterable[str]) -> bool:
    # compare_digest for every configured token: the time taken says nothing about which
    # characters matched.
    given = token.encode()
    found = False
    for candidate in configured:
        found |= hmac.compare_digest(given, candidate.encode())
    return found


def may_read(permissions: Mapping[str, object] | None, role: Role) -> Verdict:
    """Given a storage type's access_permissions and the caller's role, returns whether it may
    read: anyone when public_read; a reader when authenticated_read; an admin always."""
    rules = permissions or {}
    if rules.get("public_read") is True or role == Role.ADMIN:
        return Verdict.ALLOW
    if role >= Role.READER and rules.get("authenticated_read") is True:
        return Verdict.ALLOW
    return Verdict.UNAUTHENTICATED if role == Role.ANONYMOUS else Verdict.FORBIDDEN


def may_write(permissions: Mapping[str, object] | None, role: Role) -> Verdict:
    """Given a storage type's access_permissions and the caller's role, returns whether it may
    write (start a job, upload, delete): only an admin while admin_write is true (the
    default); whoever may read the type once an operator turns admin_write off."""
    rules = permissions or {}
    if role == Role.ADMIN:
        return Verdict.ALLOW
    if rules.get("admin_write") is False:
        return may_read(rules, role)
    return Verdict.UNAUTHENTICATED if role == Role.ANONYMOUS else Verdict.FORBIDDEN


def sign(secret: bytes, path: str, expires: int) -> str:
    """Given the server's secret, a URL path and an expiry (seconds since the epoch), returns
    the signature: HMAC-SHA256 of both, URL-safe base64 without padding."""
    digest = hmac.new(secret, f"{path}\n{expires}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def signed_query(secret: bytes, path: str, expires: int) -> str:
    """Returns the query string that makes ``path`` a signed URL valid until ``expires``."""
    return f"expires={expires}&signature={sign(secret, path, expires)}"


def verify(secret: bytes, path: str, expires: str | None, signature: str | None,
           now: float) -> bool:
    """Given a URL path and the ``expires`` and ``signature`` query values it came with,
    returns True when the signature is the server's for exactly that path and expiry and
    ``now`` is not past the expiry."""
    if not expires or not signature or len(expires) > MAX_EXPIRY_DIGITS:
        return False
    if not expires.isascii() or not expires.isdigit() or int(expires) < now:
        return False
    return hmac.compare_digest(sign(secret, path, int(expires)).encode(),
                               signature.encode("utf-8", "replace"))


def load_secret(home: Path) -> bytes:
    """Returns the signing secret kept in ``home``, generating it on first use.

    The file is created with mode 0600 complete or not at all (written under a temporary name,
    then linked into place, so two processes starting at once agree on one secret). A secret
    file others may read is made private again. Raises OSError when home is not writable.
    """
    home.mkdir(parents=True, exist_ok=True)
    final = home / SECRET_FILE
    if not final.exists():
        temp = home / f".{SECRET_FILE}-{secrets.token_hex(6)}"
        descriptor = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(descriptor, secrets.token_bytes(SECRET_BYTES).hex().encode())
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
        try:
            os.link(temp, final)
        except FileExistsError:
            pass  # another process was first: use its secret
        finally:
            temp.unlink()
    if stat.S_IMODE(final.stat().st_mode) & 0o077:
        final.chmod(0o600)
    return bytes.fromhex(final.read_text().strip())
