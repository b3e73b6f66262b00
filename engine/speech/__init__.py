"""Speech: engines that narrate text into WAV files, chained with fallback and cached."""

from reelflow.engine.speech.base import Narration, Sentence, SpeechEngine
from reelflow.engine.speech.chain import SpeechChain, build_engine

__all__ = ["Narration", "Sentence", "SpeechChain", "SpeechEngine", "build_engine"]
