from reelflow.engine.captions import cues_for, to_srt
from reelflow.engine.speech.base import Sentence, split_sentences, spread_by_length


def test_cues_are_offset_by_their_scene_start() -> None:
    cues = cues_for([(0.0, [Sentence("One.", 0.0, 1.0)]),
                     (2.5, [Sentence("Two.", 0.0, 0.8), Sentence("Three.", 0.8, 1.5)])])
    assert [(c.start, c.end, c.text) for c in cues] == [
        (0.0, 1.0, "One."), (2.5, 3.3, "Two."), (3.3, 4.0, "Three.")]


def test_srt_timestamps_have_hours_minutes_seconds_and_milliseconds() -> None:
    srt = to_srt(cues_for([(3723.5, [Sentence("Late.", 0.0, 1.25)])]))
    assert srt == "1\n01:02:03,500 --> 01:02:04,750\nLate.\n"


def test_sentences_split_at_end_punctuation_only() -> None:
    assert split_sentences("Dr Smith said hi. Then left! Why? Ok") == [
        "Dr Smith said hi.", "Then left!", "Why?", "Ok"]


def test_time_is_shared_by_sentence_length() -> None:
    shares = spread_by_length(["aa", "aaaaaa"], 4.0)
    assert [round(t, 6) for _, t in shares] == [1.0, 3.0]


def test_webvtt_has_its_header_dotted_milliseconds_and_escaped_markup() -> None:
    from reelflow.engine.captions import Cue, to_vtt

    text = to_vtt([Cue(0.0, 1.5, "Fish & chips <now>"), Cue(3661.25, 3662.0, "A --> B")])
    assert text == ("WEBVTT\n\n1\n00:00:00.000 --> 00:00:01.500\nFish &amp; chips &lt;now>\n\n"
                    "2\n01:01:01.250 --> 01:01:02.000\nA --&gt; B\n")
