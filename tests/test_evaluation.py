"""The shipped knowledge base, measured on held-out questions it was not written from.

The misses of `eval.yaml`, `eval-fresh.yaml`, `eval-third.yaml` and `eval-hard.yaml` have
been read while tuning; those of `eval-fourth.yaml` to `eval-fifteenth.yaml` have not, so
their figures are the honest ones (the sixth to the fifteenth were each first scored after a
round of changes; the ninth and tenth, partly reworded blind, score lowest).
`eval-sixteenth.yaml` has never been scored. The near-miss sets are out of scope only; the
development sets (DEV) were written blind and then tuned on; so was `eval-safety-dev.yaml`,
while `eval-safety.yaml` was held out (scored seven times while the rules settled, and since
then in every comparison over all the sets, as scores only; its misses never read).
The scripted conversations are the same kind: `conversations-dev.yaml` and
`conversations-dev2.yaml` tuned on, `conversations-held.yaml` held out (its figures only,
never its turns).
A failure here prints scores only, never the questions. Each pin is today's figure rounded
down, typo stress and leave-one-out accuracy included; a change that lowers a pin must say so
and why.
"""

import pytest

from prolo_bot import chats, curation, evaluate
from prolo_bot.matcher import normalise

DATA = evaluate.default_path().parent
SETS = [  # file, minimum in-scope accuracy, minimum out-of-scope honesty
    (DATA / "eval.yaml", 0.97, 0.96),
    (DATA / "eval-fresh.yaml", 0.96, 0.95),
    (DATA / "eval-third.yaml", 0.97, 0.96),
    (DATA / "eval-hard.yaml", 0.87, 0.94),
    (DATA / "eval-fourth.yaml", 0.93, 0.95),
    (DATA / "eval-fifth.yaml", 0.93, 0.97),
    (DATA / "eval-sixth.yaml", 0.96, 0.97),
    (DATA / "eval-seventh.yaml", 0.94, 0.95),
    (DATA / "eval-eighth.yaml", 0.93, 0.91),
    (DATA / "eval-ninth.yaml", 0.85, 0.88),
    (DATA / "eval-tenth.yaml", 0.85, 0.92),
    (DATA / "eval-eleventh.yaml", 0.88, 0.84),
    (DATA / "eval-twelfth.yaml", 0.85, 0.95),
    (DATA / "eval-thirteenth.yaml", 0.82, 0.94),
    (DATA / "eval-fourteenth.yaml", 0.86, 0.92),
    (DATA / "eval-fifteenth.yaml", 0.80, 0.97),  # first scored 2026-12-02, after a round
]
RESERVE = [DATA / "eval-sixteenth.yaml"]  # never scored: kept for the next honest measurement
DEV = [  # development sets, one style each (in or out of scope only): pinned like the rest
    (DATA / "eval-doctor-said-dev.yaml", 0.91, 1.0),
    (DATA / "eval-casual-dev.yaml", 0.91, 1.0),
    (DATA / "eval-story-dev.yaml", 0.92, 1.0),
    (DATA / "eval-mixed-dev.yaml", 0.89, 1.0),  # 0.90 until the warning-sign words moved one
    # near-threshold story (0.542 -> 0.536) below `threshold`
    (DATA / "eval-unusual-dev.yaml", 0.93, 1.0),
    (DATA / "eval-oos-dev.yaml", 1.0, 0.80),
    (DATA / "eval-claims-dev.yaml", 0.72, 1.0),
    (DATA / "eval-quick-dev.yaml", 0.89, 1.0),
]
# Stories of a warning sign happening now that ask about something else (urgent_symptoms),
# and calm questions in the same words: the development set, tuned on, and one held out.
SAFETY = [(DATA / "eval-safety-dev.yaml", 0.92, 0.94), (DATA / "eval-safety.yaml", 0.90, 0.95)]
# Out-of-scope only: questions in the article's words that it does not answer. The dev set's
# misses were read to write the uncovered intents; the other's never were.
NEAR_MISSES = [(DATA / "eval-near-miss-dev.yaml", 0.84), (DATA / "eval-near-miss.yaml", 0.87)]
# Questions equal to an example after normalising, answered by lookup. Each example came first
# (git history: all but one were in intents.yaml before the file was written, and that one was
# written blind): readers' commonest wordings, which should be answered that way. A new example
# copied from a question raises a count; the ninth and later sets were written to have none.
LOOKUPS = {"eval.yaml": 7, "eval-fresh.yaml": 4, "eval-third.yaml": 3, "eval-fourth.yaml": 7,
           "eval-fifth.yaml": 5, "eval-sixth.yaml": 7, "eval-seventh.yaml": 5,
           "eval-eighth.yaml": 5}


