"""Load `intents.yaml` into frozen dataclasses, with errors that name file, line and column.

This is the only module that reads files. YAML is parsed with safe-loader semantics (no
Python tags); mappings remember where they start so every schema problem points at a line.
"""

from __future__ import annotations

import functools
import re
import stat
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import yaml

MAX_FILE_BYTES = 2_000_000
KINDS = ("article", "smalltalk", "uncovered", "safety")
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


class KnowledgeError(Exception):
    """A file that cannot be used, with every problem found in it.

    `schema` is True when the file was read as a mapping but its content is wrong (a curator's
    finding), False when it could not be read or parsed at all.
    """

    def __init__(self, path: Path | str, problems: list[Problem], *, schema: bool = False) -> None:
        self.path = str(path)
        self.problems = problems
        self.schema = schema
        super().__init__(self.describe(problems[0]))

    def describe(self, problem: Problem) -> str:
        where = self.path
        if problem.line:
            where += f":{problem.line}"
            if problem.column:
                where += f":{problem.column}"
        return f"{where}: {problem.message}"

    def lines(self) -> list[str]:
        return [self.describe(p) for p in self.problems]


@dataclass(frozen=True)
class Problem:
    line: int
    column: int
    message: str


@dataclass(frozen=True)
class Intent:
    name: str
    kind: str
    examples: tuple[str, ...]
    answer: str
    more: str | None = None
    source: str | None = None
    related: tuple[str, ...] = ()
    ends_chat: bool = False
    line: int = 0

    @property
    def question(self) -> str:
        """How the intent is offered as a suggestion: its first example, as a question."""
        text = self.examples[0].strip()
        text = text[:1].upper() + text[1:]
        return text if text[-1:] in "?.!" else text + "?"


@dataclass(frozen=True)
class Matching:
    threshold: float
    margin: float
    safety_threshold: float
    safety_margin: float


@dataclass(frozen=True)
class Vocabulary:
    synonyms: tuple[tuple[str, tuple[str, ...]], ...]
    stopwords: frozenset[str]
    # In a story with no "?", a last sentence that starts with a question word (after any
    # lead-ins: "so", "but") is the one that asks.
    question_words: frozenset[str] = frozenset()
    lead_ins: frozenset[str] = frozenset()
    # Words that tell of urgent symptoms, each with its synonym group: the speller never
    # reads one of them as a commoner word.
    warning_signs: frozenset[str] = frozenset()
    # Warning signs a story may tell as history ("a fall years ago"): after the urgent advice,
    # the rest of such a question is still answered.
    history_signs: frozenset[str] = frozenset()
    history_told: frozenset[str] = frozenset()  # phrases that say it is history: "years ago"
    recent_told: frozenset[str] = frozenset()  # phrases that say it is recent: "yesterday"
    # Warning signs only when said of a place (`sign_places`): "my leg is weak", not "weak
    # evidence".
    local_signs: frozenset[str] = frozenset()
    sign_places: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Dialogue:
    """Whole lines that answer the conversation rather than ask the article (each list
    optional but `more` and `related`), recognised by `followups.FollowUps`, never scored."""

    more: tuple[str, ...]  # "tell me more": the last answer's detail
    related: tuple[str, ...]  # "what else": the last answer's related topics
    source: tuple[str, ...] = ()  # "where does it say that": as /source
    doubt: tuple[str, ...] = ()  # "are you sure?"
    acknowledge: tuple[str, ...] = ()  # "ok", "no", "got it"
    complaint: tuple[str, ...] = ()  # "that's not what I asked"
    fillers: frozenset[str] = frozenset()  # words around a phrase that change nothing: "wait"
    # A short line with one of `follow_ups` ("it", "he") or opening with one of `openers`
    # ("and", "what about") follows up the question before.
    follow_ups: frozenset[str] = frozenset()
    openers: tuple[str, ...] = ()
    # After urgent advice, a line with one of these ("is that normal?") is about the symptoms.
    points_back: frozenset[str] = frozenset()

    @property
    def lists(self) -> dict[str, tuple[str, ...]]:
        """Each list of whole-line phrases by its key in intents.yaml."""
        return {name: getattr(self, name) for name in _PHRASE_LISTS}


_OPTIONAL_LISTS = ("source", "doubt", "acknowledge", "complaint")
_PHRASE_LISTS = ("more", "related", *_OPTIONAL_LISTS)


