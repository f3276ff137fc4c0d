"""Typo correction: an unknown word becomes the knowledge base's nearest word, when that is
the likelier reading.

A word found in the English word list is a typo only of the knowledge base's own jargon with
a letter dropped ("polo" for "prolo"), when the rest of the question backs that reading
("thinks" stays "thinks"); or of a telling knowledge-base word one slip away that an example
has beside the same neighbour ("sift tissue" is "soft tissue"; "sift the flour" stays).
Otherwise one slip (a letter dropped, added, changed or two swapped) is put right, and two
slips in a long word, when the reading is safe (see `Speller.correct_all`). A stop word two
slips away drops out ("thhe", "railly"), unless a warning sign is as near. Two slips win
over one in a word of four letters or more when they reach a far commoner word (COMMON),
unless the word one slip away is a stop word, a warning sign, or the same word with a letter
doubled. A warning sign gives way only to the knowledge base's jargon, when the rest of the
question backs it and tells nothing of the sign: "pfoo side effects" is "prolo side effects",
but "can't control my pfoo" stays "poo".
"""

from __future__ import annotations

import itertools
import string
from collections import Counter
from collections.abc import Iterable, Sequence

from prolo_bot.knowledge import english_words

# A word this long may be corrected across two typing slips, not just one.
TWO_SLIP_LENGTH = 5
MAX_CACHED = 10_000  # corrections remembered; hostile input must not grow the cache unbounded
# A word used by more of the examples than this share is a topic word: it backs no reading.
# The topic words ("prolo" 32%, "back" 14%, "ligament" 9%, "pain" 8%) are far above it; the
# telling words it must keep ("ligaments" 5.1%, "doctor" 5.5%) sit below it, with little room.
TOPIC_SHARE = 0.06
# A knowledge-base word that no word list has, used this often, is likelier meant than an
# English word one letter short of it ("polo": "prolo").
JARGON_USES = 3
# A word two slips from one used this many times as often as the word one slip away (or this
# many times in all, when none is) is likelier the common word: typing two slips is rarer than
# one, but not a hundred times rarer.
COMMON = 100
_NONE: frozenset[int] = frozenset()


