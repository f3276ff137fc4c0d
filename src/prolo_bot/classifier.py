"""Which intent a question's terms point to, judged from all of each intent's examples at once.

The matcher asks which single example explains a question best. A question whose words are
spread over several examples of one intent ("my physio said the shots make new collagen, how
does that help") is better judged by the intent as a whole: a multinomial naive Bayes over
the examples' terms gives that view, as a posterior over intents.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

# Additive smoothing: small, because a term an intent's examples never use is strong evidence
# against it, and the knowledge base is small.
SMOOTHING = 0.1


class Classifier:
    """Naive Bayes over the knowledge base's terms; built once with the engine."""

    def __init__(self, users: Mapping[str, Mapping[int, int]], intent_count: int) -> None:
        """`users`: term -> intent position -> how many of that intent's examples use it."""
        totals = [0] * intent_count
        for intents in users.values():
            for position, count in intents.items():
                totals[position] += count
        vocabulary = len(users) or 1
        # log P(term | intent) = log(SMOOTHING / (total + SMOOTHING * vocabulary))
        #                        + log(1 + count / SMOOTHING): a base per intent for every term,
        # and a bonus only where the intent's examples use the term, so scoring is sparse.
        self._base = [math.log(SMOOTHING / (t + SMOOTHING * vocabulary)) for t in totals]
        self._bonus = {t: [(p, math.log(1 + n / SMOOTHING)) for p, n in sorted(c.items())]
                       for t, c in users.items()}

    def posterior(self, terms: Sequence[str]) -> list[float]:
        """P(intent | terms) per intent position, with equal priors; empty when no term of the
        question occurs in any example (then nothing can be said)."""
        known = [t for t in dict.fromkeys(terms) if t in self._bonus]
        if not known:
            return []
        logs = [base * len(known) for base in self._base]
        for term in known:
            for position, bonus in self._bonus[term]:
                logs[position] += bonus
        top = max(logs)
        odds = [math.exp(value - top) for value in logs]
        total = sum(odds)
        return [value / total for value in odds]