@dataclass(frozen=True)
class Messages:
    welcome: str
    help: str
    fallback: str
    not_understood: str
    no_more: str
    no_related: str
    related_intro: str
    clarify: str
    nothing_yet: str
    # Required only with their `dialogue` lists: the replies to "are you sure", "ok" and
    # "that's not what I asked".
    doubt: str = ""
    acknowledge: str = ""
    complaint: str = ""


@dataclass(frozen=True)
class KnowledgeBase:
    path: Path
    title: str
    sections: tuple[str, ...]
    matching: Matching
    vocabulary: Vocabulary
    dialogue: Dialogue
    messages: Messages
    intents: tuple[Intent, ...]
    by_name: Mapping[str, Intent] = field(compare=False, repr=False)

    def intent(self, name: str) -> Intent:
        return self.by_name[name]

    # A mappingproxy cannot be pickled (the engine cache): leave the index out and rebuild it.
    def __getstate__(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "by_name"}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state, by_name=_index(state["intents"]))


def _index(intents: tuple[Intent, ...]) -> Mapping[str, Intent]:
    return MappingProxyType({i.name: i for i in intents})


# --- reading ---------------------------------------------------------------------------


class _Map(dict):
    """A YAML mapping that remembers where it and each of its keys start."""

    def __init__(self) -> None:
        super().__init__()
        self.line = 0
        self.column = 0
        self.key_marks: dict[str, tuple[int, int]] = {}


@functools.cache
def _loader() -> type:
    """A safe YAML loader whose mappings are `_Map`s. PyYAML is imported here, on first need:
    a start that finds its engine in the cache never parses YAML."""
    import yaml

    try:  # the C parser is several times faster; fall back quietly where it is not built
        base = yaml.CSafeLoader
    except AttributeError:  # pragma: no cover - depends on how PyYAML was built
        base = yaml.SafeLoader

    class Loader(base):  # type: ignore[misc, valid-type]
        pass

    def construct_map(loader: Loader, node: yaml.MappingNode) -> Iterator[_Map]:
        data = _Map()
        data.line, data.column = node.start_mark.line + 1, node.start_mark.column + 1
        yield data
        for key_node, _ in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            mark = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            if key in data.key_marks:
                raise yaml.MarkedYAMLError(
                    problem=f"duplicate key {key!r}", problem_mark=key_node.start_mark
                )
            data.key_marks[key] = mark
        data.update(loader.construct_mapping(node))

    Loader.add_constructor("tag:yaml.org,2002:map", construct_map)
    return Loader


def read_bytes(path: Path, limit: int = MAX_FILE_BYTES) -> bytes:
    """Read a regular file of at most `limit` bytes; every way it can fail is a KnowledgeError."""
    try:
        info = path.stat()
        if stat.S_ISDIR(info.st_mode):
            return _raise(path, 0, 0, "is a directory, not a file")
        if not stat.S_ISREG(info.st_mode):  # a device or pipe could be endless or never end
            return _raise(path, 0, 0, "is not a regular file")
        if info.st_size > limit:
            return _raise(path, 0, 0, f"file is too large ({info.st_size} bytes; limit {limit})")
        with path.open("rb") as handle:
            data = handle.read(limit + 1)
        if len(data) > limit:  # it grew since stat
            return _raise(path, 0, 0, f"file is too large (limit {limit} bytes)")
        return data
    except FileNotFoundError:
        raise KnowledgeError(path, [Problem(0, 0, "no such file")]) from None
    except PermissionError:
        raise KnowledgeError(path, [Problem(0, 0, "permission denied")]) from None
    except OSError as exc:
        raise KnowledgeError(path, [Problem(0, 0, exc.strerror or str(exc))]) from None


def parse_yaml(data: bytes, path: Path) -> Any:
    """Parse UTF-8 YAML with safe-loader semantics; an empty file is an error."""
    import yaml

    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return _raise(path, line, 0, f"not valid UTF-8 (byte 0x{data[exc.start]:02x})")
    if not text.strip():
        _raise(path, 0, 0, "file is empty")
    try:
        return yaml.load(text, Loader=_loader())
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        problem = " ".join(str(p) for p in (exc.problem, exc.context) if p) or "invalid YAML"
        _raise(path, line, column, f"YAML syntax error: {problem}")
    except yaml.YAMLError as exc:
        _raise(path, 0, 0, f"YAML error: {exc}")


def read_yaml(path: Path) -> Any:
    """Read and parse a YAML file (see `parse_yaml`)."""
    return parse_yaml(read_bytes(path), path)


