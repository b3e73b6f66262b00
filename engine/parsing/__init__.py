"""Turn script text (Markdown / plain text, YAML or JSON) into a validated ``Script``.

Every problem with the input becomes one ``InvalidScript`` whose one-line message says what is
wrong and where: a line number for text and syntax problems, a field path such as
``scenes[2].narration`` (0-based indices, with the scene counted from 1 beside it: "scene 3")
for model problems, and both when both are known.
"""

from reelflow.engine.parsing.core import ScriptFormat, parse_located, parse_script, script_sha256
from reelflow.engine.parsing.draft import Loc

__all__ = ["Loc", "ScriptFormat", "parse_located", "parse_script", "script_sha256"]
