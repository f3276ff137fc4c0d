"""Map a question to the intent it most likely asks for, with a confidence in [0, 1].

Pipeline: clean -> normalise -> words -> typo correction against the knowledge base's own
vocabulary -> synonyms (from intents.yaml) -> drop stop words -> stem -> weighted terms.

Every term carries a weight from how many intents use it, so topic words that occur all
over the knowledge base ("prolotherapy", "back", "pain") count little and distinguishing
words ("inject", "infection", "cost") count much. A question is scored against each example
by weighted overlap, favouring how much of the *question* the example explains: a question
whose specific words the knowledge base has never seen cannot reach a high confidence.
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from prolo_bot.knowledge import Intent, KnowledgeBase, english_words

# Bounds that keep any input cheap: a 1 MB line costs no more than its first few hundred words.
MAX_CHARS = 2000
MAX_WORDS = 60
# Scoring constants, tuned with `prolo-bot check --cross-validate` and `prolo-bot eval`.
# BETA > 1 weighs how much of the question an example explains above how much of the example
# the question uses: an answer must cover what was asked.
BETA = 2.0
# Unknown words count against a match with diminishing force (count ** UNKNOWN_POWER), so one
# foreign topic word ("bitcoin") sinks a short question but a long story's filler does not.
UNKNOWN_POWER = 0.5
# A long question that contains a whole example with at least MIN_MASS of weight still
# matches it, at up to CONTAIN confidence, however much else it says.
CONTAIN = 0.8
MIN_MASS = 6.0
# How much the likeness of the full wording (function words, order) adds: it breaks ties.
WORDING = 0.1
# How much a second matching example of the same intent adds to the best one's score.
SUPPORT = 0.6

_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI: colours, cursor movement
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC: titles, hyperlinks
    r"|\x1b[P^_X][^\x1b]*(?:\x1b\\)?"  # DCS, PM, APC, SOS strings
    r"|\x1b[@-Z\\-_]?"  # any other two-byte escape, or a lone ESC
)
_EXPANSIONS = {
    "won't": " will not", "wont": " will not", "can't": " can not", "cant": " can not",
    "cannot": " can not", "n't": " not", "'re": " are", "'ll": " will", "'ve": " have",
    "'d": " would", "'m": " am",
    "'s": "",  # "what's" -> "what" (+ "is", a stop word) and possessives
}
_CONTRACTION = re.compile(r"\b(?:won'?t|can'?t|cannot)\b|n't\b|'(?:re|ll|ve|d|m|s)\b")
_NON_WORD = re.compile(r"[^a-z0-9]+")


def clean(text: str) -> str:
    """Text safe to echo: no escape sequences, control or invisible format characters."""
    text = text[: MAX_CHARS * 2]
    if text.isascii() and text.isprintable():  # the common case needs no per-character work
        return " ".join(text.split())[:MAX_CHARS]
    text = _ESCAPES.sub(" ", text)
    text = unicodedata.normalize("NFKC", text)
    kept = (" " if unicodedata.category(ch) in ("Cc", "Zl", "Zp") else ch for ch in text
            if unicodedata.category(ch) not in ("Cf", "Cs", "Co", "Cn"))
    return " ".join("".join(kept).split())[:MAX_CHARS]


def normalise(text: str) -> str:
    """Lowercase words separated by single spaces: no punctuation, contractions expanded."""
    text = clean(text).casefold().replace("\u2019", "'").replace("`", "'")
    text = _CONTRACTION.sub(lambda m: _EXPANSIONS[m.group(0)], text)
    if not text.isascii():  # fold accents: "naïve" -> "naive"
        text = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(_NON_WORD.sub(" ", text).split())


@functools.lru_cache(maxsize=20_000)
def stem(word: str) -> str:
    """A light suffix stripper: enough to meet plurals and -ing/-ed forms halfway."""
    if len(word) <= 3 or not word.isalpha():
        return word
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith("sses"):
        word = word[:-2]
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    for suffix, shortest in (("ing", 6), ("ed", 5)):
        if word.endswith(suffix) and len(word) >= shortest:
            word = word[: -len(suffix)]
            if len(word) > 2 and word[-1] == word[-2] and word[-1] not in "lsz":
                word = word[:-1]
            break
    if word.endswith("e") and len(word) >= 4:
        word = word[:-1]
    return word


@dataclass(frozen=True)
class Candidate:
    intent: Intent
    score: float


@dataclass(frozen=True)
class Match:
    """What the engine made of one question. `intent` is None when nothing is close enough."""

    terms: tuple[str, ...]
    candidates: tuple[Candidate, ...]
    threshold: float
    margin: float
    exact: bool = False  # the question is, word for word, one of the best intent's examples

    @property
    def confidence(self) -> float:
        return self.candidates[0].score if self.candidates else 0.0

    @property
    def intent(self) -> Intent | None:
        if self.candidates and self.candidates[0].score >= self.threshold:
            return self.candidates[0].intent
        return None

    @property
    def ambiguous(self) -> bool:
        """True when the runner-up is close enough to the best that guessing would be rash."""
        if self.exact or self.intent is None or len(self.candidates) < 2:
            return False
        second = self.candidates[1].score
        return second >= self.threshold and self.confidence - second < self.margin


class Analyzer:
    """Turns text into weighted-matching terms; built once from the knowledge base."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.stopwords = frozenset(kb.vocabulary.stopwords)
        self.phrases: dict[str, list[tuple[tuple[str, ...], tuple[str, ...]]]] = {}
        known: Counter[str] = Counter()
        for canonical, variants in kb.vocabulary.synonyms:
            # A phrase whose canonical form is a stop word is dropped ("my doctor said").
            target = tuple(stem(w) for w in normalise(canonical).split()
                           if w not in self.stopwords)
            for variant in (canonical, *variants):
                words = normalise(variant).split()
                known.update(words)
                key = tuple(stem(w) for w in words)
                if key and key != target:
                    self.phrases.setdefault(key[0], []).append((key, target))
        for options in self.phrases.values():
            options.sort(key=lambda pair: -len(pair[0]))
        for intent in kb.intents:
            for example in intent.examples:
                known.update(normalise(example).split())
        for phrase in (*kb.dialogue.more, *kb.dialogue.related):
            known.update(normalise(phrase).split())
        self.known = frozenset(known) | self.stopwords
        # Only content words are targets: "dogs" must not become "does" and vanish. Most
        # frequent first, so a typo equally close to two words becomes the common one.
        targets = [w for w in known if w not in self.stopwords and w.isalpha()]
        self._vocabulary = sorted(targets, key=lambda w: (-known[w], w))
        self._four_letter = [w for w in self._vocabulary if len(w) == 4]
        self._corrections: dict[str, str] = {}
        self._terms: dict[str, tuple[str, ...]] = {}

    def correct(self, word: str) -> str:
        """The knowledge base's nearest word to an unknown word, or the word itself."""
        if word in self.known or len(word) < 3 or not word.isalpha():
            return word
        if word in english_words():  # a real word the knowledge base lacks is not a typo
            return word
        if word not in self._corrections:
            limit = 1 if len(word) < 8 else 2
            # A three-letter word has too many one-edit neighbours ("nis" is not "nhs"); only
            # a dropped letter is put back ("wat" -> "what").
            choices = self._four_letter if len(word) == 3 else self._vocabulary
            found = process.extractOne(word, choices, scorer=OSA.distance, score_cutoff=limit)
            if len(self._corrections) > 10_000:  # bounded: hostile input must not grow it
                self._corrections.clear()
            self._corrections[word] = found[0] if found else word
        return self._corrections[word]

    def terms(self, normalised: str) -> tuple[str, ...]:
        """The distinct content terms of normalised text, in order of appearance."""
        cached = self._terms.get(normalised)
        if cached is None:
            if len(self._terms) > 10_000:  # bounded: hostile input must not grow it
                self._terms.clear()
            cached = self._terms[normalised] = self._analyse(normalised)
        return cached

    def _analyse(self, normalised: str) -> tuple[str, ...]:
        words = [self.correct(w) for w in normalised.split()[:MAX_WORDS]]
        stems = [stem(w) for w in words]
        out: list[str] = []
        i = 0
        while i < len(words):
            for key, target in self.phrases.get(stems[i], ()):
                if tuple(stems[i : i + len(key)]) == key:
                    out.extend(target)
                    i += len(key)
                    break
            else:
                if words[i] not in self.stopwords:
                    out.append(stems[i])
                i += 1
        return tuple(dict.fromkeys(out))


