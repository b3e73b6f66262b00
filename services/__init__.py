"""What a job does, step by step, as plain functions: no Prefect here.

Each function takes the settings and plain values (ids, paths, parsed scenes), calls the
engine, the storage layer and the database, and returns plain values. ``tasks/`` wraps them as
Prefect tasks; the command line and the web server call them directly.
"""
