"""Property tests: whatever a reader types, the engine and `ask --json` behave."""

import dataclasses
import io
import json
import math
import sys
from collections import Counter

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz

from prolo_bot import cli
from prolo_bot.conversation import Conversation
from prolo_bot.knowledge import default_path, english_words, load
from prolo_bot.matcher import (
    CONTEXT,
    MAX_WORDS,
    NEAR,
    POOLED,
    REAL_UNKNOWN,
    TYPICAL,
    UNKNOWN_POWER,
    Engine,
    _final,
    _score,
    _settled,
    clean,
    normalise,
    stem,
)

KB = load(default_path())
ENGINE = Engine(KB)
KEYS = ["question", "intent", "confidence", "answer", "source", "fallback", "suggestions",
        "urgent"]

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


def _grown(kb, copies):
    """The knowledge base with `copies` extra copies of each intent, each under its own topic
    word: the long postings of shared words are what the engine's pruning skips."""
    intents = list(kb.intents)
    for copy in range(1, copies + 1):
        for intent in kb.intents:
            examples = tuple(f"{e} topic{copy}x{len(intents)}" for e in intent.examples)
            intents.append(dataclasses.replace(intent, name=f"{intent.name}_{copy}",
                                               examples=examples, related=()))
    return dataclasses.replace(kb, intents=tuple(intents), by_name={i.name: i for i in intents})


GROWN = Engine(_grown(KB, 4))
WORDS = sorted({w for i in KB.intents for e in i.examples for w in normalise(e).split()})


def _every_example_scored(engine, text, limit=5, focus=None):
    """The ranking by the documented formula, from every example: no shortcut taken."""
    words = normalise(text)
    terms = engine.analyzer.terms(words)
    focus = focus or {}
    weights = {t: engine.weights[t] * focus.get(t, 1.0) for t in terms if t in engine.weights}
    unknown = [t for t in terms if t not in weights]
    real = {stem(w) for w in words.split()[:MAX_WORDS] if w in english_words()}
    force = sum(REAL_UNKNOWN if t in real else 1.0 for t in unknown) / max(len(unknown), 1)
    attention = sum(focus.get(t, 1.0) for t in unknown) / max(len(unknown), 1)
    asked = (sum(weights.values())
             + engine.unknown_weight * force * len(unknown) ** UNKNOWN_POWER * attention)
    # How typical the question's words are of each intent: the share of its examples using each.
    uses = Counter((owner, term) for owner, have in zip(engine._owners, engine._terms, strict=True)
                   for term in weights if term in have)
    examples = Counter(engine._owners)
    fit = {p: sum(w * w * math.sqrt(uses[p, t] / n) for t, w in weights.items())
           for p, n in examples.items()}
    scores = {}
    for index, have in enumerate(engine._terms):
        shared = sum(w for t, w in weights.items() if t in have)
        if shared:
            scores.setdefault(engine._owners[index], []).append(
                (-_settled(_score(shared, engine._sizes[index], asked)), index))
    ranked = []
    for position, found in scores.items():
        found.sort()
        (top, index), second = found[0], (found[1][0] if len(found) > 1 else 0.0)
        wording = fuzz.ratio(words, engine._texts[index]) / 100
        penalty = TYPICAL * (1 - fit[position] / max(fit.values()))
        ranked.append((-_settled(_final(-top, -second, wording) - penalty), position))
    ranked.sort()
    matching = engine.kb.matching
    floor = min(NEAR, matching.threshold, matching.safety_threshold)
    return [(engine.kb.intents[p].name, -s) for s, p in ranked[:limit] if -s >= floor]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(WORDS), min_size=1, max_size=12).map(" ".join))
def test_skipping_weak_terms_never_changes_the_ranking(text):
    words = normalise(text)
    got = [(c.intent.name, c.score) for c in GROWN.rank(GROWN.analyzer.terms(words), words)]
    want = _every_example_scored(GROWN, text)
    assert [name for name, _ in got] == [name for name, _ in want]
    assert all(abs(a - b) < 1e-3 for (_, a), (_, b) in zip(got, want, strict=True))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(WORDS), min_size=1, max_size=12).map(" ".join), st.randoms())
