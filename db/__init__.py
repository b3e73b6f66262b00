"""Persistence: lifecycles, validation, models, unit of work, migrations.

Imports only the floor. SQLAlchemy's exceptions never leave this package: they become
``DatabaseError`` or ``RecordInvalid`` (db/integrity.py). Kept import-free on purpose:
``import reelflow.db.states`` must not pull in SQLAlchemy.
"""
