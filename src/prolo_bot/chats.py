"""Measure the bot on scripted conversations: follow-ups judged in the context of the turns
before them, as a reader types them one after another in one chat.

Each turn is labelled with what a good reply is about: an intent's name (the reply answers it,
or tells more of it), `out_of_scope` (the reply claims no article section), `same` (it stays
on the topic before: more of it, where it comes from or how sure it is, for "tell me more" or
"are you sure?") or `smalltalk` ("ok", "thanks": it answers without falling back and without
claiming the article).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from prolo_bot.conversation import Conversation, Reply
from prolo_bot.evaluate import misspell, rate, rates_by
from prolo_bot.knowledge import KnowledgeBase, KnowledgeError, Problem
from prolo_bot.matcher import Engine

OUT_OF_SCOPE, SAME, SMALLTALK = "out_of_scope", "same", "smalltalk"
LABELS = (OUT_OF_SCOPE, SAME, SMALLTALK)


@dataclass(frozen=True)
class Turn:
    say: str
    topic: str  # an intent's name or one of LABELS


@dataclass(frozen=True)
class Chat:
    turns: tuple[Turn, ...]
    style: str
    line: int = 0


@dataclass(frozen=True)
class TurnOutcome:
    chat: Chat
    index: int  # of the turn in its chat
    reply: Reply
    follows: str | None  # for a `same` turn, the topic it stays on
    urgent: bool = False  # the topic is a safety intent's

    @property
    def turn(self) -> Turn:
        return self.chat.turns[self.index]

    @property
    def ok(self) -> bool:
        topic, reply = self.turn.topic, self.reply
        if topic == OUT_OF_SCOPE:
            return reply.source is None
        if topic == SMALLTALK:
            return not reply.fallback and reply.source is None
        if topic == SAME:  # more of it, where it comes from, or how sure it is
            if reply.kind in ("source", "doubt"):
                return True
            if self.follows in LABELS or self.follows is None:
                return (reply.kind in ("answer", "more", "related", "info")
                        and reply.intent is not None and reply.source is None)
            return reply.kind in ("answer", "more", "related", "info") and (
                reply.intent == self.follows)
        return topic in reply.answers or (reply.kind == "more" and reply.intent == topic)

    @property
    def label(self) -> str:
        """How the turn is grouped in the report: its label, "urgent" or "topic"."""
        return self.turn.topic if self.turn.topic in LABELS else (
            "urgent" if self.urgent else "topic")


@dataclass(frozen=True)
class ChatReport:
    outcomes: tuple[TurnOutcome, ...]

    @property
    def accuracy(self) -> float:
        return rate(self.outcomes)

    @property
    def honesty(self) -> float:
        return rate(o for o in self.outcomes if o.turn.topic == OUT_OF_SCOPE)

    @property
    def chats_right(self) -> float:
        by_chat: dict[int, bool] = {}
        for o in self.outcomes:
            by_chat[id(o.chat)] = by_chat.get(id(o.chat), True) and o.ok
        return sum(by_chat.values()) / len(by_chat) if by_chat else 1.0

    def by(self, key: Callable[[TurnOutcome], str]) -> dict[str, tuple[int, float]]:
        return rates_by(self.outcomes, key)


def parse(data: Any, path: Path) -> tuple[Chat, ...]:
    """The `conversations` of a loaded evaluation file: each {style, turns: [{say, topic}]}."""
    chats: list[Chat] = []
    problems: list[Problem] = []
    if {"in_scope", "out_of_scope"} & set(data):
        raise KnowledgeError(path, [Problem(getattr(data, "line", 1), 0, "a file holds "
                                            "questions or conversations, not both")])
    items = data.get("conversations")
    if not isinstance(items, list) or not items:
        raise KnowledgeError(path, [Problem(getattr(data, "line", 1), 0,
                                            "'conversations' must be a non-empty list")])
    for item in items:
        line = getattr(item, "line", 0)
        turns = item.get("turns") if isinstance(item, dict) else None
        if not isinstance(turns, list) or not turns:
            problems.append(Problem(line, 0, "each conversation needs a non-empty 'turns' list"))
            continue
        parsed = []
        for turn in turns:
            say = turn.get("say") if isinstance(turn, dict) else None
            topic = turn.get("topic") if isinstance(turn, dict) else None
            if not isinstance(say, str) or not say.strip() or not isinstance(topic, str):
                problems.append(Problem(getattr(turn, "line", line), 0,
                                        "each turn needs a text 'say' and a 'topic'"))
                continue
            parsed.append(Turn(say, topic))
        chats.append(Chat(tuple(parsed), str(item.get("style", "plain")), line))
    if problems:
        raise KnowledgeError(path, problems)
    return tuple(chats)


def unknown_topics(chats: Iterable[Chat], kb: KnowledgeBase) -> list[str]:
    return sorted({t.topic for c in chats for t in c.turns
                   if t.topic not in LABELS and t.topic not in kb.by_name})


def with_typos(chats: Iterable[Chat], edits: int, seed: int = 0) -> tuple[Chat, ...]:
    return tuple(replace(c, turns=tuple(replace(t, say=misspell(t.say, edits, seed))
                                        for t in c.turns)) for c in chats)


def run(kb: KnowledgeBase, chats: Iterable[Chat], engine: Engine | None = None) -> ChatReport:
    """Say every conversation's turns in order, each conversation in a chat of its own."""
    engine = engine or Engine(kb)
    outcomes = []
    for chat in chats:
        conversation = Conversation(kb, engine)
        topic: str | None = None
        for index, turn in enumerate(chat.turns):
            urgent = turn.topic in kb.by_name and kb.intent(turn.topic).kind == "safety"
            outcomes.append(TurnOutcome(chat, index, conversation.reply(turn.say), topic, urgent))
            if turn.topic != SAME:
                topic = turn.topic
    return ChatReport(tuple(outcomes))


