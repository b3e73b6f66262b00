"""The ``language`` setting: which voice narrates it, what is refused, and what is drawn.

English narrates with the offline Piper voice; any other language with gTTS (faked here: tests
never use the network); Piper never reads another language, not even as a chain's fallback.
"""
# ruff: noqa: RUF001 - the full-width punctuation and letters are the subject here

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from gtts import gTTSError
from prefect.states import Failed

from reelflow.engine.parsing import parse_script
from reelflow.engine.script import RenderSettings
from reelflow.engine.speech import SpeechChain
from reelflow.engine.speech.base import split_sentences
from reelflow.engine.speech.gtts_engine import GttsEngine
from reelflow.engine.speech.piper_engine import PiperEngine, voice_layout, voice_process
from reelflow.engine.speech.voices import gtts_language, is_english, language_name
from reelflow.errors import InvalidScript, SpeechFailed, VoiceUnavailable
from reelflow.services.scripts import overrides
from reelflow.tasks.media import _worth_retrying


def _yaml(settings: str, narration: str = "こんにちは。", title: str = "Title") -> bytes:
    return f"title: {title}\nsettings: {{{settings}}}\nscenes:\n  - {narration}\n".encode()


def test_english_narrates_offline_with_piper_by_default() -> None:
    assert (RenderSettings().language, RenderSettings().tts) == ("en", "piper")
    assert RenderSettings(language="en-GB").tts == "piper"


def test_another_language_narrates_with_gtts_when_the_script_names_no_engine() -> None:
    script = parse_script(_yaml("language: ja"), source_name="s.yaml")
    assert (script.settings.language, script.settings.tts_chain) == ("ja", ("gtts",))


@pytest.mark.parametrize("tts", ["piper", "'gtts,piper'", "[piper, gtts]"])
def test_a_chain_that_would_let_the_english_voice_read_another_language_is_refused(
        tts: str) -> None:
    with pytest.raises(InvalidScript, match=r"settings: the piper voice speaks English only, "
                                            r"so it cannot narrate Japanese \('ja'\); use tts: "
                                            r"gtts .*\(line 2\)"):
        parse_script(_yaml(f"language: ja, tts: {tts}"), source_name="s.yaml")


def test_a_language_no_voice_speaks_is_refused_naming_it() -> None:
    with pytest.raises(InvalidScript, match=r"no voice speaks 'tlh': the offline piper voice "
                                            r"speaks English only and gtts has no voice for it"):
        parse_script(_yaml("language: tlh", narration="Hello."), source_name="s.yaml")


def test_english_narration_written_in_another_script_is_refused_with_a_language_to_set() -> None:
    with pytest.raises(InvalidScript, match=r"scene 1's narration is written in the Arabic "
                                            r"script, but the language is English \('en'\).*"
                                            r"\(e\.g\. ar\)"):
        parse_script(_yaml("", narration="مرحبا بكم في هذا الفيديو."), source_name="s.yaml")
    # A few foreign words in English text are fine.
    parse_script(_yaml("", narration="We say こんにちは to greet people in Japan."),
                 source_name="s.yaml")


def test_text_no_installed_font_draws_is_refused_naming_its_field_and_script() -> None:
    with pytest.raises(InvalidScript, match=r"^title: no installed font draws private-use "
                                            r"characters \('\\ue000', U\+E000\); install "
                                            r"Debian's fonts-noto-core and fonts-noto-cjk"):
        parse_script(_yaml("", narration="Hello.", title='"Logo \\ue000"'), source_name="s.yaml")
    with pytest.raises(InvalidScript, match=r"scenes\[0\]\.heading: no installed font"):
        parse_script(b'title: T\nscenes:\n  - {heading: "\\ue001", narration: Hi.}\n',
                     source_name="s.yaml")


def test_a_run_parameter_left_on_english_lets_the_script_s_language_win() -> None:
    assert overrides(language="en") == {} and overrides(language=" ja ") == {"language": "ja"}
    chosen = parse_script(_yaml("language: ja"), source_name="s.yaml",
                          overrides=overrides(language="en")).settings
    assert chosen.language == "ja"
    forced = parse_script(_yaml("", narration="Bonjour à tous."), source_name="s.yaml",
                          overrides=overrides(language="fr")).settings
    assert (forced.language, forced.tts) == ("fr", "gtts")


