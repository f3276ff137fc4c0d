"""Map a question to the intent it most likely asks for, with a confidence in [0, 1].

Pipeline: clean -> normalise -> words -> typo correction against the knowledge base's own
vocabulary -> synonyms (from intents.yaml) -> drop stop words -> stem -> weighted terms.

Every term carries a weight from how many intents use it, so topic words that occur all
over the knowledge base ("prolotherapy", "back", "pain") count little and distinguishing
words ("inject", "infection", "cost") count much. A question is scored against each example
by weighted overlap, favouring how much of the *question* the example explains: a question
whose specific words the knowledge base has never seen cannot reach a high confidence. An
intent whose examples seldom use the question's words scores a little less than the intent
whose examples keep using them.

That score is pooled with a naive Bayes view of each intent's examples taken together
(`classifier.py`, POOLED). In a story with a question in it, the words outside the sentences
that ask count less (CONTEXT), and the asking sentences are matched alone as well; unless
those have no word of their own ("Is that right?") and the story tells of no warning sign.
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

from prolo_bot.classifier import Classifier
from prolo_bot.knowledge import Intent, KnowledgeBase, english_words
from prolo_bot.spelling import Speller

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
# An unknown word that is a real English word names a topic the knowledge base lacks
# ("statins"); a garbled one is more likely a typo that could not be put right. The first
# counts this many times as much.
REAL_UNKNOWN = 1.2
# A long question that contains a whole example with at least MIN_MASS of weight still
# matches it, at up to CONTAIN confidence, however much else it says.
CONTAIN = 0.8
MIN_MASS = 6.0
# How much the likeness of the full wording (function words, order) adds: it breaks ties.
WORDING = 0.1
# How much a second matching example of the same intent adds to the best one's score.
SUPPORT = 0.6
# How much an intent loses when the question's words are less typical of it (fewer of its
# examples use them) than of the intent they fit best: one example that happens to share a
# word ("night", "deal") is weaker evidence than an intent whose examples keep using it.
TYPICAL = 0.2
# How much the view of each intent as a whole (`Classifier`) weighs in a confidence, against
# the best examples' scores: an intent the pooled evidence doubts loses up to this share.
POOLED = 0.3
# In a question of several sentences, a term found only outside the sentences that ask counts
# this much: the story around a question ("My GP mentioned it for my SI joint. How much is
# it?") says who asks and why, the asking sentence what they want to know.
CONTEXT = 0.5
# Intents that cannot reach this confidence are too far to suggest; not looking for them is
# what keeps a vague question cheap on a large knowledge base.
NEAR = 0.3
# A question all of whose terms are used by at least this share of the intents ("back pain",
# "physio for back pain") is vague: it names no symptom, so urgent symptoms are offered
# rather than answered first (see `Conversation.decide`).
VAGUE = 1 / 3
# Scores closer than this are a tie (float sums in another order differ in the last bits).
NOISE = 1e-9

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
_SENTENCE_END = re.compile(r"(?<=[.?!])\s+")


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


def asking(text: str, question_words: Collection[str] = (),
           lead_ins: Collection[str] = ()) -> str | None:
    """The sentences of `text` that ask, when it has sentences that do not. A sentence asks
    when it ends in "?" or, in a story with no question mark at all (readers often leave it
    out), when it is the last and starts with one of `question_words` after any of `lead_ins`
    (earlier ones that do are mostly the story: "When I bend over, it hurts.")."""
    sentences = _SENTENCE_END.split(clean(text))
    asks = [s for s in sentences if s.endswith("?")]
    if not asks and len(sentences) > 1 and _opens_question(sentences[-1], question_words,
                                                           lead_ins):
        asks = sentences[-1:]
    return " ".join(asks) if asks and len(asks) < len(sentences) else None


def _opens_question(sentence: str, question_words: Collection[str],
                    lead_ins: Collection[str]) -> bool:
    # Word by word as typed: "Can't wait to try it" and "Don't know" open no question, though
    # they expand to "can not" and "do not".
    words = (normalise(word) for word in sentence.split())
    first = next((w for w in words if w and w not in lead_ins), None)
    return first in question_words


# British spellings read as American ones, on both sides of every match, so "summarise" meets
# "summarize" and "tumour" "tumor" (either spelling is a real word: the speller leaves both).
_BRITISH = (
    (re.compile(r"(?<=\w{3})is(?=(?:e|es|ed|ing|ation|ations)$)"), "iz"),  # organise, realised
    (re.compile(r"(?<=\w{2})ys(?=(?:e|es|ed|ing)$)"), "yz"),  # analyse, paralysed
    (re.compile(r"(?<=\w{3})our(?=(?:s|ed|ing|ite|ites|able)?$)"), "or"),  # colour, favourite
    (re.compile(r"(?<=\w{2})([bt])re(?=s?$)"), r"\1er"),  # centre, fibres
    (re.compile(r"(?<=\w)ae(?=\w)"), "e"),  # anaemia, orthopaedic
)


@functools.lru_cache(maxsize=20_000)
def stem(word: str) -> str:
    """A light suffix stripper: enough to meet plurals and -ing/-ed forms halfway, and
    British and American spellings."""
    if len(word) <= 3 or not word.isalpha():
        return word
    for pattern, american in _BRITISH:
        word = pattern.sub(american, word)
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
    vague: bool = False  # every term is one a third of the intents use or more ("back pain")
    asking: str | None = None  # in a story with a question in it, the sentences that ask
    # (None when they have no word of their own and all of the story is the question)
    history: bool = False  # its only warning sign is told as history ("a fall years ago")
    signs_now: frozenset[str] = frozenset()  # warning signs told as happening now (see
    # `Analyzer.signs_now`): the urgent advice goes first, however the rest scores

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
        self.question_words = frozenset(map(normalise, kb.vocabulary.question_words))
        self.lead_ins = frozenset(map(normalise, kb.vocabulary.lead_ins))
        self.phrases: dict[str, list[tuple[tuple[str, ...], tuple[str, ...]]]] = {}
        known: Counter[str] = Counter()
        curated: set[str] = set()
        for canonical, variants in kb.vocabulary.synonyms:
            # A phrase whose canonical form is a stop word is dropped ("my doctor said").
            target = tuple(stem(w) for w in normalise(canonical).split()
                           if w not in self.stopwords)
            for variant in (canonical, *variants):
                words = normalise(variant).split()
                known.update(words)
                curated.update(words)
                key = tuple(stem(w) for w in words)
                if key and key != target:
                    self.phrases.setdefault(key[0], []).append((key, target))
        for options in self.phrases.values():
            options.sort(key=lambda pair: -len(pair[0]))
        examples = [normalise(e).split() for intent in kb.intents for e in intent.examples]
        for words in examples:
            known.update(words)
        for phrase in (*kb.dialogue.more, *kb.dialogue.related):
            words = normalise(phrase).split()
            known.update(words)
            curated.update(words)
        self.speller = Speller(known, self.stopwords, examples, frozenset(curated),
                               self._warnings(kb), self._sign_names(kb))
        self._terms: dict[str, tuple[str, ...]] = {}
        self._examples: dict[str, tuple[str, tuple[str, ...]]] = {}
        vocabulary = kb.vocabulary
        self._history_told = _padded(vocabulary.history_told)
        self._recent_told = _padded(vocabulary.recent_told)
        self._signs = {sign: self._sign_terms(kb, [sign])
                       for sign in sorted(vocabulary.warning_signs)}
        self._places = frozenset(stem(normalise(p)) for p in vocabulary.sign_places)
        self._local, self._history = vocabulary.local_signs, vocabulary.history_signs

    def _warnings(self, kb: KnowledgeBase) -> frozenset[str]:
        """The words of the curated warning signs and of the synonym group each one names
        ("buckle" as well as "weak")."""
        words = {w for phrase in _told(kb, kb.vocabulary.warning_signs) for w in phrase.split()}
        return frozenset(words - self.stopwords)

    def _sign_names(self, kb: KnowledgeBase) -> list[frozenset[str]]:
        """Per warning sign, the one-word names it goes by ("bladder", "pee", "poo")."""
        return [frozenset(w for w in _told(kb, [sign]) if " " not in w)
                for sign in sorted(kb.vocabulary.warning_signs)]

    def _sign_terms(self, kb: KnowledgeBase, signs: Collection[str]) -> frozenset[str]:
        """The terms that tell of `signs`: theirs and their synonym groups' ("can not feel")."""
        return frozenset(t for phrase in _told(kb, signs) for t in self.terms(phrase))

    def told_signs(self, words: str, terms: Collection[str]) -> frozenset[str]:
        """The warning signs normalised `words` (read as `terms`) tell of; a local sign only
        when one of the words is a place it is felt ("weak" with "legs", not in "weak evidence"
        or "a weak ligament"). The place is looked for in the words, not the terms: a phrase
        may hold it ("my leg keeps giving out" is read as "weak")."""
        told = {sign for sign, group in self._signs.items() if not group.isdisjoint(terms)}
        if self._places.isdisjoint(map(stem, words.split())):
            told -= self._local
        return frozenset(told)

    def told_as_history(self, words: str, terms: Collection[str]) -> bool:
        """True when the question (normalised `words`, their `terms`) tells of warning signs
        that a story may tell as history (`history_signs`: a fall), of no other, and says it is
        history (`history_told`: "years ago")."""
        told = self.told_signs(words, terms)
        return bool(told) and told <= self._history and _says(words, self._history_told)

    def signs_now(self, text: str, words: str) -> frozenset[str]:
        """The warning signs `text` (normalised: `words`) tells of as happening now, in so
        many words: it says so (`recent_told`: "since yesterday", "now my leg"), and a history
        sign (a fall) only when a sentence tells of it as recent and not as history ("I
        slipped this morning", not "a car accident years ago, and now the pain..."). Words
        are read as typed, not through the speller (a slip of "prolo" may be "poo"), all of
        them (a long story may tell of a sign last)."""
        if not _says(words, self._recent_told):
            return frozenset()
        told = self._typed_signs(words)
        sentences = map(normalise, _SENTENCE_END.split(clean(text)))
        if told & self._history and not any(map(self._tells_recent_history_sign, sentences)):
            told -= self._history
        return told

    def _typed_signs(self, words: str) -> frozenset[str]:
        return self.told_signs(words, self._analyse(words, spell=False, limit=None))

    def _tells_recent_history_sign(self, sentence: str) -> bool:
        """True when a normalised sentence tells of a history sign (a fall) as recent."""
        return (_says(sentence, self._recent_told) and not _says(sentence, self._history_told)
                and not self._history.isdisjoint(self._typed_signs(sentence)))

    def asking(self, text: str) -> str | None:
        """The sentences of `text` that ask, in a story (see `asking`)."""
        return asking(text, self.question_words, self.lead_ins)

    def correct(self, word: str) -> str:
        """The knowledge base's nearest word to an unknown word, or the word itself."""
        return self.speller.correct(word)

    def example(self, text: str) -> tuple[str, tuple[str, ...]]:
        """An example's normalised text and its terms, remembered: the engines that
        leave-one-out testing builds, one per example, share one analyzer."""
        found = self._examples.get(text)
        if found is None:
            words = normalise(text)
            found = self._examples[text] = (words, self.terms(words))
        return found

    def terms(self, normalised: str) -> tuple[str, ...]:
        """The distinct content terms of normalised text, in order of appearance."""
        cached = self._terms.get(normalised)
        if cached is None:
            if len(self._terms) > 10_000:  # bounded: hostile input must not grow it
                self._terms.clear()
            cached = self._terms[normalised] = self._analyse(normalised)
        return cached

    def _analyse(self, normalised: str, spell: bool = True,
                 limit: int | None = MAX_WORDS) -> tuple[str, ...]:
        words = normalised.split()[:limit]
        if spell:
            # What is told as recent ("since yesterday") may be a symptom: a slip that reads
            # as a warning sign stays one.
            words = self.speller.correct_all(
                words, keep_signs=_says(normalised, self._recent_told))
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
    """Scores questions against the examples of every intent. Pure: same input, same output."""

    def __init__(self, kb: KnowledgeBase, exclude: Iterable[tuple[str, str]] = (),
                 analyzer: Analyzer | None = None) -> None:
        """`exclude` leaves (intent name, example) pairs out, for leave-one-out testing;
        `analyzer` may be shared between engines over the same knowledge base."""
        self.kb = kb
        self.analyzer = analyzer or Analyzer(kb)
        skip = set(exclude)
        self._owners: list[int] = []  # example index -> intent position
        self._terms: list[frozenset[str]] = []
        self._texts: list[str] = []
        self._exact: dict[str, int] = {}
        self._ranges: list[range] = []  # intent position -> its example indices
        users: dict[str, Counter[int]] = defaultdict(Counter)  # term -> intent -> examples
        for position, intent in enumerate(kb.intents):
            first = len(self._owners)
            for example in intent.examples:
                if (intent.name, example) in skip:
                    continue
                text, terms = self.analyzer.example(example)
                self._exact.setdefault(text, position)
                if terms:
                    self._owners.append(position)
                    self._terms.append(frozenset(terms))
                    self._texts.append(text)
                    for term in self._terms[-1]:
                        users[term][position] += 1
            self._ranges.append(range(first, len(self._owners)))
        intent_count = max(len(kb.intents), 1)
        self.classifier = Classifier(users, len(kb.intents))
        self._positions = {intent.name: p for p, intent in enumerate(kb.intents)}
        self.weights = {t: math.log(1 + intent_count / len(p)) for t, p in users.items()}
        self._common = frozenset(t for t, p in users.items() if len(p) >= VAGUE * intent_count)
        # term -> (intent position, how typical the term is of it), for `_penalties`
        self._typical = {t: [(p, math.sqrt(n / len(self._ranges[p]))) for p, n in c.items()]
                         for t, c in users.items()}
        # A word no intent uses is as telling as the rarest one: it is what the question is about.
        self.unknown_weight = math.log(1 + intent_count)
        self._postings: dict[str, list[int]] = {}
        self._sizes: list[float] = []
        for index, terms in enumerate(self._terms):
            # Summed in a fixed order: float sums over a set would vary with the hash seed.
            self._sizes.append(sum(self.weights[t] for t in sorted(terms)))
            for term in terms:
                self._postings.setdefault(term, []).append(index)
        self._floor = min(NEAR, kb.matching.threshold, kb.matching.safety_threshold)

    def match(self, text: str, limit: int = 5, *, verbatim: bool = True,
              context: str | None = None) -> Match:
        """Score `text` against the examples. An example asked word for word is answered by
        its own intent; `verbatim=False` turns that off, to see what its words alone reach.
        `context` is what was asked before, when `text` follows it up ("who does it?"): it is
        read as the story around `text`, which asks."""
        question = text if context is not None else self.analyzer.asking(text)
        if context is not None:
            text = f"{clean(context)} {clean(text)}"
        words = normalise(text)
        terms = self.analyzer.terms(words)
        focus, asked = None, ()
        if question is not None:
            asked = self.analyzer.terms(normalise(question))
            terms = tuple(dict.fromkeys((*terms, *asked)))  # past a long story's word limit too
            focus = {t: 1.0 if t in asked else CONTEXT for t in terms}
        ranked = self._pooled(terms, words, focus)
        if focus is not None and not asked and not self._warns(words, terms, ranked):
            # It asks with no word of its own ("My GP said it's sugar water. Is that right?"):
            # what it asks about is the story. Not when the story may tell of a warning sign
            # ("I fell off my bike. Is that serious?"): the focus keeps the advice ahead.
            question, ranked = None, self._pooled(terms, words, None)
        exact = self._exact.get(words) if verbatim else None
        if exact is not None:  # an example asked verbatim is answered, whatever its words
            intent = self.kb.intents[exact]
            ranked = (Candidate(intent, 1.0), *(c for c in ranked if c.intent != intent))
        signs_now = self.analyzer.signs_now(text, words)
        shown = ranked[:limit]
        if signs_now:  # its advice goes first however far down it scored: keep its score
            shown += tuple(c for c in ranked[limit:] if c.intent.kind == "safety")
        return Match(terms, shown, self.kb.matching.threshold, self.kb.matching.margin,
                     exact=exact is not None, vague=bool(terms) and self._common.issuperset(terms),
                     asking=question, history=self.analyzer.told_as_history(words, terms),
                     signs_now=signs_now)

    def _warns(self, words: str, terms: Collection[str], ranked: Sequence[Candidate]) -> bool:
        """True when the question (normalised `words`, their `terms`, the intents `ranked`
        for them) may tell of a warning sign: it names one, or a safety intent reaches the
        safety threshold ("I came off my bike" names none)."""
        floor = self.kb.matching.safety_threshold
        return bool(self.analyzer.told_signs(words, terms)) or any(
            c.intent.kind == "safety" and c.score >= floor for c in ranked)

    def _pooled(self, terms: Sequence[str], words: str,
                focus: Mapping[str, float] | None) -> tuple[Candidate, ...]:
        """The intents, best first, after pooling every intent `rank` lists (pooling can lift
        any of them, so none is left out). With `focus` (a story), safety intents are scored
        on the whole text at full weight: a warning sign counts wherever it is told."""
        everything = len(self.kb.intents)
        found = self.rank(terms, words, everything, focus)
        if focus:
            whole = self.rank(terms, words, everything)
            found = (*(c for c in found if c.intent.kind != "safety"), *_safest(found, whole))
        return self._pool(found, self.classifier.posterior(terms))

    def _pool(self, ranked: Sequence[Candidate], posterior: Sequence[float]
              ) -> tuple[Candidate, ...]:
        """`ranked` (in any order) rescored with the classifier's `posterior`: each intent keeps
        1 - POOLED of its score and gets POOLED of the best score in proportion to
        sqrt(P(intent | terms)). An intent the best examples favour but the pooled evidence
        doubts drops; a question that no intent clearly owns loses confidence. Safety intents
        keep their score: urgent symptoms are not a topic competing with the others."""
        if not ranked:  # else `posterior` is not empty either: a ranked intent shares a term
            return ()
        best = max(c.score for c in ranked)
        pooled = []
        for candidate in ranked:
            score = candidate.score
            if candidate.intent.kind != "safety":
                share = posterior[self._positions[candidate.intent.name]]
                score = (1 - POOLED) * score + POOLED * best * math.sqrt(share)
            pooled.append(Candidate(candidate.intent, round(score, 4)))
        return self._sorted([c for c in pooled if c.score >= self._floor])

    def _sorted(self, candidates: Iterable[Candidate]) -> tuple[Candidate, ...]:
        """Best first; ties keep file order."""
        return tuple(sorted(candidates, key=lambda c: (-c.score, self._positions[c.intent.name])))

    def rank(self, terms: Sequence[str], words: str, limit: int = 5,
             focus: Mapping[str, float] | None = None) -> tuple[Candidate, ...]:
        """The best-scoring intents for these terms, best first (ties keep file order); only
        intents that reach NEAR (or the threshold or safety threshold, if lower) are listed.

        `words` is the whole normalised question: its likeness to an example's wording
        (function words and order included) settles near-ties between intents. `focus` scales
        each term's weight (1 when absent; see CONTEXT).

        Terms are read most telling first. Once the terms left unread weigh too little to lift
        an intent they alone could reach into the top `limit`, their postings (the long lists
        of topic words such as "prolotherapy") are not read; they are only added to examples
        already found. The ranking is the same as from scoring every example.
        """
        terms = tuple(dict.fromkeys(terms))
        if not terms:
            return ()
        focus = focus or {}
        weights = {t: self.weights[t] * focus.get(t, 1.0) for t in terms if t in self.weights}
        rest = sum(weights.values())  # the weight of the terms not read yet: all of them
        asked = rest + self._unknown_mass([t for t in terms if t not in weights], words, focus)
        unread = sorted(weights, key=weights.__getitem__)  # least telling first
        penalty = self._penalties(weights)
        overlap: dict[int, float] = {}
        bar = self._floor  # the least final score still worth looking for
        while unread:
            ceiling = _ceiling(rest, asked)
            reach = _final(ceiling, ceiling)  # the most an intent found by unread terms gets
            if reach >= bar and 3 * len(overlap) < len(self._postings[unread[-1]]):
                # Raising the bar scores every example found so far (about three times the
                # cost of reading a posting): worth it only when cheaper than the next term.
                bar = max(bar, self._kth(overlap, asked, limit, penalty))
            if reach < bar - NOISE:  # a tie, within rounding, is still worth reading
                break
            term = unread.pop()
            weight = weights[term]
            rest -= weight
            for index in self._postings[term]:
                overlap[index] = overlap.get(index, 0.0) + weight
        left = [(t, weights[t]) for t in unread]  # usually one or two topic words
        if left:
            for index, shared in overlap.items():
                have = self._terms[index]
                for term, weight in left:
                    if term in have:
                        shared += weight
                overlap[index] = shared
        best = self._best(overlap, asked)
        if unread:
            # An intent's unread examples share only unread terms, so score at most `ceiling`;
            # they count only as a better second example of an intent that can make the top.
            ceiling = _ceiling(rest, asked)
            bar = max(bar, _kth_largest([_final(t, s, 0.0) - penalty[p]
                                         for p, (t, s, _) in best.items()], limit))
            for position, (top, second, _) in list(best.items()):
                if (ceiling > second
                        and _final(top, max(second, min(top, ceiling))) >= bar - NOISE):
                    # Examples not found share only unread terms.
                    found = {i: overlap[i] if i in overlap else
                             sum(w for t, w in left if t in self._terms[i])
                             for i in self._ranges[position]}
                    best.update(self._best({i: s for i, s in found.items() if s}, asked))
        # A second example of the same intent that also fits is further evidence.
        supported = sorted(((_final(top, second, 0.0) - penalty[position], position, index)
                            for position, (top, second, index) in best.items()), reverse=True)
        # Imported on first use: the chat's prompt then appears before rapidfuzz has loaded.
        from rapidfuzz import fuzz

        scored: list[tuple[float, int]] = []
        for score, position, index in supported:
            most = _settled(score + WORDING)  # settled like the scores it is compared with
            if most < self._floor or (len(scored) >= limit and most < -scored[limit - 1][0]):
                break  # even identical wording could not lift this or any later one into the top
            wording = fuzz.ratio(words, self._texts[index]) / 100
            scored.append((-_settled(score + WORDING * wording), position))
            scored.sort()
        return tuple(Candidate(self.kb.intents[p], round(min(-s, 1.0), 4))
                     for s, p in scored[:limit] if -s >= self._floor)

    def _best(self, overlap: dict[int, float], asked: float) -> dict[int, tuple[float, float, int]]:
        """Per intent position: its best and second-best example score, and the best's index."""
        best: dict[int, tuple[float, float, int]] = {}
        sizes, owners = self._sizes, self._owners
        scale, base = 1 + BETA * BETA, BETA * BETA * asked
        for index, shared in overlap.items():
            # `_score`, inlined: this loop is where a question's time goes.
            size = sizes[index]
            score = scale * shared / (base + size)
            contained = CONTAIN * shared / size * (shared / MIN_MASS if shared < MIN_MASS else 1.0)
            if contained > score:
                score = contained
            position = owners[index]
            top, second, at = best.get(position, (0.0, 0.0, index))
            # Ties, within rounding noise, go to the earlier example (see `_settled`).
            if score > top + NOISE or (score >= top - NOISE and index < at):
                best[position] = (score, top, index)
            elif score > second:
                best[position] = (top, score, at)
        return best

    def _kth(self, overlap: dict[int, float], asked: float, limit: int,
             penalty: dict[int, float]) -> float:
        """A lower bound on the final score of the `limit`-th best intent found so far."""
        return _kth_largest([_final(top, 0.0, 0.0) - penalty[position]
                             for position, (top, _, _) in self._best(overlap, asked).items()],
                            limit)

    def _unknown_mass(self, unknown: list[str], words: str, focus: Mapping[str, float]
                      ) -> float:
        """How much the question's unknown terms weigh against every match: with diminishing
        force as they are more, and scaled by their focus, as known terms are."""
        if not unknown:
            return 0.0
        english = english_words()
        real = {stem(w) for w in words.split()[:MAX_WORDS] if w in english}
        force = sum(REAL_UNKNOWN if t in real else 1.0 for t in unknown) / len(unknown)
        attention = sum(focus.get(t, 1.0) for t in unknown) / len(unknown)
        return self.unknown_weight * force * len(unknown) ** UNKNOWN_POWER * attention

    def _penalties(self, weights: dict[str, float]) -> dict[int, float]:
        """Per intent sharing a term with the question: what it loses for its words being
        less typical of it than of the intent they fit best (0 for that one; see TYPICAL)."""
        fit: dict[int, float] = {}
        for term, weight in weights.items():
            for position, typical in self._typical[term]:
                fit[position] = fit.get(position, 0.0) + weight * weight * typical
        best = max(fit.values(), default=0.0)
        return {position: TYPICAL * (1 - f / best) for position, f in fit.items()}


