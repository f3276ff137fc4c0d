import math

import pytest

from prolo_bot.classifier import Classifier

# term -> intent position -> how many of that intent's examples use it
USERS = {
    "sugar": {0: 3},
    "injection": {0: 2, 1: 1},
    "risk": {1: 3},
    "infection": {1: 2},
    "price": {2: 2},
}


@pytest.fixture
def classifier():
    return Classifier(USERS, 3)


def test_the_posterior_is_a_distribution_over_intents(classifier):
    posterior = classifier.posterior(["sugar", "risk"])
    assert len(posterior) == 3
    assert math.isclose(sum(posterior), 1.0)
    assert all(0.0 <= p <= 1.0 for p in posterior)


@pytest.mark.parametrize(("terms", "intent"), [
    (["sugar"], 0),
    (["injection"], 0),  # two of its examples use it, against one of the other's
    (["risk", "injection"], 1),  # the words together point to the intent using both
    (["infection", "sugar", "risk"], 1),
    (["price"], 2),
])
def test_the_intent_whose_examples_use_the_words_is_likeliest(classifier, terms, intent):
    posterior = classifier.posterior(terms)
    assert max(range(3), key=posterior.__getitem__) == intent


def test_words_no_example_uses_say_nothing(classifier):
    assert classifier.posterior(["weather", "paris"]) == []
    assert classifier.posterior(["weather", "price"]) == classifier.posterior(["price"])


def test_more_evidence_makes_the_posterior_surer(classifier):
    assert classifier.posterior(["risk", "infection"])[1] > classifier.posterior(["risk"])[1]