@pytest.mark.parametrize(("tag", "code"), [("ja", "ja"), ("he", "iw"), ("zh-Hant", "zh-TW"),
                                           ("zh_CN", "zh-CN"), ("pt-BR", "pt"), ("en-GB", "en"),
                                           ("fr-CA", "fr-CA"), ("de-AT", "de"), ("tlh", None)])
def test_language_tags_map_to_the_gtts_voice_that_speaks_them(tag: str, code: str | None
                                                              ) -> None:
    assert gtts_language(tag) == code


def test_english_is_english_in_any_region_and_languages_have_names() -> None:
    assert is_english("en") and is_english("EN-us") and not is_english("eo")
    assert language_name("ar") == "Arabic ('ar')" and language_name("tlh") == "'tlh'"


class FakeClient:
    """Stands in for gTTS: records each request, then fails as told (no network is used)."""

    def __init__(self, status: int | None) -> None:
        self.status = status
        self.calls: list[dict[str, Any]] = []

    def __call__(self, text: str, **options: Any) -> FakeClient:
        self.calls.append({"text": text, **options})
        return self

    def save(self, path: str) -> None:
        response = None if self.status is None else type("R", (), {
            "status_code": self.status, "reason": "Error"})()
        raise gTTSError("Failed to connect" if response is None else "Server error",
                        tts=self, response=response)


def test_gtts_asks_for_its_own_name_of_the_language() -> None:
    client = FakeClient(500)
    engine = GttsEngine("he", client=client)
    with pytest.raises(SpeechFailed):
        engine.synthesize("שלום", 1.0, Path("/nonexistent/n.wav"))
    assert client.calls[0]["lang"] == "iw" and engine.voice == "gtts-iw"


def test_gtts_without_the_network_fails_at_once_naming_the_missing_voice(tmp_path: Path) -> None:
    client = FakeClient(None)
    with pytest.raises(VoiceUnavailable, match=r"the Japanese \('ja'\) voice \(gtts\) needs the "
                                               r"network and cannot reach it"):
        GttsEngine("ja", client=client, sleep=pytest.fail).synthesize(
            "こんにちは。", 1.0, tmp_path / "n.wav")
    assert len(client.calls) == 1


def test_piper_refuses_another_language_without_starting_its_voice(tmp_path: Path) -> None:
    engine = PiperEngine(language="ar")
    process = voice_process(engine._model, engine._config)
    started = process.started
    with pytest.raises(VoiceUnavailable, match=r"speaks English only, not Arabic \('ar'\)"):
        engine.synthesize("مرحبا", 1.0, tmp_path / "n.wav")
    assert process.started == started and not (tmp_path / "n.wav").exists()


def test_a_gtts_piper_chain_never_falls_back_to_the_english_voice_for_japanese(
        tmp_path: Path) -> None:
    chain = SpeechChain([GttsEngine("ja", client=FakeClient(None)), PiperEngine(language="ja")])
    with pytest.raises(VoiceUnavailable) as raised:
        chain.narrate("こんにちは。", tmp_path / "n.wav")
    assert "voice (gtts) needs the network" in str(raised.value)
    assert "piper voice en_US-joe-medium speaks English only" in str(raised.value)
    assert not (tmp_path / "n.wav").exists()


def test_a_missing_voice_is_not_retried_but_other_speech_failures_are() -> None:
    assert not _worth_retrying(None, None, Failed(data=VoiceUnavailable("no voice")))
    assert _worth_retrying(None, None, Failed(data=SpeechFailed("HTTP 500")))


def test_japanese_and_chinese_sentences_end_at_their_full_stops_without_spaces() -> None:
    assert split_sentences("こんにちは。元気ですか？「はい。」と言った。 Fine. Thanks") == [
        "こんにちは。", "元気ですか？", "「はい。」と言った。", "Fine.", "Thanks"]
    assert split_sentences("你好！我很好。") == ["你好！", "我很好。"]
    assert split_sentences("مرحبا بكم. كيف حالك؟ بخير") == ["مرحبا بكم.", "كيف حالك؟", "بخير"]


@pytest.mark.parametrize(("cpus", "layout"), [(1, (1, 1)), (2, (2, 1)), (3, (2, 1)),
                                              (8, (2, 4))])
def test_the_voice_speaks_in_up_to_two_processes_sharing_the_cpus(
        cpus: int, layout: tuple[int, int]) -> None:
    assert voice_layout(cpus) == layout
