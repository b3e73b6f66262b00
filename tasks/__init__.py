"""Prefect tasks: thin, idempotent steps that call the engine and storage and write rows."""
