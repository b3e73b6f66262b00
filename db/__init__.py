"""Persistence for reelflow: lifecycles, validation, models, unit of work, migrations.

Kept import-free on purpose: ``import db.states`` must not pull in SQLAlchemy.
"""
