"""reelflow: a written script in, a narrated and verified video out, orchestrated by Prefect.

The project's top-level folders are installed as subpackages of this one name, so nothing of
ours can be shadowed by, or shadow, another project's ``flows``, ``tasks`` or ``db`` (see the
README's "Packaging"). The layers, each importing only those below it:

- ``reelflow`` itself (errors, settings, files, vocabulary): the floor; imports nothing of
  the project.
- ``engine``: the pure renderer (script parsing, speech, pictures, encoding, probing).
- ``db``: models, lifecycles, validation, the unit of work and migrations.
- ``storage``: the media root's layout, accounting, retention and access rules.
- ``services``: what a job does, step by step, as plain functions over the three above.
- ``tasks`` and ``flows``: Prefect's view of those steps; orchestration only.
- ``web`` and ``deployments``: the entry points (HTTP server, command line, serving).
"""
