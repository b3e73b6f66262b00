"""The migrated schema: same as the models, with the seed's indexes and every named constraint."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import CheckConstraint, UniqueConstraint, inspect

from reelflow.db.connect import create_db_engine
from reelflow.db.models import Base
from reelflow.db.schema import alembic_config, migrate
from reelflow.db.session import Database

SEED_INDEXES = {
    "idx_generated_videos_session": ("generated_videos", ["session_id"]),
    "idx_generated_videos_script": ("generated_videos", ["script_id"]),
    "idx_generated_videos_status": ("generated_videos", ["generation_status"]),
    "idx_media_assets_job": ("media_assets", ["generation_job_id"]),
    "idx_media_assets_type": ("media_assets", ["asset_type"]),
    "idx_video_jobs_session": ("video_generation_jobs", ["session_id"]),
    "idx_video_jobs_status": ("video_generation_jobs", ["status"]),
}
TABLES = {
    "scripts",
    "video_generation_jobs",
    "media_assets",
    "generated_videos",
    "media_storage",
    "video_assets",
    "media_root_identity",
}


def test_the_migrated_schema_does_not_drift_from_the_models(database: Database) -> None:
    with database.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_the_migrations_create_every_table_and_nothing_else(database: Database) -> None:
    assert set(inspect(database.engine).get_table_names()) == TABLES | {"alembic_version"}


def test_the_seven_seed_indexes_exist_by_name_on_the_seed_columns(database: Database) -> None:
    inspector = inspect(database.engine)
    found = {
        index["name"]: (table, index["column_names"])
        for table in TABLES
        for index in inspector.get_indexes(table)
    }
    assert {name: found.get(name) for name in SEED_INDEXES} == SEED_INDEXES


def test_every_check_constraint_of_the_models_exists_by_name(database: Database) -> None:
    inspector = inspect(database.engine)
    in_models = {
        constraint.name
        for table in Base.metadata.tables.values()
        for constraint in table.constraints
        if isinstance(constraint, CheckConstraint)
    }
    in_database = {c["name"] for table in TABLES for c in inspector.get_check_constraints(table)}
    assert in_database == in_models
    assert len(in_models) == 19


def test_every_unique_constraint_of_the_models_exists_by_name(database: Database) -> None:
    inspector = inspect(database.engine)
    in_models = {
        constraint.name
        for table in Base.metadata.tables.values()
        for constraint in table.constraints
        if isinstance(constraint, UniqueConstraint)
    }
    in_database = {c["name"] for table in TABLES for c in inspector.get_unique_constraints(table)}
    assert (
        in_database
        == in_models
        == {
            "uq_media_assets_job_path",
            "uq_media_storage_storage_type",
            "uq_generated_videos_job_format",
        }
    )


def test_foreign_keys_delete_as_the_data_model_says(database: Database) -> None:
    inspector = inspect(database.engine)
    rules = {
        (table, fk["constrained_columns"][0], fk["referred_table"]): fk["options"].get("ondelete")
        for table in TABLES
        for fk in inspector.get_foreign_keys(table)
    }
    assert rules == {
        ("video_generation_jobs", "script_id", "scripts"): "CASCADE",
        ("generated_videos", "script_id", "scripts"): "CASCADE",
        ("generated_videos", "generation_job_id", "video_generation_jobs"): "SET NULL",
        ("media_assets", "generation_job_id", "video_generation_jobs"): "CASCADE",
        ("video_assets", "video_id", "generated_videos"): "CASCADE",
        ("video_assets", "asset_id", "media_assets"): "CASCADE",
    }


def _head() -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def test_the_newest_migration_is_the_head_the_tests_expect() -> None:
    assert _head() == "0004"


def test_migrating_an_up_to_date_database_changes_nothing(database: Database) -> None:
    migrate(database.engine)
    with database.engine.connect() as connection:
        assert MigrationContext.configure(connection).get_current_revision() == _head()


def test_migrate_accepts_a_url(db_url: str) -> None:
    migrate(db_url)
    engine = create_db_engine(db_url)
    try:
        assert set(inspect(engine).get_table_names()) >= TABLES
    finally:
        engine.dispose()


def test_the_initial_migration_can_be_undone_and_redone(db_url: str) -> None:
    migrate(db_url)
    command.downgrade(alembic_config(url=db_url), "base")
    engine = create_db_engine(db_url)
    try:
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        migrate(engine)
        assert set(inspect(engine).get_table_names()) >= TABLES
    finally:
        engine.dispose()


def test_several_processes_may_migrate_the_same_database_at_once(db_url: str) -> None:
    with ThreadPoolExecutor(3) as pool:
        for done in [pool.submit(migrate, db_url) for _ in range(3)]:
            done.result(60)
    engine = create_db_engine(db_url)
    try:
        with engine.connect() as connection:
            assert MigrationContext.configure(connection).get_current_revision() == _head()
    finally:
        engine.dispose()


def test_opening_without_migrating_leaves_the_database_empty(db_url: str) -> None:
    database = Database.open(db_url, migrate=False)
    try:
        assert inspect(database.engine).get_table_names() == []
    finally:
        database.dispose()


def test_videos_made_before_several_formats_survive_the_migration(db_url: str) -> None:
    import uuid
    from datetime import datetime

    from sqlalchemy import text

    command.upgrade(alembic_config(url=db_url), "0002")
    engine = create_db_engine(db_url)
    script, video = uuid.uuid4(), uuid.uuid4()
    ids = {"script": script.hex, "video": video.hex} if engine.dialect.name == "sqlite" else {
        "script": script, "video": video}
    try:
        with engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO scripts (id, title, kind, sha256, content, session_id, created_at) "
                "VALUES (:script, 't', 'INLINE', 'x', 'c', 's', :now)"),
                {**ids, "now": datetime(2026, 1, 1)})
            connection.execute(text(
                "INSERT INTO generated_videos (id, file_path, url_path, title, duration, "
                "resolution, format, creation_timestamp, generation_status, script_id, "
                "session_id) VALUES (:video, '/v.mp4', '/media/videos/v.mp4', 't', 1.5, "
                "'640x360', 'mp4', :now, 'PENDING', :script, 's')"),
                {**ids, "now": datetime(2026, 1, 1)})
        migrate(engine)
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT format, duration FROM generated_videos"))
            assert [tuple(row) for row in rows] == [("mp4", 1.5)]
        names = {c["name"] for c in inspect(engine).get_unique_constraints("generated_videos")}
        assert names == {"uq_generated_videos_job_format"}
    finally:
        engine.dispose()