def format_report(report: ChatReport, title: str) -> list[str]:
    """The evaluation as plain text lines: summary, by label, by style, and the misses."""
    outcomes = report.outcomes
    chats = len({id(o.chat) for o in outcomes})
    right = sum(o.ok for o in outcomes)
    first = [o for o in outcomes if o.index == 0]
    later = [o for o in outcomes if o.index > 0]
    lines = [f"Evaluation on {title} ({chats} conversations, {len(outcomes)} turns)",
             f"  turns answered right   {report.accuracy:6.3f}  ({right}/{len(outcomes)})",
             f"  first turns            {rate(first):6.3f}  ({len(first)})",
             f"  follow-up turns        {rate(later):6.3f}  ({len(later)})",
             f"  conversations all right {report.chats_right:5.3f}",
             "", "By label:"]
    lines += [f"  {label:<16} {n:4d}  {share:6.3f}" for label, (n, share) in
              report.by(lambda o: o.label).items()]
    lines += ["", "By style:"]
    lines += [f"  {style:<16} {n:4d}  {share:6.3f}" for style, (n, share) in
              report.by(lambda o: o.chat.style).items()]
    misses = [o for o in outcomes if not o.ok]
    if misses:
        lines += ["", f"Misses ({len(misses)}; the turn before in brackets):"]
        lines += [f"  {o.turn.topic} <- {_got(o.reply)}: {o.turn.say!r}"
                  + (f"  [{o.chat.turns[o.index - 1].say!r}]" if o.index else "")
                  for o in misses]
    return lines


def _got(reply: Reply) -> str:
    if reply.kind in ("answer", "more") and reply.intent:
        return f"{reply.intent}{' (more)' * (reply.kind == 'more')}"
    return f"({reply.kind})"


def summary(reports: Sequence[ChatReport], seed: int) -> list[str]:
    """Lines for the same conversations with 1, 2, ... edits per long word."""
    lines = [f"Typo stress (random edits in every long word, seed {seed}):"]
    lines += [f"  {edits} edit{'s' * (edits > 1)} per long word: turns answered right "
              f"{r.accuracy:.3f}, out-of-scope honesty {r.honesty:.3f}"
              for edits, r in enumerate(reports, 1)]
    return lines
