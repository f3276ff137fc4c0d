"""The shipped knowledge base, measured on held-out questions it was not written from.

`eval.yaml` has been looked at while tuning; `eval-fresh.yaml` and `eval-third.yaml` were
written later, blind, and their misses have not: their pins are lower because they are the
honest figures. None may fall, nor may typo stress or leave-one-out accuracy (pinned just
below today's figures).
"""

import pytest

from prolo_bot import curation, evaluate

DATA = evaluate.default_path().parent
SETS = [  # file, minimum in-scope accuracy, minimum out-of-scope honesty
    (DATA / "eval.yaml", 0.93, 0.92),
    (DATA / "eval-fresh.yaml", 0.90, 0.87),
    (DATA / "eval-third.yaml", 0.85, 0.90),
]


@pytest.mark.parametrize("path", [path for path, _, _ in SETS], ids=lambda p: p.name)
def test_eval_set_is_held_out_and_big_enough(shipped, path):
    cases = evaluate.load_cases(path)
    examples = {e.casefold() for i in shipped.intents for e in i.examples}
    assert not [c.question for c in cases if c.question.casefold() in examples]
    assert not evaluate.unknown_intents(cases, shipped)
    article = [i.name for i in shipped.intents if i.kind == "article"]
    assert all(sum(c.intent == name for c in cases) >= 8 for name in article)
    assert sum(c.intent is None for c in cases) >= 80


@pytest.mark.parametrize(("path", "accuracy", "honesty"), SETS,
                         ids=[path.name for path, _, _ in SETS])
def test_shipped_knowledge_meets_the_accuracy_thresholds(shipped, path, accuracy, honesty):
    report = evaluate.run(shipped, evaluate.load_cases(path))
    summary = "\n".join(evaluate.format_report(report))
    assert report.accuracy >= accuracy, summary
    assert report.honesty >= honesty, summary


def test_typo_stress_and_leave_one_out_do_not_fall(shipped):
    cases = evaluate.load_cases(DATA / "eval.yaml")
    one, two = (evaluate.run(shipped, evaluate.with_typos(cases, edits)) for edits in (1, 2))
    assert one.accuracy >= 0.89 and one.honesty >= 0.94
    assert two.accuracy >= 0.72 and two.honesty >= 0.95
    assert curation.cross_validate(shipped).accuracy >= 0.77
