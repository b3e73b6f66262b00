"""The database handle and the unit of work: one transaction, its repositories, commit or not.

Typical use::

    database = Database.open("sqlite:///reelflow-data/reelflow.db")
    with database.unit_of_work() as uow:
        job = uow.jobs.get_for_update(job_id)
        job.move_to(JobStatus.MEDIA_GENERATION, now)
        uow.commit()

Leaving the block without ``commit()`` rolls everything back, errors or not. Objects a unit of
work only read stay usable after the block (detached, attributes as loaded; relationships not
loaded inside the block cannot be loaded any more). Objects of a unit of work that wrote and did
not commit are expired, because their in-memory state would no longer match the database.

On SQLite a unit of work holds the database's single write lock from its first statement to its
end (see ``db.connect``), so keep units of work short and never open a second one inside the
first in the same thread: it would wait for the lock the first one holds. Pure reads use
``unit_of_work(read_only=True)``, which takes no lock.
"""

from __future__ import annotations

from pathlib import Path
from types import TracebackType
from typing import Any, Self

from sqlalchemy import Engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import ORMExecuteState, Session, sessionmaker

from reelflow.db.connect import SQLITE_BEGIN, create_db_engine
from reelflow.db.integrity import database_refusals_as_record_invalid, translated
from reelflow.db.library_index import LibraryRepository
from reelflow.db.media_index import MediaIndexRepository
from reelflow.db.repositories import (
    AssetRepository,
    JobRepository,
    ScriptRepository,
    StorageRepository,
    VideoRepository,
)
from reelflow.db.schema import is_up_to_date, migrate
from reelflow.db.states import StorageType
from reelflow.errors import DatabaseError, ReelflowError

__all__ = ["Database", "UnitOfWork", "create_db_engine", "migrate"]

# Session.info key: set once a unit of work has sent changes the database may have to undo.
_WROTE = "reelflow.unit_of_work.wrote"


class UnitOfWork:
    """One session and transaction, with a repository per aggregate; rolls back unless committed."""

    scripts: ScriptRepository
    jobs: JobRepository
    assets: AssetRepository
    videos: VideoRepository
    storage: StorageRepository
    media: MediaIndexRepository
    library: LibraryRepository

    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self._session_factory = session_factory
        self._session: Session | None = None

    @property
    def session(self) -> Session:
        """The open session, for queries no repository offers; raises outside ``with``."""
        if self._session is None:
            raise ReelflowError("the unit of work is not open; use it in a with block")
        return self._session

    def __enter__(self) -> Self:
        self._session = self._session_factory()
        self.scripts = ScriptRepository(self._session)
        self.jobs = JobRepository(self._session)
        self.assets = AssetRepository(self._session)
        self.videos = VideoRepository(self._session)
        self.storage = StorageRepository(self._session)
        self.media = MediaIndexRepository(self._session)
        self.library = LibraryRepository(self._session)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        session = self.session
        try:
            if session.info.pop(_WROTE, False) or session.new or session.dirty or session.deleted:
                session.rollback()
        except SQLAlchemyError:
            if exc is None:
                raise
            # The connection is broken: the error that broke it is the one worth reporting.
        finally:
            # Closing ends the transaction too, but leaves objects that were only read usable.
            session.close()
            self._session = None
        if isinstance(exc, SQLAlchemyError):
            raise translated(exc) from exc

    def commit(self) -> None:
        """Commits the work so far; raises RecordInvalid (rolled back) if the database says no."""
        try:
            with database_refusals_as_record_invalid():
                self.session.commit()
        except BaseException:
            self.session.rollback()
            raise
        finally:
            self.session.info.pop(_WROTE, None)

    def flush(self) -> None:
        """Sends pending changes without committing; raises RecordInvalid on a refusal."""
        with database_refusals_as_record_invalid():
            self.session.flush()

    def rollback(self) -> None:
        """Discards everything not yet committed; objects loaded so far are expired."""
        self.session.rollback()
        self.session.info.pop(_WROTE, None)


class Database:
    """An engine and its session factories: what a process opens once and shares."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        # Why expire_on_commit=False: tasks read ids and paths off rows after the commit.
        self._writer = sessionmaker(bind=engine, expire_on_commit=False)
        self._reader = sessionmaker(
            bind=engine.execution_options(**{SQLITE_BEGIN: "DEFERRED"}), expire_on_commit=False
        )
        event.listen(self._writer, "after_flush", _note_flush)
        event.listen(self._writer, "do_orm_execute", _note_statement)
        event.listen(self._reader, "before_flush", _refuse_flush)
        event.listen(self._reader, "do_orm_execute", _refuse_dml)

    @classmethod
    def open(cls, url: str, *, migrate: bool = True, media_root: Path | None = None) -> Database:
        """Given a database URL, returns a Database on it, migrated to the newest schema unless
        ``migrate=False``.

        Given the media root too, its MediaStorage records (one per storage type, with default
        policies) and folders are created if missing, so every entry point that opens the
        database with its media root finds them.
        """
        try:
            database = cls(create_db_engine(url))
        except (SQLAlchemyError, ValueError) as exc:
            raise DatabaseError(f"not a database URL: {shown_url(url)} ({exc})") from exc
        try:
            # Checked with reads first: a database that needs nothing is never written to,
            # so read-only commands work on a read-only database.
            if migrate and not is_up_to_date(database.engine):
                _migrate(database.engine)
            if media_root is not None and not _has_defaults(database, media_root):
                with database.unit_of_work() as uow:
                    uow.storage.ensure_defaults(media_root)
                    uow.commit()
        except SQLAlchemyError as exc:
            database.dispose()
            raise translated(exc, f"opening {shown_url(url)}") from exc
        except BaseException:
            database.dispose()
            raise
        return database

    def unit_of_work(self, *, read_only: bool = False) -> UnitOfWork:
        """Returns a new unit of work; open it with ``with``.

        ``read_only=True``: the unit of work refuses to write (ReelflowError) and, on SQLite,
        neither waits for nor blocks writers.
        """
        return UnitOfWork(self._reader if read_only else self._writer)

    def dispose(self) -> None:
        """Closes every pooled connection; the Database must not be used afterwards."""
        self.engine.dispose()


_migrate = migrate


def _has_defaults(database: Database, media_root: Path) -> bool:
    with database.unit_of_work(read_only=True) as uow:
        records = uow.storage.all()
    return len(records) == len(StorageType) and all(
        Path(record.directory_path).is_dir() for record in records)


def shown_url(url: str) -> str:
    """The URL as messages may show it: without its password."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # not even a URL: show what was given, shortened
        return repr(url[:80])


def _note_flush(session: Session, _flush_context: Any) -> None:
    session.info[_WROTE] = True


def _note_statement(state: ORMExecuteState) -> None:
    if not state.is_select:
        state.session.info[_WROTE] = True


def _refuse_flush(session: Session, _flush_context: Any, _instances: Any) -> None:
    raise ReelflowError("a read-only unit of work cannot write; use unit_of_work()")


def _refuse_dml(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        raise ReelflowError("a read-only unit of work cannot write; use unit_of_work()")
