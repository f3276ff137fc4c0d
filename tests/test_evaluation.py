"""The shipped knowledge base, measured on held-out questions it was not written from."""

from prolo_bot import evaluate

MIN_ACCURACY = 0.90
MIN_HONESTY = 0.90


def test_eval_set_is_held_out_and_big_enough(shipped):
    cases = evaluate.load_cases(evaluate.default_path())
    examples = {e.casefold() for i in shipped.intents for e in i.examples}
    assert not [c.question for c in cases if c.question.casefold() in examples]
    assert not evaluate.unknown_intents(cases, shipped)
    article = [i.name for i in shipped.intents if i.kind == "article"]
    assert all(sum(c.intent == name for c in cases) >= 5 for name in article)
    assert sum(c.intent is None for c in cases) >= 40


def test_shipped_knowledge_meets_the_accuracy_thresholds(shipped):
    report = evaluate.run(shipped, evaluate.load_cases(evaluate.default_path()))
    summary = "\n".join(evaluate.format_report(report))
    assert report.accuracy >= MIN_ACCURACY, summary
    assert report.honesty >= MIN_HONESTY, summary