def _told(kb: KnowledgeBase, signs: Collection[str]) -> list[str]:
    """`signs`, and the variants of each synonym group one of them names, normalised."""
    named = set(map(normalise, signs))
    return [*named, *(normalise(v) for canonical, variants in kb.vocabulary.synonyms
                      if normalise(canonical) in named for v in variants)]


def _padded(phrases: Iterable[str]) -> tuple[str, ...]:
    return tuple(f" {_stems(normalise(p))} " for p in phrases)


def _says(words: str, padded: Iterable[str]) -> bool:
    """True when normalised `words` hold one of the `_padded` phrases, as whole words, each
    word on its stem ("after the injections" is "after the injection")."""
    text = f" {_stems(words)} "
    return any(phrase in text for phrase in padded)


def _stems(words: str) -> str:
    return " ".join(map(stem, words.split()))


def _safest(focused: Sequence[Candidate], whole: Sequence[Candidate]) -> list[Candidate]:
    """Each safety intent at the better of its two scores."""
    best: dict[str, Candidate] = {}
    for candidate in (*focused, *whole):
        kept = best.get(candidate.intent.name)
        if candidate.intent.kind == "safety" and (kept is None or kept.score < candidate.score):
            best[candidate.intent.name] = candidate
    return list(best.values())


def _score(shared: float, size: float, asked: float) -> float:
    """How well one example with `shared` weight in common explains the question: the F-beta
    of precision (shared / size) and recall (shared / asked), or the containment score."""
    return max((1 + BETA * BETA) * shared / (BETA * BETA * asked + size),
               CONTAIN * shared / size * min(1.0, shared / MIN_MASS))


def _ceiling(shared: float, asked: float) -> float:
    """The most `_score` can give an example sharing at most `shared` weight (precision 1)."""
    return _score(shared, shared, asked) if shared else 0.0


def _final(top: float, second: float, wording: float = 1.0) -> float:
    """An intent's score from its two best examples and the best one's wording likeness."""
    return (1 - WORDING) * (top + SUPPORT * second * (1 - top)) + WORDING * wording


def _settled(score: float) -> float:
    """`score` without its last bits of rounding noise: the same words summed in another order
    must tie, and ties go to the earlier example or intent, never to the noise (see NOISE)."""
    return round(score, 9)


def _kth_largest(values: list[float], k: int) -> float:
    return sorted(values, reverse=True)[k - 1] if len(values) >= k else 0.0
