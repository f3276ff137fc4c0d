"""Checks for curators: overlapping examples, shadowed or unreachable intents, and
leave-one-out accuracy over the knowledge base's own examples (like `rasa test nlu`).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from prolo_bot.conversation import Conversation, urgent
from prolo_bot.knowledge import KnowledgeBase
from prolo_bot.matcher import Analyzer, Engine, Match, normalise

NEAR_DUPLICATE = 92  # rapidfuzz token_sort_ratio at or above which two examples say the same


@dataclass(frozen=True)
class Finding:
    line: int
    message: str


def duplicates(kb: KnowledgeBase) -> list[Finding]:
    """The same or nearly the same example question in two different intents."""
    rows = [(normalise(e), intent) for intent in kb.intents for e in intent.examples]
    texts = [text for text, _ in rows]
    findings: list[Finding] = []
    for i, (text, intent) in enumerate(rows):
        for _, score, j in process.extract(text, texts, scorer=fuzz.token_sort_ratio,
                                           processor=None, score_cutoff=NEAR_DUPLICATE,
                                           limit=None):
            other = rows[j][1]
            if j <= i or other.name == intent.name:
                continue
            what = "the same example" if score == 100 else f"near-duplicate examples ({score:.0f}%)"
            findings.append(Finding(intent.line, f"{what} in intents {intent.name!r} "
                                                 f"and {other.name!r}: {text!r} / {texts[j]!r}"))
    return findings


def hidden_by_dialogue(kb: KnowledgeBase) -> list[Finding]:
    """Examples the chat never matches, because they read as a follow-up phrase ("more",
    "what else", "are you sure")."""
    phrases = {normalise(p) for phrases in kb.dialogue.lists.values() for p in phrases}
    return [Finding(intent.line, f"example {example!r} of {intent.name!r} is taken as a "
                                 "follow-up phrase from 'dialogue', never as a question")
            for intent in kb.intents for example in intent.examples
            if normalise(example) in phrases]


def _chat_choice(match: Match, chat: Conversation) -> tuple[tuple[str, ...], str | None]:
    """The intents the chat would answer this match with (urgent advice first, if any), and
    why it would ask back instead of answering, if it would: "vague" (urgent symptoms are
    offered first, not imposed) or "close" (two intents tie)."""
    reply = chat.decide(match)
    if reply.kind == "answer":
        return reply.answers, None
    if reply.kind == "clarify":  # offering the urgent reply first, or two intents that tie
        vague = urgent(match, chat.kb) is not None
        return (reply.suggestions[0].intent,), "vague" if vague else "close"
    return (), None


def shadowed(kb: KnowledgeBase, engine: Engine | None = None) -> list[Finding]:
    """Examples whose words reach another intent (or none); intents none of whose examples
    reach them. The engine answers an exact example by lookup, so this scores the words."""
    engine = engine or Engine(kb)
    chat = Conversation(kb, engine)  # `decide` changes nothing, so one chat judges them all
    findings: list[Finding] = []
    for intent in kb.intents:
        reached = 0
        for example in intent.examples:
            match = engine.match(example, verbatim=False)
            chosen, asks_back = _chat_choice(match, chat)
            if intent.name in chosen and not asks_back:
                reached += 1
                continue
            got = chosen[-1] if chosen else None
            if asks_back == "vague":
                problem = f"is too vague (would ask back, offering {got!r} first)"
            elif asks_back:
                rival = match.candidates[1].intent.name
                problem = (f"is too close to {rival!r} (would ask back)" if got == intent.name
                           else f"would ask back between {got!r} and {rival!r}")
            else:
                problem = f"is answered by {got or 'the fallback'!r}"
            findings.append(Finding(intent.line, f"example {example!r} of {intent.name!r} "
                                                 f"{problem}"))
        if not reached:
            findings.append(Finding(intent.line, f"intent {intent.name!r} is unreachable: "
                                                 "none of its examples reach it"))
    return findings


@dataclass(frozen=True)
class CrossValidation:
    per_intent: dict[str, tuple[int, int]]  # name -> (right, asked)
    confusions: Counter[tuple[str, str]]  # (expected, got) -> count

    @property
    def accuracy(self) -> float:
        right = sum(r for r, _ in self.per_intent.values())
        asked = sum(n for _, n in self.per_intent.values())
        return right / asked if asked else 1.0


def cross_validate(kb: KnowledgeBase) -> CrossValidation:
    """Remove each example in turn, rebuild the engine without it, and ask it."""
    per_intent: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    confusions: Counter[tuple[str, str]] = Counter()
    # One analyzer for all runs: its vocabulary still knows the left-out example's words
    # (so they are not "corrected"), but no weight or example comes from it.
    analyzer = Analyzer(kb)
    for intent in kb.intents:
        for example in intent.examples:
            engine = Engine(kb, exclude=[(intent.name, example)], analyzer=analyzer)
            chosen, asks_back = _chat_choice(engine.match(example), Conversation(kb, engine))
            chosen = () if asks_back else chosen
            per_intent[intent.name][1] += 1
            if intent.name in chosen:
                per_intent[intent.name][0] += 1
            else:
                confusions[(intent.name, chosen[-1] if chosen else "(no answer)")] += 1
    return CrossValidation({k: (v[0], v[1]) for k, v in per_intent.items()}, confusions)


def format_cross_validation(result: CrossValidation, worst: int = 15) -> list[str]:
    lines = [f"Leave-one-out accuracy over the knowledge base's examples: {result.accuracy:.3f}",
             "", "By intent:"]
    for name, (right, asked) in sorted(result.per_intent.items(),
                                       key=lambda item: item[1][0] / item[1][1]):
        lines.append(f"  {name:<30} {right:3d}/{asked:<3d} {right / asked:6.3f}")
    if result.confusions:
        lines += ["", "Worst confusions (expected -> got):"]
        lines += [f"  {n:3d}  {a} -> {b}" for (a, b), n in result.confusions.most_common(worst)]
    return lines