def lookups(shipped, cases) -> int:
    examples = {normalise(e) for i in shipped.intents for e in i.examples}
    return sum(normalise(c.question) in examples for c in cases)  # a count: never the text


@pytest.mark.parametrize("path", [path for path, _, _ in SETS] + RESERVE, ids=lambda p: p.name)
def test_eval_set_is_held_out_and_big_enough(shipped, path):
    cases = evaluate.load_cases(path)
    assert lookups(shipped, cases) == LOOKUPS.get(path.name, 0)
    assert not evaluate.unknown_intents(cases, shipped)
    article = [i.name for i in shipped.intents if i.kind == "article"]
    assert all(sum(c.intent == name for c in cases) >= 8 for name in article)
    assert sum(c.intent is None for c in cases) >= 80


@pytest.mark.parametrize("path", [path for path, _, _ in SAFETY], ids=lambda p: p.name)
def test_safety_sets_are_held_out_and_big_enough(shipped, path):
    cases = evaluate.load_cases(path)
    assert lookups(shipped, cases) == 0 and not evaluate.unknown_intents(cases, shipped)
    stories = [c for c in cases if c.intent == "urgent_symptoms"]
    assert len(stories) >= 60 and sum(c.intent is None for c in cases) >= 39


def test_urgent_advice_before_an_answer_counts_for_both_and_claims_its_source(shipped):
    story = "I hurt my back in a car accident years ago. Does prolotherapy work?"
    cases = [evaluate.Case(story, intent, "long")
             for intent in ("effectiveness", "urgent_symptoms", "risks", None)]
    assert [o.ok for o in evaluate.run(shipped, cases).outcomes] == [True, True, False, False]


@pytest.mark.parametrize(("path", "honesty"), NEAR_MISSES, ids=[p.name for p, _ in NEAR_MISSES])
def test_near_misses_are_held_out_and_answered_honestly(shipped, path, honesty):
    cases = evaluate.load_cases(path)
    assert lookups(shipped, cases) == 0
    assert len(cases) >= 200 and all(c.intent is None for c in cases)
    report = evaluate.run(shipped, cases)
    assert report.honesty >= honesty, "\n".join(evaluate.format_report(report)[:2])


@pytest.mark.parametrize(("path", "accuracy", "honesty"), SETS + DEV + SAFETY,
                         ids=[path.name for path, _, _ in SETS + DEV + SAFETY])
def test_shipped_knowledge_meets_the_accuracy_thresholds(shipped, path, accuracy, honesty):
    report = evaluate.run(shipped, evaluate.load_cases(path))
    summary = "\n".join(evaluate.format_report(report)[:3])  # scores, not the misses
    assert report.accuracy >= accuracy, summary
    assert report.honesty >= honesty, summary


@pytest.mark.parametrize(("edits", "accuracy", "honesty"), [
    (1, 0.95, 0.96),
    (2, 0.85, 0.95),
])
def test_typo_stress_does_not_fall(shipped, edits, accuracy, honesty):
    cases = evaluate.with_typos(evaluate.load_cases(DATA / "eval.yaml"), edits)
    report = evaluate.run(shipped, cases)
    summary = "\n".join(evaluate.format_report(report, f"{edits} edits per long word"))
    assert report.accuracy >= accuracy, summary
    assert report.honesty >= honesty, summary


def test_leave_one_out_does_not_fall(shipped):
    result = curation.cross_validate(shipped)
    assert result.accuracy >= 0.78, "\n".join(curation.format_cross_validation(result))


def test_a_turn_that_stays_on_the_topic_counts_only_when_it_does(shipped):
    turns = [chats.Turn("what do they inject", "what_is_injected"), chats.Turn("ok", "same"),
             chats.Turn("7", "same"), chats.Turn("where does it say that", "same"),
             chats.Turn("tell me more", "same"), chats.Turn("what is a ligament", "same")]
    report = chats.run(shipped, [chats.Chat(tuple(turns), "plain")])
    assert [o.ok for o in report.outcomes] == [True, False, False, True, True, False]


CONVERSATIONS = [(DATA / "conversations-dev.yaml", 0.83), (DATA / "conversations-dev2.yaml", 0.75),
                 (DATA / "conversations-held.yaml", 0.71)]


@pytest.mark.parametrize(("path", "accuracy"), CONVERSATIONS,
                         ids=[path.name for path, _ in CONVERSATIONS])
def test_follow_ups_in_scripted_conversations_do_not_fall(shipped, path, accuracy):
    scripts = chats.parse(evaluate.read(path), path)
    assert len(scripts) >= 60 and not chats.unknown_topics(scripts, shipped)
    report = chats.run(shipped, scripts)
    assert report.accuracy >= accuracy, "\n".join(chats.format_report(report, path.name)[:5])
