"""The end-to-end comparison's script: eight scenes, about two minutes of speech, at 1080p.

Written for this benchmark and never used by the tests, so neither renderer has seen its words
before (no narration cache helps either side). A short warm-up script with other words creates
the databases and loads the voice first, as a user's second render finds them.
"""

from __future__ import annotations

from pathlib import Path

import yaml

TITLE = "A harbour town"
SCENES = (
    "Every morning the harbour wakes before the town does. Fishing boats slip out past the "
    "lighthouse while the cafes are still dark, and the gulls follow them out to sea.",
    "The old market hall was built in eighteen ninety, from stone quarried on the hill behind "
    "it. Today it holds a bakery, a bookshop, and a stall that sells nothing but honey.",
    "Walk north along the cliff path and you reach the ruined chapel. Nobody knows exactly when "
    "it was abandoned, but local stories say a storm took its roof one winter night.",
    "The town museum keeps a ship's bell, a collection of maps, and a diary written by a "
    "lighthouse keeper's daughter. Her entries describe forty years of weather and ships.",
    "In summer the beach fills with families, and the water is warm enough to swim. In winter "
    "the same beach belongs to walkers, dogs, and the occasional painter with an easel.",
    "Local cooks still make the fish stew their grandparents made. Each family has its own "
    "recipe, and each family is quite certain that every other version is simply wrong.",
    "Every August the town holds a regatta. Boats of every size race around the bay, and the "
    "evening ends with music on the quay and lanterns floating on the water.",
    "When you leave, take the coast road south. It climbs slowly above the bay, and at the top "
    "there is a bench where you can sit and watch the whole town one last time.",
)
WARM_UP = "# Warm-up\n\nOne short scene that creates the databases and wakes the voice.\n"
RESOLUTION = "1920x1080"
PAUSE_SECONDS = 0.6


def write_script(path: Path) -> Path:
    """Writes the eight-scene script as reelflow YAML; returns its path."""
    path.write_text(yaml.safe_dump({
        "title": TITLE, "settings": {"resolution": RESOLUTION, "pause_seconds": PAUSE_SECONDS},
        "scenes": [{"heading": f"Part {n + 1}", "narration": text}
                   for n, text in enumerate(SCENES)]}, sort_keys=False), "utf-8")
    return path