def _raise(path: Path, line: int, column: int, message: str) -> Any:
    raise KnowledgeError(path, [Problem(line, column, message)])


# --- validation ------------------------------------------------------------------------


class _Checker:
    """Collects every schema problem instead of stopping at the first."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.missing: set[tuple[int, str]] = set()  # already reported as missing

    def add(self, where: Any, message: str, key: str | None = None) -> None:
        if key is not None and (id(where), key) in self.missing:
            return
        line, column = _mark(where, key)
        self.problems.append(Problem(line, column, message))

    def mapping(self, value: Any, what: str, parent: Any, key: str | None) -> _Map | None:
        if isinstance(value, _Map):
            return value
        self.add(parent, f"{what} must be a mapping, got {_type(value)}", key)
        return None

    def keys(self, value: _Map, what: str, required: set[str], allowed: set[str]) -> None:
        for key in value:
            if key not in allowed:
                expected = ", ".join(sorted(allowed))
                self.add(value, f"unknown key {key!r} in {what} (expected one of: {expected})", key)
        for key in sorted(required - set(value)):
            self.add(value, f"{what} is missing required key {key!r}")
            self.missing.add((id(value), key))

    def text(self, value: _Map, key: str, what: str) -> str:
        item = value.get(key)
        if not isinstance(item, str) or not item.strip():
            kind = "empty" if isinstance(item, str) or item is None else _type(item)
            self.add(value, f"{what} '{key}' must be non-empty text, got {kind}", key)
            return ""
        return " ".join(item.split())

    def texts(self, value: _Map, key: str, what: str, *, required: bool = True) -> tuple[str, ...]:
        items = value.get(key, [] if not required else None)
        if not isinstance(items, list) or (required and not items):
            got = "an empty list" if items == [] else _type(items)
            self.add(value, f"{what} '{key}' must be a non-empty list of text, got {got}", key)
            return ()
        out = []
        for item in items:
            if not isinstance(item, str) or not item.strip():
                hint = " (quote words such as yes, no, on, off)" if isinstance(item, bool) else ""
                got = repr(item) if isinstance(item, (bool, int, float)) else _type(item)
                self.add(value, f"{what} '{key}' has an item that is not text: {got}{hint}", key)
            else:
                out.append(" ".join(item.split()))
        return tuple(out)

    def number(self, value: _Map, key: str, what: str, low: float, high: float) -> float:
        item = value.get(key)
        if isinstance(item, bool) or not isinstance(item, (int, float)) or not low <= item <= high:
            self.add(value, f"{what} '{key}' must be a number from {low} to {high}", key)
            return low
        return float(item)


def _mark(where: Any, key: str | None) -> tuple[int, int]:
    if isinstance(where, _Map):
        if key is not None and key in where.key_marks:
            return where.key_marks[key]
        return where.line, where.column
    return 0, 0


def _type(value: Any) -> str:
    return {type(None): "nothing", str: "text", list: "a list", bool: "true/false"}.get(
        type(value), "a mapping" if isinstance(value, dict) else type(value).__name__
    )


_TOP = {"version", "article", "matching", "vocabulary", "dialogue", "messages", "intents"}
_INTENT_KEYS = {"name", "kind", "source", "examples", "answer", "more", "related", "ends_chat"}


def parse(data: Any, path: Path) -> KnowledgeBase:
    """Turn parsed YAML into a KnowledgeBase, or raise KnowledgeError listing every problem."""
    check = _Checker()
    top = data if isinstance(data, _Map) else None
    if top is None:
        expected = "expected a mapping with an 'intents' list at the top"
        _raise(path, 1, 1, f"{expected}, got {_type(data)}")
    check.keys(top, "the file", _TOP, _TOP)
    version = top.get("version", 1)
    if type(version) is not int or version != 1:
        check.add(top, "only 'version: 1' is understood", "version")

    def section(key: str) -> tuple[_Map, _Checker]:
        # A section that is missing or not a mapping is reported once, not once per field.
        found = check.mapping(top.get(key), f"'{key}'", top, key)
        return (found, check) if found is not None else (_Map(), _Checker())

    article, c = section("article")
    title = c.text(article, "title", "article")
    sections = c.texts(article, "sections", "article")

    matching_map, c = section("matching")
    threshold = c.number(matching_map, "threshold", "matching", 0.0, 1.0)
    matching = Matching(
        threshold=threshold,
        margin=c.number(matching_map, "margin", "matching", 0.0, 1.0),
        # Optional: without it, urgent symptoms need the confidence of any answer.
        safety_threshold=(c.number(matching_map, "safety_threshold", "matching", 0.0, 1.0)
                          if "safety_threshold" in matching_map else threshold),
        safety_margin=c.number(matching_map, "safety_margin", "matching", 0.0, 1.0),
    )

    vocab_map, c = section("vocabulary")
    c.keys(vocab_map, "'vocabulary'", set(),
           {"synonyms", "stopwords", "question_words", "lead_ins", "warning_signs",
            "history_signs", "history_told", "recent_told", "local_signs", "sign_places"})
    synonyms = _synonyms(c, vocab_map)
    (stopwords, question_words, lead_ins, warning_signs, history_signs, history_told,
     recent_told, local_signs, sign_places) = (
        frozenset(c.texts(vocab_map, key, "vocabulary", required=False))
        for key in ("stopwords", "question_words", "lead_ins", "warning_signs", "history_signs",
                    "history_told", "recent_told", "local_signs", "sign_places"))
    for key, words in (("question_words", question_words), ("lead_ins", lead_ins),
                       ("warning_signs", warning_signs), ("history_signs", history_signs),
                       ("local_signs", local_signs), ("sign_places", sign_places)):
        # Each is compared with one word (a sentence's first word, a question's word): a
        # phrase, or a contraction (which expands to two words), would never match.
        for bad in sorted(w for w in words if not w.isalpha()):
            c.add(vocab_map, f"vocabulary '{key}' has {bad!r}: one word of letters each", key)
    for bad in sorted(warning_signs & stopwords):  # a stop word is never read: it never warns
        c.add(vocab_map, f"vocabulary 'warning_signs' has {bad!r}, which is a stop word",
              "warning_signs")
    for key, signs in (("history_signs", history_signs), ("local_signs", local_signs)):
        for bad in sorted(signs - warning_signs):
            c.add(vocab_map, f"vocabulary '{key}' has {bad!r}, which is not one of the "
                             "'warning_signs'", key)

    dialogue_map, c = section("dialogue")
    word_lists = ("fillers", "follow_ups", "points_back")
    c.keys(dialogue_map, "'dialogue'", {"more", "related"},
           {*_PHRASE_LISTS, *word_lists, "openers"})
    words = {k: frozenset(w.casefold() for w in c.texts(dialogue_map, k, "dialogue",
                                                         required=False)) for k in word_lists}
    dialogue = Dialogue(
        more=c.texts(dialogue_map, "more", "dialogue"),
        related=c.texts(dialogue_map, "related", "dialogue"),
        **{k: c.texts(dialogue_map, k, "dialogue", required=False) for k in _OPTIONAL_LISTS},
        openers=c.texts(dialogue_map, "openers", "dialogue", required=False),
        **words,
    )
    for key in word_lists:
        for bad in sorted(w for w in words[key] if not w.isalpha()):
            c.add(dialogue_map, f"dialogue '{key}' has {bad!r}: one word of letters each", key)
    seen: dict[str, str] = {}
    for key, phrases in dialogue.lists.items():
        for phrase in phrases:
            # Compared without case or punctuation ("go on?" is "go on"), near enough to how
            # the chat reads them; matcher.normalise, which also expands contractions, would
            # be an import cycle.
            other = seen.setdefault(" ".join(re.split(r"\W+", phrase.casefold())).strip(), key)
            if other != key:
                c.add(dialogue_map, f"dialogue phrase {phrase!r} is in both '{other}' and "
                                    f"'{key}'", key)

    messages_map, c = section("messages")
    message_keys = list(Messages.__dataclass_fields__)
    needed = {k for k in message_keys if k not in _OPTIONAL_LISTS or dialogue.lists.get(k)}
    c.keys(messages_map, "'messages'", needed, set(message_keys))
    messages = Messages(**{k: c.text(messages_map, k, "messages") for k in message_keys
                           if k in needed or k in messages_map})

    intents = _intents(check, top, set(sections))
    if check.problems:
        raise KnowledgeError(path, check.problems, schema=True)
    return KnowledgeBase(
        path=path,
        title=title,
        sections=sections,
        matching=matching,
        vocabulary=Vocabulary(synonyms=synonyms, stopwords=stopwords,
                              question_words=question_words, lead_ins=lead_ins,
                              warning_signs=warning_signs, history_signs=history_signs,
                              history_told=history_told, recent_told=recent_told,
                              local_signs=local_signs, sign_places=sign_places),
        dialogue=dialogue,
        messages=messages,
        intents=intents,
        by_name=_index(intents),
    )


def _synonyms(check: _Checker, vocab: _Map) -> tuple[tuple[str, tuple[str, ...]], ...]:
    raw = vocab.get("synonyms", _Map())
    table = check.mapping(raw, "vocabulary 'synonyms'", vocab, "synonyms")
    if table is None:
        return ()
    out = []
    for canonical, variants in table.items():
        if not isinstance(canonical, str) or not isinstance(variants, list) or not all(
            isinstance(v, str) and v.strip() for v in variants
        ):
            check.add(table, f"synonym {canonical!r} must map to a list of words or phrases",
                      str(canonical))
            continue
        out.append((canonical, tuple(variants)))
    return tuple(out)


def _intents(check: _Checker, top: _Map, sections: set[str]) -> tuple[Intent, ...]:
    items = top.get("intents")
    if not isinstance(items, list) or not items:
        check.add(top, "'intents' must be a non-empty list of intents", "intents")
        return ()
    intents: list[Intent] = []
    seen: dict[str, int] = {}
    for index, item in enumerate(items, 1):
        entry = check.mapping(item, f"intent #{index}", top, "intents")
        if entry is None:
            continue
        name = entry.get("name")
        what = f"intent {name!r}" if isinstance(name, str) else f"intent #{index}"
        check.keys(entry, what, {"name", "kind", "examples", "answer"}, _INTENT_KEYS)
        if not isinstance(name, str) or not _NAME.match(name):
            check.add(entry, f"{what}: 'name' must be lower_snake_case text", "name")
            name = f"#{index}"
        elif name in seen:
            check.add(entry, f"duplicate intent name {name!r} (first defined on line {seen[name]})",
                      "name")
        seen.setdefault(name, entry.line)
        kind = entry.get("kind")
        if kind not in KINDS:
            check.add(entry, f"{what}: 'kind' must be one of {', '.join(KINDS)}", "kind")
        source = entry.get("source")
        if source is not None and not isinstance(source, str):
            check.add(entry, f"{what}: 'source' must be a section heading, got {_type(source)}",
                      "source")
            source = None
        elif kind == "article" and source is None:
            check.add(entry, f"{what}: an article intent needs a 'source' section")
        elif kind != "article" and source is not None:
            check.add(entry, f"{what}: only article intents have a 'source'", "source")
        elif source is not None and sections and source not in sections:
            check.add(entry, f"{what}: source {source!r} is not one of the article's sections",
                      "source")
        more = entry.get("more")
        if more is not None and (not isinstance(more, str) or not more.strip()):
            check.add(entry, f"{what}: 'more' must be non-empty text when given", "more")
        ends_chat = entry.get("ends_chat", False)
        if not isinstance(ends_chat, bool):
            check.add(entry, f"{what}: 'ends_chat' must be true or false", "ends_chat")
        intents.append(
            Intent(
                name=name,
                kind=kind if kind in KINDS else "article",
                examples=check.texts(entry, "examples", what),
                answer=check.text(entry, "answer", what),
                more=" ".join(more.split()) if isinstance(more, str) and more.strip() else None,
                source=source if isinstance(source, str) else None,
                related=check.texts(entry, "related", what, required=False),
                ends_chat=ends_chat is True,
                line=entry.line,
            )
        )
    for intent, item in zip(intents, [i for i in items if isinstance(i, _Map)], strict=True):
        for name in intent.related:
            if name not in seen:
                check.add(item, f"intent {intent.name!r}: related intent {name!r} does not exist",
                          "related")
            elif name == intent.name:
                check.add(item, f"intent {intent.name!r} lists itself as related", "related")
    return tuple(intents)


def load(path: Path) -> KnowledgeBase:
    """Read and validate a knowledge base file."""
    return parse(read_yaml(path), path)


def load_bytes(data: bytes, path: Path) -> KnowledgeBase:
    """Validate a knowledge base already read from `path`."""
    return parse(parse_yaml(data, path), path)


@functools.cache
def english_words() -> frozenset[str]:
    """Common English words (SCOWL), shipped with the package; read once, on first need."""
    text = Path(__file__).with_name("data").joinpath("english-words.txt").read_text("ascii")
    return frozenset(text.split())


def default_path() -> Path:
    """The shipped knowledge base: inside the installed package, or at the checkout's root."""
    packaged = Path(__file__).with_name("intents.yaml")
    if packaged.is_file():
        return packaged
    return Path(__file__).resolve().parents[2] / "intents.yaml"
