"""Prefect flows: orchestration only. They sequence tasks and pass ids and paths; no SQL and no
path-building here."""