class Engine:
    """Scores questions against every example of every intent. Pure: same input, same output."""

    def __init__(self, kb: KnowledgeBase, exclude: Iterable[tuple[str, str]] = (),
                 analyzer: Analyzer | None = None) -> None:
        """`exclude` leaves (intent name, example) pairs out, for leave-one-out testing;
        `analyzer` may be shared between engines over the same knowledge base."""
        self.kb = kb
        self.analyzer = analyzer or Analyzer(kb)
        skip = set(exclude)
        self._examples: list[tuple[int, tuple[str, ...]]] = []
        self._texts: list[str] = []
        self._exact: dict[str, int] = {}
        for position, intent in enumerate(kb.intents):
            for example in intent.examples:
                if (intent.name, example) in skip:
                    continue
                text = normalise(example)
                self._exact.setdefault(text, position)
                terms = self.analyzer.terms(text)
                if terms:
                    self._examples.append((position, terms))
                    self._texts.append(text)
        intent_count = max(len(kb.intents), 1)
        users: dict[str, set[int]] = {}
        for position, terms in self._examples:
            for term in terms:
                users.setdefault(term, set()).add(position)
        self.weights = {t: math.log(1 + intent_count / len(p)) for t, p in users.items()}
        # A word no intent uses is as telling as the rarest one: it is what the question is about.
        self.unknown_weight = math.log(1 + intent_count)
        self._postings: dict[str, list[int]] = {}
        self._sizes: list[float] = []
        for index, (_, terms) in enumerate(self._examples):
            self._sizes.append(sum(self.weights[t] for t in terms))
            for term in terms:
                self._postings.setdefault(term, []).append(index)

    def match(self, text: str, limit: int = 5, *, verbatim: bool = True) -> Match:
        """Score `text` against every example. An example asked word for word is answered by
        its own intent; `verbatim=False` turns that off, to see what its words alone reach."""
        words = normalise(text)
        terms = self.analyzer.terms(words)
        ranked = self.rank(terms, words, limit)
        exact = self._exact.get(words) if verbatim else None
        if exact is not None:  # an example asked verbatim is answered, whatever its words
            intent = self.kb.intents[exact]
            ranked = (Candidate(intent, 1.0), *(c for c in ranked if c.intent != intent))
        return Match(terms, ranked[:limit], self.kb.matching.threshold, self.kb.matching.margin,
                     exact=exact is not None)

    def rank(self, terms: Sequence[str], words: str, limit: int = 5) -> tuple[Candidate, ...]:
        """The best-scoring intents for these terms, best first (ties keep file order).

        `words` is the whole normalised question: its likeness to an example's wording
        (function words and order included) settles near-ties between intents.
        """
        if not terms:
            return ()
        overlap: dict[int, float] = {}
        for term in terms:
            weight = self.weights.get(term)
            for index in self._postings.get(term, ()) if weight else ():
                overlap[index] = overlap.get(index, 0.0) + weight
        known = sum(self.weights.get(t, 0.0) for t in terms)
        unknown = sum(1 for t in terms if t not in self.weights)
        asked = known + self.unknown_weight * unknown ** UNKNOWN_POWER
        best: dict[int, tuple[float, float, int]] = {}
        beta2 = BETA * BETA
        for index, shared in overlap.items():
            recall = shared / asked
            precision = shared / self._sizes[index]
            score = (1 + beta2) * precision * recall / (beta2 * precision + recall)
            score = max(score, CONTAIN * precision * min(1.0, shared / MIN_MASS))
            position = self._examples[index][0]
            top, second, at = best.get(position, (0.0, 0.0, 0))
            if score > top:
                best[position] = (score, top, index)
            elif score > second:
                best[position] = (top, score, at)
        # A second example of the same intent that also fits is further evidence.
        supported = sorted(((top + SUPPORT * second * (1 - top), position, index)
                            for position, (top, second, index) in best.items()), reverse=True)
        scored: list[tuple[float, int]] = []
        for score, position, index in supported:
            if len(scored) >= limit and (1 - WORDING) * score + WORDING < -scored[limit - 1][0]:
                break  # even identical wording could not lift this or any later one into the top
            wording = fuzz.ratio(words, self._texts[index]) / 100
            scored.append((-((1 - WORDING) * score + WORDING * wording), position))
            scored.sort()
        return tuple(Candidate(self.kb.intents[p], round(min(-s, 1.0), 4))
                     for s, p in scored[:limit])
