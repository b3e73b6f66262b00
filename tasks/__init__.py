"""Prefect tasks: thin wrappers that give the services' steps names, retries and artifacts.

Each task calls one function of ``reelflow.services`` and adds only what Prefect brings: a
name the UI shows, retries, logging and artifacts. The logic lives in the services.
"""
