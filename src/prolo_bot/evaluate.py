"""Measure the bot on held-out questions: right answers in scope, honesty out of scope.

A question in scope counts as right only when the reply a reader would see answers it with
the expected intent (asking back or falling back is a miss). A question out of scope counts
as honest when the reply claims no article section.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Protocol, TypeVar

from rapidfuzz import fuzz, process, utils

from prolo_bot.conversation import Conversation, Reply
from prolo_bot.knowledge import KnowledgeBase, KnowledgeError, Problem, read_yaml
from prolo_bot.matcher import Engine


class Scored(Protocol):
    """Anything judged right or wrong: an `Outcome`, or a turn of a conversation."""

    @property
    def ok(self) -> bool: ...


S = TypeVar("S", bound=Scored)


def rate(outcomes: Iterable[Scored]) -> float:
    """The share of `outcomes` that are right (1 when there are none)."""
    items = list(outcomes)
    return sum(o.ok for o in items) / len(items) if items else 1.0


def rates_by(outcomes: Iterable[S], key: Callable[[S], str]) -> dict[str, tuple[int, float]]:
    """Per value of `key`, in order: how many outcomes have it and the share of them right."""
    groups: dict[str, list[S]] = defaultdict(list)
    for outcome in outcomes:
        groups[key(outcome)].append(outcome)
    return {k: (len(v), rate(v)) for k, v in sorted(groups.items())}


@dataclass(frozen=True)
class Case:
    question: str
    intent: str | None  # None: the article does not answer it
    style: str
    topic: str = ""


@dataclass(frozen=True)
class Outcome:
    case: Case
    reply: Reply

    @property
    def ok(self) -> bool:
        if self.case.intent is None:
            return self.reply.source is None
        return self.case.intent in self.reply.answers


@dataclass(frozen=True)
class Report:
    outcomes: tuple[Outcome, ...]

    @property
    def in_scope(self) -> tuple[Outcome, ...]:
        return tuple(o for o in self.outcomes if o.case.intent is not None)

    @property
    def out_of_scope(self) -> tuple[Outcome, ...]:
        return tuple(o for o in self.outcomes if o.case.intent is None)

    @property
    def accuracy(self) -> float:
        return rate(self.in_scope)

    @property
    def honesty(self) -> float:
        return rate(self.out_of_scope)

    def by(self, key: Callable[[Outcome], str]) -> dict[str, tuple[int, float]]:
        return rates_by(self.outcomes, key)


def read(path: Path) -> dict[str, Any]:
    """An evaluation file's contents: questions (see `parse_cases`) or conversations
    (`chats.parse`)."""
    data = read_yaml(path)
    if not isinstance(data, dict) or not {"in_scope", "out_of_scope", "conversations"} & set(data):
        expected = "expected 'in_scope' and/or 'out_of_scope' lists, or 'conversations'"
        raise KnowledgeError(path, [Problem(1, 1, expected)])
    return data


def load_cases(path: Path) -> tuple[Case, ...]:
    """Read an evaluation file of questions."""
    return parse_cases(read(path), path)


def parse_cases(data: dict[str, Any], path: Path) -> tuple[Case, ...]:
    """The questions of a loaded evaluation file: `in_scope` ({q, intent, style}) and
    `out_of_scope` ({q, ...})."""
    cases: list[Case] = []
    problems: list[Problem] = []
    for section in ("in_scope", "out_of_scope"):
        items = data.get(section) or []
        if not isinstance(items, list):
            problems.append(Problem(getattr(data, "line", 0), 0, f"'{section}' must be a list"))
            continue
        for item in items:
            line = getattr(item, "line", 0)
            question = item.get("q") if isinstance(item, dict) else None
            if not isinstance(question, str) or not question.strip():
                problems.append(Problem(line, 0, f"each {section} entry needs a text 'q'"))
                continue
            intent = item.get("intent") if section == "in_scope" else None
            if section == "in_scope" and not isinstance(intent, str):
                problems.append(Problem(line, 0, "each in_scope entry needs an 'intent'"))
                continue
            cases.append(Case(question, intent, str(item.get("style", "plain")),
                              str(item.get("topic", ""))))
    if not cases and not problems:
        problems.append(Problem(0, 0, "no questions to ask"))
    if problems:
        raise KnowledgeError(path, problems)
    return tuple(cases)


def unknown_intents(cases: Iterable[Case], kb: KnowledgeBase) -> list[str]:
    return sorted({c.intent for c in cases if c.intent and c.intent not in kb.by_name})


def run(kb: KnowledgeBase, cases: Iterable[Case], engine: Engine | None = None) -> Report:
    """Ask every question in a fresh conversation, as `prolo-bot ask` would."""
    engine = engine or Engine(kb)
    return Report(tuple(Outcome(c, Conversation(kb, engine, interactive=False).reply(c.question))
                        for c in cases))


def _got(reply: Reply) -> str:
    return reply.intent if reply.kind == "answer" and reply.intent else f"({reply.kind})"


def format_report(report: Report, title: str = "held-out questions") -> list[str]:
    """The evaluation as plain text lines: summary, per-style, per-intent, per-topic and the
    misses. A file with no in-scope (or no out-of-scope) questions gets no figure for them."""
    inside, outside = report.in_scope, report.out_of_scope
    lines = [f"Evaluation on {title}"]
    if inside:
        lines.append(f"  in-scope accuracy     {report.accuracy:6.3f}  "
                     f"({sum(o.ok for o in inside)}/{len(inside)} answered with the right intent)")
    if outside:
        lines.append(f"  out-of-scope honesty  {report.honesty:6.3f}  "
                     f"({sum(o.ok for o in outside)}/{len(outside)} claimed no article source)")
    if inside:
        lines += ["", "By style of question (in scope):"]
        styles = Report(inside).by(lambda o: o.case.style)
        lines += [f"  {style:<14} {n:4d}  {share:6.3f}" for style, (n, share) in styles.items()]
        lines += ["", "By intent (in scope):"]
        for intent, (n, share) in Report(inside).by(lambda o: o.case.intent or "").items():
            lines.append(f"  {intent:<30} {n:4d}  {share:6.3f}")
    if any(o.case.topic for o in outside):  # the file sorts its out-of-scope questions
        lines += ["", "By topic (out of scope):"]
        lines += [f"  {topic or '(none)':<14} {n:4d}  {share:6.3f}"
                  for topic, (n, share) in Report(outside).by(lambda o: o.case.topic).items()]
    misses = [o for o in inside if not o.ok]
    if misses:
        lines += ["", f"Misses in scope ({len(misses)}):"]
        lines += [f"  {o.case.intent} <- {_got(o.reply)} {o.reply.confidence:.2f}: "
                  f"{o.case.question}" for o in misses]
    claims = [o for o in outside if not o.ok]
    if claims:
        lines += ["", f"Out-of-scope questions answered from the article ({len(claims)}):"]
        lines += [f"  {_got(o.reply)} {o.reply.confidence:.2f}: {o.case.question}" for o in claims]
    return lines


def default_path() -> Path:
    """The evaluation set shipped in the checkout (tests/data/eval.yaml)."""
    return Path(__file__).resolve().parents[2] / "tests" / "data" / "eval.yaml"


# --- stress and baselines ------------------------------------------------------------------

LONG_WORD = 5  # typo stress edits words of at least this many letters
_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def misspell(text: str, edits: int, seed: int = 0) -> str:
    """`text` with `edits` random character edits in each long word; the same every run."""
    rng = random.Random(f"{seed}:{edits}:{text}")
    words = text.split(" ")
    for index, word in enumerate(words):
        if sum(ch.isalpha() for ch in word) < LONG_WORD:
            continue
        letters = list(word)
        for _ in range(edits):
            at = rng.randrange(1, len(letters) - 1)  # keep the first letter, as people do
            kind = rng.choice(("swap", "drop", "add", "replace"))
            if kind == "swap":
                letters[at], letters[at + 1] = letters[at + 1], letters[at]
            elif kind == "drop":
                del letters[at]
            elif kind == "add":
                letters.insert(at, rng.choice(_LETTERS))
            else:
                letters[at] = rng.choice(_LETTERS)
        words[index] = "".join(letters)
    return " ".join(words)


def with_typos(cases: Iterable[Case], edits: int, seed: int = 0) -> tuple[Case, ...]:
    return tuple(replace(c, question=misspell(c.question, edits, seed)) for c in cases)


@dataclass(frozen=True)
class Baseline:
    name: str
    threshold: float
    accuracy: float
    honesty: float
    fair: bool = True  # False: no threshold reaches the honesty asked for


def baseline(kb: KnowledgeBase, cases: Sequence[Case], name: str,
             scorer: Callable[..., float], min_honesty: float) -> Baseline:
    """Plain `process.extractOne` over every example, its cut-off tuned on these same cases
    for the best accuracy at `min_honesty` or better (or the best honesty it can reach)."""
    texts = [e for i in kb.intents for e in i.examples]
    owners = [i for i in kb.intents for _ in i.examples]
    best = [process.extractOne(c.question, texts, scorer=scorer, processor=utils.default_process)
            for c in cases]
    inside = sum(c.intent is not None for c in cases) or 1
    outside = sum(c.intent is None for c in cases) or 1
    results = []
    for threshold in range(0, 101):
        right = honest = 0
        for case, (_, score, index) in zip(cases, best, strict=True):
            intent = owners[index] if score >= threshold else None
            if case.intent is None:
                honest += intent is None or intent.source is None
            else:
                right += intent is not None and intent.name == case.intent
        results.append(Baseline(name, threshold, right / inside, honest / outside))
    fair = [b for b in results if b.honesty >= min_honesty]
    if fair:
        return max(fair, key=lambda b: (b.accuracy, b.honesty))
    return replace(max(results, key=lambda b: (b.honesty, b.accuracy)), fair=False)


def baselines(kb: KnowledgeBase, cases: Sequence[Case], min_honesty: float) -> list[Baseline]:
    return [
        baseline(kb, cases, "extractOne + fuzz.WRatio", fuzz.WRatio, min_honesty),
        baseline(kb, cases, "extractOne + fuzz.token_set_ratio", fuzz.token_set_ratio,
                 min_honesty),
    ]


def format_typos(stressed: Sequence[Report], seed: int) -> list[str]:
    """Lines for runs with 1, 2, ... edits per long word."""
    lines = [f"Typo stress (random edits in every word of {LONG_WORD}+ letters, seed {seed}):"]
    for edits, report in enumerate(stressed, 1):
        figures = []
        if report.in_scope:
            figures.append(f"in-scope accuracy {report.accuracy:.3f}")
        if report.out_of_scope:
            figures.append(f"out-of-scope honesty {report.honesty:.3f}")
        lines.append(f"  {edits} edit{'s' * (edits > 1)} per long word: {', '.join(figures)}")
    return lines


def format_baselines(report: Report, rivals: Iterable[Baseline]) -> list[str]:
    lines = ["Baselines (threshold tuned on these questions for the best accuracy at the "
             "engine's honesty or better):",
             f"  {'matcher':<36} {'threshold':>9} {'accuracy':>9} {'honesty':>8}",
             f"  {'prolo-bot engine':<36} {'':>9} {report.accuracy:9.3f} {report.honesty:8.3f}"]
    lines += [f"  {b.name:<36} {b.threshold:9.0f} {b.accuracy:9.3f} {b.honesty:8.3f}"
              + ("" if b.fair else "  (never as honest: its most honest threshold)")
              for b in rivals]
    return lines
