"""Recognise the lines that answer the conversation rather than ask the article: "tell me
more", "are you sure?", "ok", "the second one", "and for my neck?".

Pure: it reads the `dialogue` lists of intents.yaml and says what a normalised line is;
`Conversation` decides what to do about it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from prolo_bot.knowledge import KnowledgeBase
from prolo_bot.matcher import normalise

# Every chat (and `prolo-bot eval` starts one per question) reads the same phrases.
_phrase = functools.lru_cache(maxsize=4096)(normalise)

# Lines of more words than this are questions of their own, whatever they open with.
SHORT = 8
# How readers pick a numbered suggestion in words ("the second one", "option 3"); 0 is the last.
_ORDINALS = {"first": 1, "1st": 1, "one": 1, "second": 2, "2nd": 2, "two": 2, "third": 3,
             "3rd": 3, "three": 3, "last": 0}
_PICKING = frozenset({"the", "option", "number", "no", "choice", "please", "pls"})


class FollowUps:
    """The `dialogue` lists of a knowledge base, ready to recognise lines by."""

    def __init__(self, kb: KnowledgeBase, correct: Callable[[str], str]) -> None:
        """`correct` puts a slip right ("explian"), as the engine's speller does."""
        dialogue = kb.dialogue
        self.correct = correct
        self.fillers, self.follow_ups = dialogue.fillers, dialogue.follow_ups
        self.points_back_words = dialogue.points_back
        self.openers = tuple(_phrase(opener) for opener in dialogue.openers)
        self.ignored = kb.vocabulary.stopwords | dialogue.fillers
        self.acknowledge = "acknowledge" if dialogue.acknowledge else None
        self.phrases = {_phrase(phrase): name
                        for name, phrases in dialogue.lists.items() for phrase in phrases}
        # Each phrase by the words it holds besides stop words and fillers, so that "could you
        # elaborate a bit" is "elaborate"; not when that leaves none, or only question words
        # ("how do you know" would take "how"), or words that two lists share ("right").
        lists: dict[tuple[str, ...], set[str]] = {}
        for name, phrases in dialogue.lists.items():
            for phrase in phrases:
                lists.setdefault(self._gist(_phrase(phrase).split()), set()).add(name)
        asking = set(map(_phrase, kb.vocabulary.question_words))
        self.gists = {gist: names.pop() for gist, names in lists.items()
                      if len(names) == 1 and not asking.issuperset(gist)}

    def phrase(self, words: str) -> str | None:
        """The `dialogue` list normalised `words` are a phrase of, as typed or with their
        slips put right ("explian"), between fillers ("wait, really?") and after a reaction
        ("interesting, explain that"); a line of fillers alone ("hmm ok") is an
        acknowledgement."""
        said = words.split()
        if not said or len(said) > SHORT:
            return None
        fixed = [self.correct(w) for w in said]
        for reading in (said, fixed) if fixed != said else (said,):
            found = self.phrases.get(" ".join(reading))  # "huh" is a phrase, and a filler
            if found is not None:
                return found
            start, end = 0, len(reading)
            while start < end and reading[start] in self.fillers:
                start += 1
            while end > start and reading[end - 1] in self.fillers:
                end -= 1
            if start == end:
                return self.acknowledge
            found = self.phrases.get(" ".join(reading[start:end]))
            while found is None and start < end - 1 and self._reaction(reading[start]):
                start += 1
                found = self.phrases.get(" ".join(reading[start:end]))
            if found is not None:
                return found
        return None

    def _reaction(self, word: str) -> bool:
        """True when a word alone acknowledges ("interesting", "wow") or is a filler."""
        return word in self.fillers or (
            self.acknowledge is not None and self.phrases.get(word) == self.acknowledge)

    def gist(self, words: str) -> str | None:
        """The `dialogue` list a short line is a phrase of in other words: the same words
        besides stop words and fillers ("could you elaborate a bit")."""
        said = words.split()
        if len(said) > SHORT:
            return None
        return self.gists.get(self._gist([self.correct(w) for w in said]))

    def leans(self, words: str) -> bool:
        """True when normalised `words` are short and say they follow up what came before:
        they open with "and", "what about"... or point back ("it", "that", "he")."""
        said = words.split()
        return len(said) <= SHORT and (
            not self.follow_ups.isdisjoint(said)
            or any(words.startswith(f"{opener} ") for opener in self.openers))

    def points_back(self, words: str) -> bool:
        """True when normalised `words` point back at what was told ("is that normal?")."""
        return not self.points_back_words.isdisjoint(words.split())

    def _gist(self, words: list[str]) -> tuple[str, ...]:
        return tuple(w for w in words if w not in self.ignored)


def picked(words: str) -> int | None:
    """The suggestion normalised `words` pick, if that is all they say ("the first one",
    "option 2", "the last"): its number, or 0 for the last."""
    said = words.split()
    named = [w for w in said if w not in _PICKING]
    if len(named) == 2 and named[-1] == "one":  # "the second one"
        named.pop()
    if len(named) != 1:
        return None
    if named[0].isdigit():  # a bare number is read as typed (see `Conversation`): "-1" picks none
        return int(named[0]) if len(said) > 1 else None
    return _ORDINALS.get(named[0])
