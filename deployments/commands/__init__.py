"""Command groups of the ``reelflow`` command line.

Each module exposes ``register(subparsers)``, which adds its sub-commands and sets ``handler``
on them: a function ``(args, settings) -> None`` that prints its result or raises a
ReelflowError. Exit codes are chosen in deployments/cli.py only.
"""
