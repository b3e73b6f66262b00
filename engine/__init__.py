"""The rendering engine: script parsing, speech, slides, composition and probing.

Pure library code: it imports only the floor (``reelflow.errors``, ``.files``, ``.vocabulary``),
neither Prefect nor the database. It takes plain values and paths and returns plain values.
"""
