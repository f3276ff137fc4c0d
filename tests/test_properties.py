"""Property tests: whatever a reader types, the engine and `ask --json` behave."""

import io
import json
import sys

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from prolo_bot import cli
from prolo_bot.conversation import Conversation
from prolo_bot.knowledge import default_path, load
from prolo_bot.matcher import Engine, clean

KB = load(default_path())
ENGINE = Engine(KB)
KEYS = ["question", "intent", "confidence", "answer", "source", "fallback", "suggestions"]

# Text people type, and text nobody should: control characters, escapes, RTL, emoji.
ANY_TEXT = st.one_of(
    st.text(max_size=300),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=300),
    st.lists(st.sampled_from(["what", "do", "they", "inject", "prolo", "\x1b[31m", "\u202e",
                              "\u200b", "\x00", "??", "\U0001f600", "cost", "risks", "\n"]),
             max_size=40).map(" ".join),
)
MANY = settings(max_examples=500, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])


@MANY
@given(ANY_TEXT)
def test_engine_is_total_bounded_and_deterministic(text):
    match = ENGINE.match(text)
    assert all(0.0 <= c.score <= 1.0 for c in match.candidates)
    assert 0.0 <= match.confidence <= 1.0
    assert ENGINE.match(text) == match


@MANY
@given(ANY_TEXT)
def test_every_reply_is_a_normal_reply(text):
    reply = Conversation(KB, ENGINE).reply(text)
    assert (reply.text == "") == (reply.kind in ("empty", "clear"))
    assert 0.0 <= reply.confidence <= 1.0
    if reply.source is not None:  # only answers drawn from the article name a section
        assert reply.kind in ("answer", "more", "info")
        assert reply.source == KB.intent(reply.intent or "").source or reply.kind == "info"
    if reply.fallback:
        assert reply.intent is None and reply.source is None
    assert all(s.intent in KB.by_name for s in reply.suggestions)


@MANY
@given(ANY_TEXT)
def test_clean_text_has_no_control_characters(text):
    assert not any(ord(ch) < 32 or ord(ch) == 127 for ch in clean(text))


@MANY
@given(st.lists(st.binary(max_size=200), max_size=5))
def test_ask_json_always_writes_valid_json_lines(monkeypatch, capsys, chunks):
    data = b"\n".join(chunks) + b"\n"
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    assert cli.main(["ask", "--json", "-"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == data.count(b"\n")
    for line in lines:
        assert list(json.loads(line)) == KEYS
