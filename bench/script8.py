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
    "lighthouse while the cafes are still dark, and the gulls follow them out to sea. By the time"
    " the first bus arrives, the nets are already drying on the harbour wall and the fish market "
    "is loud with bargaining.",
    "The old market hall was built in eighteen ninety, from stone quarried on the hill behind it."
    " Today it holds a bakery, a bookshop, and a stall that sells nothing but honey. On Saturdays"
    " the whole hall smells of fresh bread, and the queue for the bakery reaches all the way to "
    "the door.",
    "Walk north along the cliff path and you reach the ruined chapel. Nobody knows exactly when "
    "it was abandoned, but local stories say a storm took its roof one winter night. Ivy now "
    "covers the walls, and in spring the floor of the nave is a carpet of wild flowers that "
    "nobody planted.",
    "The town museum keeps a ship's bell, a collection of maps, and a diary written by a "
    "lighthouse keeper's daughter. Her entries describe forty years of weather and ships. "
    "Children who visit are allowed to ring the bell once, and most of them talk about it for the"
    " rest of the day.",
    "In summer the beach fills with families, and the water is warm enough to swim. In winter the"
    " same beach belongs to walkers, dogs, and the occasional painter with an easel. At low tide "
    "you can walk out to the rocks and look for crabs, as long as you keep an eye on the water "
    "coming back.",
    "Local cooks still make the fish stew their grandparents made. Each family has its own "
    "recipe, and each family is quite certain that every other version is simply wrong. The "
    "arguments are friendly, mostly, and they usually end with everyone agreeing to try each "
    "other's stew next week.",
    "Every August the town holds a regatta. Boats of every size race around the bay, and the "
    "evening ends with music on the quay and lanterns floating on the water. Visitors come from "
    "all along the coast to watch, and the cafes stay open long after midnight.",
    "When you leave, take the coast road south. It climbs slowly above the bay, and at the top "
    "there is a bench where you can sit and watch the whole town one last time. From there the "
    "harbour looks small and quiet, and it is hard to believe how much of life happens down by "
    "the water.",
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