def test_skipping_weak_terms_never_changes_a_focused_ranking(text, rng):
    words = normalise(text)
    terms = GROWN.analyzer.terms(words)
    focus = {t: rng.choice([CONTEXT, 1.0]) for t in terms}  # as for a story's sentences
    got = [(c.intent.name, c.score) for c in GROWN.rank(terms, words, focus=focus)]
    want = _every_example_scored(GROWN, text, focus=focus)
    assert [name for name, _ in got] == [name for name, _ in want]
    assert all(abs(a - b) < 1e-3 for (_, a), (_, b) in zip(got, want, strict=True))


def _every_intent_pooled(engine, text, limit=5):
    """The documented pooling of every intent `rank` lists: no list cut short."""
    words = normalise(text)
    terms = engine.analyzer.terms(words)
    question = engine.analyzer.asking(text)
    if question is None:
        return _pooled_everything(engine, terms, words)[:limit]
    # A story: its asking sentence counts fully, urgent symptoms too...
    asked = engine.analyzer.terms(normalise(question))
    terms = tuple(dict.fromkeys((*terms, *asked)))
    found = _pooled_everything(engine, terms, words,
                               {t: 1.0 if t in asked else CONTEXT for t in terms})
    warns = bool(engine.analyzer.told_signs(words, terms)) or any(
        engine.kb.by_name[name].kind == "safety"
        and score >= engine.kb.matching.safety_threshold for name, score in found)
    if not asked and not warns:  # ...unless it asks with no word of its own and warns of nothing
        found = _pooled_everything(engine, terms, words)
    return found[:limit]


def _pooled_everything(engine, terms, words, focus=None):
    everything = len(engine.kb.intents)
    ranked = engine.rank(terms, words, everything)
    if focus is not None:
        focused = engine.rank(terms, words, everything, focus)
        urgent = {}
        for candidate in (*focused, *ranked):
            if candidate.intent.kind == "safety" and candidate.score > urgent.get(
                    candidate.intent.name, dataclasses.replace(candidate, score=0)).score:
                urgent[candidate.intent.name] = candidate
        ranked = sorted([*(c for c in focused if c.intent.kind != "safety"), *urgent.values()],
                        key=lambda c: -c.score)
    if not ranked:
        return []
    posterior = engine.classifier.posterior(terms)
    positions = {intent.name: p for p, intent in enumerate(engine.kb.intents)}
    pooled = []
    for candidate in ranked:
        score, position = candidate.score, positions[candidate.intent.name]
        if candidate.intent.kind != "safety":
            score = ((1 - POOLED) * score
                     + POOLED * ranked[0].score * math.sqrt(posterior[position]))
        pooled.append((-round(score, 4), position, candidate.intent.name))
    floor = min(NEAR, engine.kb.matching.threshold, engine.kb.matching.safety_threshold)
    return [(name, -score) for score, _, name in sorted(pooled) if -score >= floor]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(WORDS), min_size=1, max_size=12).map(" ".join))
def test_the_top_intents_are_those_of_pooling_every_intent(text):
    got = [(c.intent.name, c.score) for c in GROWN.match(text, verbatim=False).candidates]
    assert got == _every_intent_pooled(GROWN, text)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(WORDS), min_size=1, max_size=8).map(" ".join),
       st.lists(st.sampled_from(WORDS), min_size=1, max_size=5).map(" ".join))
def test_the_top_intents_of_a_story_are_those_of_pooling_every_intent(story, question):
    text = f"{story}. {question}?"
    got = [(c.intent.name, c.score) for c in GROWN.match(text, verbatim=False).candidates]
    assert got == _every_intent_pooled(GROWN, text)


def test_a_tie_cut_off_by_the_limit_goes_to_the_earlier_intent():
    # Two identical intents tie exactly; the third place must not decide which one is listed.
    twins = ("kiwi", "apple", "kiwi apple", "kiwi grape")
    intents = tuple(dataclasses.replace(KB.intents[0], name=name, examples=examples, related=())
                    for name, examples in [("first", ("kiwi",)), ("early", twins),
                                           ("late", twins)])
    engine = Engine(dataclasses.replace(KB, intents=intents,
                                        by_name={i.name: i for i in intents}))
    got = [c.intent.name for c in engine.rank(("kiwi",), "kiwi", 2)]
    assert got == [name for name, _ in _every_example_scored(engine, "kiwi", 2)] == [
        "first", "early"]
