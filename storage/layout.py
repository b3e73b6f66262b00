"""Where every file of the media root lives, and the URL it is served at.

Paths are deterministic functions of the job id, so a retried step writes the same file again
instead of a second one.
"""

from __future__ import annotations

import os
import re
import unicodedata
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from reelflow.db.policies import STORAGE_DIRECTORY
from reelflow.db.states import StorageType
from reelflow.errors import StorageError
from reelflow.files import JOIN_FOLDER, PARTIAL_PREFIX, SHOTS_FOLDER, parts_folder

CACHE_FOLDER = "cache"  # the speech cache: audio/cache/
UPLOADS_FOLDER = "uploads"  # files people uploaded: images/uploads/, audio/uploads/, ...
UPLOAD_TYPES = (StorageType.IMAGES, StorageType.AUDIO, StorageType.VIDEOS)
CAPTION_EXTENSIONS = ("srt", "vtt")  # the job's caption files beside its videos


def slugify(text: str, limit: int = 48) -> str:
    """Returns a lower-case ASCII file-name stem for ``text`` ("video" when nothing is left)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:limit].rstrip("-") or "video"


@dataclass(frozen=True)
class MediaLayout:
    """The media root's folders, one per storage type."""

    root: Path
    url_prefix: str = "/media"

    def folder(self, kind: StorageType) -> Path:
        return self.root / STORAGE_DIRECTORY[kind]

    def ensure(self) -> None:
        """Creates the root and every storage folder; raises StorageError when it cannot, or
        when a storage folder is a symbolic link.

        Why refuse links: retention deletes inside these folders; a folder that is a link
        (media/temp -> elsewhere) would have it delete files outside the media root.
        """
        for kind in StorageType:
            folder = self.folder(kind)
            if folder.is_symlink():
                raise StorageError(f"the storage folder {folder} is a symbolic link (to "
                                   f"{os.readlink(folder)}); storage folders must be real "
                                   "folders inside the media root")
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StorageError(f"cannot create the storage folder {folder}: "
                                   f"{exc.strerror or exc}") from exc

    def video(self, job_id: uuid.UUID, title: str, extension: str = "mp4") -> Path:
        return self.folder(StorageType.VIDEOS) / f"{slugify(title)}-{job_id.hex[:12]}.{extension}"

    def poster(self, video: Path) -> Path:
        """The JPEG poster of a video, beside it: ``<name>.mp4.jpg``."""
        return video.with_name(f"{video.name}.jpg")

    def caption_file(self, job_id: uuid.UUID, title: str, extension: str) -> Path:
        """The job's sidecar caption file (``srt`` or ``vtt``), beside its videos."""
        return self.video(job_id, title, extension)

    def beside(self, video: Path) -> list[Path]:
        """The files written beside a video once it exists: its poster and the job's caption
        files (same stem)."""
        return [self.poster(video), *(video.with_suffix(f".{extension}")
                                      for extension in CAPTION_EXTENSIONS)]

    def narration(self, job_id: uuid.UUID, index: int) -> Path:
        return self.folder(StorageType.AUDIO) / str(job_id) / f"scene-{index + 1:03d}.wav"

    def music(self, job_id: uuid.UUID, suffix: str) -> Path:
        """The job's copy of its background music, beside its narration."""
        return self.folder(StorageType.AUDIO) / str(job_id) / f"music{suffix.lower()}"

    def slide(self, job_id: uuid.UUID, index: int) -> Path:
        return self.folder(StorageType.IMAGES) / str(job_id) / f"scene-{index + 1:03d}.png"

    def scene_image(self, job_id: uuid.UUID, index: int, suffix: str) -> Path:
        folder = self.folder(StorageType.IMAGES) / str(job_id)
        return folder / f"scene-{index + 1:03d}-source{suffix.lower()}"

    def scene_clip(self, job_id: uuid.UUID, index: int, suffix: str) -> Path:
        """The job's copy of scene ``index``'s video clip (a clip from a path, not the
        library's): ``videos/<job id>/scene-001-clip.mp4``."""
        folder = self.folder(StorageType.VIDEOS) / str(job_id)
        return folder / f"scene-{index + 1:03d}-clip{suffix.lower()}"

    def uploads(self, kind: StorageType) -> Path:
        """Returns the folder of uploaded files of one storage type (images, audio, videos)."""
        return self.folder(kind) / UPLOADS_FOLDER

    def library(self) -> tuple[Path, ...]:
        """Returns the folders scripts may take files from: every uploads folder and stock."""
        return (*(self.uploads(kind) for kind in UPLOAD_TYPES), self.folder(StorageType.STOCK))

    def speech_cache(self) -> Path:
        return self.folder(StorageType.AUDIO) / CACHE_FOLDER

    def scratch(self, job_id: uuid.UUID) -> Path:
        return self.folder(StorageType.TEMP) / str(job_id)

    def shots(self, job_id: uuid.UUID) -> Path:
        """The folder of the job's encoded shots, inside its scratch folder."""
        return self.scratch(job_id) / SHOTS_FOLDER

    def join_work(self, job_id: uuid.UUID) -> Path:
        """The folder of the join's intermediate files, inside the job's scratch folder."""
        return self.scratch(job_id) / JOIN_FOLDER

    def leftovers(self, job_id: uuid.UUID, videos: Sequence[Path],
                  recorded: frozenset[str] = frozenset()) -> list[Path]:
        """Returns the unfinished files and folders a job interrupted mid-step leaves behind.

        Partial writes and a video's parts folder are named by ``reelflow.files``; the job's
        scratch folder holds only intermediate files; in the job's own folders, every file
        whose path is not in ``recorded`` (no row counts it: a copy or a narration written
        just before a failure) is one too. Beside each video: its partial file and those of
        its poster and caption files, the poster and caption files no row records (written
        just before a failure), and its parts folder.
        """
        found = [self.scratch(job_id)]
        for folder in (self.narration(job_id, 0).parent, self.slide(job_id, 0).parent,
                       self.scene_clip(job_id, 0, "").parent):
            found += folder.glob(f"{PARTIAL_PREFIX}*")
            found += [path for path in folder.glob("*") if str(path) not in recorded
                      and not path.name.startswith(PARTIAL_PREFIX)]
        for video in videos:
            beside = self.beside(video)
            for path in (video, *beside):
                found += video.parent.glob(f"{PARTIAL_PREFIX}*-{path.name}")
            found += [path for path in beside if str(path) not in recorded]
            found.append(parts_folder(video))
        return [path for path in found if path.exists()]

    def storage_type_of(self, path: str | Path) -> StorageType | None:
        """Returns the storage type whose folder holds ``path``, or None outside all of them.

        Decided on the absolute, normalised name alone (no file-system call, links are not
        resolved), so it costs microseconds per path for retention's 100,000 rows.
        """
        text = os.path.normpath(os.path.abspath(path))
        for kind, prefix in self._prefixes:
            if text.startswith(prefix):
                return kind
        return None

    @cached_property
    def _prefixes(self) -> tuple[tuple[StorageType, str], ...]:
        root = os.path.normpath(os.path.abspath(self.root))
        return tuple((kind, os.path.join(root, STORAGE_DIRECTORY[kind]) + os.sep)
                     for kind in StorageType)

    def url_path(self, path: Path) -> str:
        """Returns the URL path of a file inside the media root; raises StorageError outside it."""
        try:
            relative = path.resolve().relative_to(self.root.resolve())
        except ValueError as exc:
            raise StorageError(f"{path} is outside the media root {self.root}") from exc
        return f"{self.url_prefix.rstrip('/')}/{relative.as_posix()}"