class Speller:
    """Corrects words against a knowledge base's vocabulary; built once with the analyzer."""

    def __init__(self, counts: Counter[str], stopwords: frozenset[str],
                 examples: Iterable[Sequence[str]] = (),
                 curated: frozenset[str] = frozenset(),
                 warnings: frozenset[str] = frozenset(),
                 signs: Iterable[frozenset[str]] = ()) -> None:
        """`counts`: how often the knowledge base uses each word it knows; `examples`: the
        words of each example, to tell which reading the rest of a question supports;
        `curated`: words a curator chose on purpose (synonyms), never taken for typos;
        `warnings`: the words that tell of urgent symptoms, whose one-slip readings only the
        knowledge base's jargon overrides (see COMMON), and only when the question backs it and
        not the sign: missing a warning sign costs more than a wrong topic ("pfoo" alone stays
        "poo", not "prolo");
        `signs`: the one-word names of each warning sign ("bladder", "pee", "poo"), whose
        examples tell which words back it."""
        # An example's own typo ("ligamnet", "prolotheraphy") would be a word of its own that a
        # reader's same slip could never be put right from. A word that neither the English list
        # nor the synonyms vouch for, which reads as a word used three times as often (by the
        # rules for a reader's typo), is such a typo, however many examples repeat it: it is not
        # a known word, so questions and examples alike are corrected past it.
        self._counts = counts
        self._stopwords = stopwords
        self._warnings = warnings
        english = english_words()
        self._index(counts, counts, stopwords)
        self._typos: dict[str, str] = {}  # an example's typo -> the word it reads as
        found: dict[str, str] = {}
        for word in counts:
            if (word.isalpha() and len(word) >= 3 and word not in stopwords
                    and word not in curated and word not in english):
                reading, doubtful, _ = self._nearest(word, other=True)
                if reading != word and not doubtful and counts[reading] >= 3 * counts[word]:
                    found[word] = reading
        # "mnagp" -> "mangp" -> "mango": to "mango". A chain ends, each word in it being used
        # three times as often as the one before.
        for word, reading in found.items():
            while reading in found:
                reading = found[reading]
            self._typos[word] = reading
        # Still targets: a reader's slip in the same word ("prolotheraphy") is put right too.
        self.known = (frozenset(counts) - self._typos.keys()) | stopwords
        # The knowledge base's own jargon, which no word list has ("prolo"), with a letter
        # dropped (not the first) -> the jargon word, the most used first (see `_reading`).
        self._jargon_short: dict[str, str] = {}
        for word in self._targets:  # four letters at least are left: "med" is not "meds"
            if (len(word) > 4 and counts[word] >= JARGON_USES and word not in english
                    and word not in stopwords and word not in self._typos):
                for at in range(1, len(word)):
                    self._jargon_short.setdefault(word[:at] + word[at + 1:], word)
        self._used_in: dict[str, set[int]] = {}  # content word -> the examples that use it
        self._pairs: set[tuple[str, str]] = set()  # two content words side by side in an example
        count = 0
        for count, words in enumerate(examples, 1):
            content = [self._typos.get(word, word) for word in words if word not in stopwords]
            for word in content:
                self._used_in.setdefault(word, set()).add(count)
            self._pairs.update(itertools.pairwise(content))
        # A word that many examples use ("prolo", in a third of them) backs almost any reading.
        self._telling = frozenset(w for w, uses in self._used_in.items()
                                  if len(uses) <= TOPIC_SHARE * count)
        # unknown word -> its `_nearest` reading
        self._readings: dict[str, tuple[str, bool, str | None]] = {}
        # A warning sign's name -> the examples that use any name of that sign (`_backs_sign`)
        self._sign_uses: dict[str, set[int]] = {}
        for names in signs:
            uses = set().union(*(self._used_in.get(name, _NONE) for name in names))
            for name in names:
                self._sign_uses.setdefault(name, set()).update(uses)
        self._slips: dict[str, tuple[str, ...]] = {}  # real word -> its readings (`_slipped`)

    def _index(self, words: Iterable[str], counts: Counter[str],
               stopwords: frozenset[str]) -> None:
        # Correction targets, the most used first, so a typo equally close to two words becomes
        # the common one ("actualy" is "actually", not "actual"). Stop words are targets too, so
        # a mistyped "abuot" vanishes as "about" instead of counting as an unknown word.
        content = [w for w in words if w not in stopwords and w.isalpha()]
        stops = [w for w in stopwords if len(w) >= 4 and w.isalpha()]
        self._targets = sorted(content + stops, key=lambda w: (-counts[w], w))
        self._four_letter = [w for w in self._targets if len(w) == 4 and w not in stopwords]
        self._by_initial: dict[str, list[str]] = {}
        for target in self._targets:
            self._by_initial.setdefault(target[0], []).append(target)

    def correct(self, word: str) -> str:
        """The knowledge base's nearest word to an unknown word, or the word itself; judged
        alone, so a reading that needs the rest of a question to back it is not taken."""
        return self.correct_all([word])[0]

    def correct_all(self, words: Sequence[str], *, keep_signs: bool = False) -> list[str]:
        """Each word, or the knowledge base's word it is likeliest a typo of.

        A doubtful reading is taken only when an example uses it together with a telling word
        of the question, as read so far; stop words and topic words such as "prolo" back
        nothing. Doubtful are: a long word two slips from a knowledge-base word but one slip
        from an English word ("tishe": "tissue", or an English word), which "soft tishe" and
        "sofft tishe" back; and an English word that is jargon short of a letter ("polo"),
        which "polo side effects" backs. A warning sign one slip away gives way to the
        jargon word two slips away that `_nearest` names ("pfoo": "poo" or "prolo") when the
        question backs that word and does not have it already ("ploo leaking after prolo"),
        and no other word of it (a telling one, or a warning word no example uses: "leaking"),
        nor the neighbour the sign has in an example ("sugar watr"), backs the sign; never
        with `keep_signs` (the question says something began recently, as a symptom would:
        "knees buckl since the injection"). A real word that no reading is taken for is the
        knowledge base's word one slip away when an example has that word beside the same
        neighbour (`_beside`).
        """
        readings = [self._reading(word) for word in words]
        context = [word if doubtful else reading
                   for word, (reading, doubtful, _) in zip(words, readings, strict=True)]
        out: list[str] = []
        for at, (word, (reading, doubtful, rival)) in enumerate(zip(words, readings,
                                                                     strict=True)):
            if doubtful and not self._supported(reading, context):
                reading = word
            if (rival and not keep_signs and rival not in context
                    and self._supported(rival, context)
                    and not self._backs_sign(reading, context, at)
                    and not self._beside(reading, context, at)):
                reading = rival
            if (reading == word and len(word) >= 4 and word not in self.known
                    and word.removesuffix("s") not in self.known and word in english_words()):
                # A slip that made another real word ("sift" for "soft"), which the telling word
                # beside it gives away: "sift tissue" is "soft tissue".
                reading = next((r for r in self._slipped(word) if self._beside(r, context, at)),
                               word)
            out.append(reading)
        return out

    def _beside(self, target: str, context: Sequence[str], at: int) -> bool:
        """True if an example has `target` next to the content word before or after position
        `at` of `context` (stop words between them aside), and that word is a telling one:
        "back", "how" or "prolo" stand beside almost anything."""
        before = next((w for w in reversed(context[:at]) if w not in self._stopwords), None)
        after = next((w for w in context[at + 1:] if w not in self._stopwords), None)
        return ((before in self._telling and (before, target) in self._pairs)
                or (after in self._telling and (target, after) in self._pairs))

    def _backs_sign(self, sign: str, context: Sequence[str], at: int) -> bool:
        """True if a word of `context` other than the one at `at` is a warning word that is
        telling or that no example uses ("leaking"; not "back"), or a telling word used in an
        example that names the same sign as `sign` by a one-word name ("control", in "i can't
        control my bladder")."""
        uses = self._sign_uses.get(sign, _NONE)
        return any((w in self._warnings and (w in self._telling or w not in self._used_in))
                   or (w in self._telling and not uses.isdisjoint(self._used_in[w]))
                   for i, w in enumerate(context) if i != at)

    def _supported(self, target: str, context: Sequence[str]) -> bool:
        uses = self._used_in.get(target, _NONE)
        return any(not uses.isdisjoint(self._used_in[w]) for w in context
                   if w != target and w in self._telling)

    def _reading(self, word: str) -> tuple[str, bool, str | None]:
        if word in self.known or len(word) < 3 or not word.isalpha():
            return word, False, None
        if word in english_words():
            # A real word the knowledge base lacks is not a typo, unless it is the knowledge
            # base's jargon short of a letter, a slip people often make: in a question that
            # backs it, "polo" is "prolo" (see `correct_all`).
            jargon = self._jargon_short.get(word)
            return (jargon, True, None) if jargon else (word, False, None)
        if word not in self._readings:
            if len(self._readings) > MAX_CACHED:
                self._readings.clear()
            self._readings[word] = self._nearest(word)
        return self._readings[word]

    def _slipped(self, word: str) -> tuple[str, ...]:
        """The telling knowledge-base words one slip from `word`, with its first letter; no
        warning sign: a real word read as one ("fewer" as "fever") would raise a false alarm
        over everyday words."""
        if word not in self._slips:
            if len(self._slips) > MAX_CACHED:
                self._slips.clear()
            near = _within(word, self._by_initial.get(word[0], []), 1)
            readings = dict.fromkeys(self._typos.get(r, r) for r in near)
            self._slips[word] = tuple(r for r in readings
                                      if r in self._telling and r not in self._warnings)
        return self._slips[word]

    def _nearest(self, word: str, *, other: bool = False) -> tuple[str, bool, str | None]:
        """The word `word` reads as; True if that reading is doubtful; and, when the reading
        is a warning sign, the far commoner jargon word two slips away that the rest of a
        question may show was meant instead (see `correct_all`), if any. With `other` (to find an
        example's own typos), a word other than itself, and never by COMMON."""
        def near(pool: list[str], slips: int) -> list[str]:
            return [reading for reading in _within(word, pool, slips)
                    if not other or reading != word]

        if word in self._typos and not other:  # an example's typo, typed as it is
            return self._typos[word], False, None
        # A three-letter word has too many one-edit neighbours ("nis" is not "nhs"); only a
        # dropped letter is put back ("wht" -> "what"). Otherwise, of the words one slip away,
        # one with the same first letter is likelier ("hust" is "hurt", not "just").
        initial = self._by_initial.get(word[0], [])
        pools = [self._four_letter] if len(word) == 3 else [initial, self._targets]
        one = next((reading for pool in pools for reading in near(pool, 1)), None)
        one = self._typos.get(one, one) if one else None  # weigh the word a typo means
        if len(word) < 4:
            return one or word, False, None
        # Two edits reach many words, so they must keep the first letter, which people rarely
        # get wrong ("infcetoin" is "infection"; "france" is not "stance"), and leave four
        # letters at least: two dropped from five leave too little ("botox" is not "bot").
        two = [reading for reading in near(initial, 2) if len(reading) > 3]
        common = next((reading for reading in two if reading not in self._stopwords), None)
        if common and not other and self._commoner(word, one, common):
            common = self._typos.get(common, common)
            if one in self._warnings:
                # Outvoted, if at all, only by the knowledge base's jargon ("prolo"), and never
                # by a word that warns as well ("back"): a slip of "soiled" is not "should".
                jargon = common not in self._warnings and common not in english_words()
                return one, False, common if jargon else None
            # Nothing one slip away: a real word one slip away is as likely meant
            # ("inflectoin"), and so is any other reading of a four-letter word.
            doubtful = one is None and (len(word) < TWO_SLIP_LENGTH or _near_english(word))
            return common, doubtful, None
        if one:
            return one, False, None
        # A stop word two slips away drops out ("thhe", "railly") where an unknown word would
        # count against the match; not when a warning sign is as near ("fevst"
        # may be "first", but it may be "fever": a warning sign lost unseen costs the most).
        stop = next((reading for reading in two if reading in self._stopwords), None)
        if stop and not other and (len(word) < TWO_SLIP_LENGTH or stop == two[0]):
            warned = any(self._typos.get(r, r) in self._warnings for r in two)
            return (word if warned else stop), False, None
        if two and len(word) >= TWO_SLIP_LENGTH:
            return self._typos.get(two[0], two[0]), _near_english(word), None
        return word, False, None

    def _commoner(self, word: str, one: str | None, common: str) -> bool:
        """True if `common`, two slips from `word`, is likelier meant than `one`, the word one
        slip away (if any): used far more often (COMMON), and `one` is no stop word and not
        `word` with a letter doubled or undoubled ("wwet" is "wet")."""
        if one is None:
            return self._counts[common] >= COMMON
        return (one not in self._stopwords and _undoubled(one) != _undoubled(word)
                and self._counts[common] >= COMMON * self._counts[one])


def _within(word: str, pool: list[str], slips: int) -> list[str]:
    """The words of `pool` at most one slip from `word` (`slips` 1), or exactly two (`slips`
    2): nearest first, then in the pool's order (the more used first)."""
    from rapidfuzz import process
    from rapidfuzz.distance import DamerauLevenshtein

    return [reading for reading, distance, _ in
            process.extract(word, pool, scorer=DamerauLevenshtein.distance,
                            score_cutoff=slips, limit=None)
            if slips == 1 or distance == 2]


def _undoubled(word: str) -> str:
    """`word` with each run of one letter typed once: "wwet" and "wet" are both "wet"."""
    return "".join(ch for at, ch in enumerate(word) if at == 0 or word[at - 1] != ch)


def _near_english(word: str) -> bool:
    """True if one edit (a letter dropped, swapped, changed or added) makes `word` English."""
    english = english_words()
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    return any(
        a + b[1:] in english
        or (len(b) > 1 and a + b[1] + b[0] + b[2:] in english)
        or any(a + c + b[1:] in english for c in string.ascii_lowercase if b)
        or any(a + c + b in english for c in string.ascii_lowercase)
        for a, b in splits)
