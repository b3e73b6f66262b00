"""The media root: its layout, accounting, retention planning and execution.

Imports the database layer and the floor; no Prefect. Planning (records -> retention) is pure;
inventory, accounting and cleanup touch the disk and the database.
"""
