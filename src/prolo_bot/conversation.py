"""Dialogue policy: turns each line the reader types into a Reply, remembering context.

Knows nothing of terminals or scoring internals: it asks the engine for a Match and decides
what to say (answer, expand, clarify, fall back) and runs the slash commands. A line that
follows up the one before ("who does it?") is matched again with that as its story, and the
better reply of the two given; lines that answer the conversation ("tell me more", "are you
sure?") are recognised by `followups.py`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from prolo_bot import storage
from prolo_bot.followups import FollowUps, picked
from prolo_bot.knowledge import Intent, KnowledgeBase
from prolo_bot.matcher import Candidate, Engine, Match, clean, normalise

MAX_SUGGESTIONS = 3
# A follow-up is read in the context of at most this many questions before it.
CONTEXT_TURNS = 2
# A follow-up whose own words are answered with this confidence is answered so: "then what do
# they put in the needle", after a doctor's claim about steroids, asks what is injected.
# (Chosen on tests/data/conversations-dev.yaml.)
OWN_ANSWER = 0.84
# After urgent advice, a follow-up whose own words are answered with less confidence than
# this is taken to be about those symptoms (chosen on the reviews' conversations).
ADVICE_AGAIN = 0.75
# Reply kinds for which the bot found no answer to give.
UNANSWERED = frozenset({"fallback", "not_understood", "clarify"})
# Reply kinds that leave the numbered suggestions as they were: "ok" or "where does it say
# that?" between a list and the number picked from it.
ASIDES = frozenset({"info", "empty", "source", "doubt", "acknowledge", "complaint"})


@dataclass(frozen=True)
class Suggestion:
    intent: str
    question: str


@dataclass(frozen=True)
class Reply:
    """One turn of the bot. `source` is set only for answers drawn from the article."""

    kind: str
    text: str
    intent: str | None = None
    confidence: float = 0.0
    source: str | None = None
    suggestions: tuple[Suggestion, ...] = ()
    details: tuple[str, ...] = ()  # extra lines, e.g. a command listing
    end: bool = False
    urgent: str | None = None  # the safety intent whose advice the reply opens with, if any

    @property
    def answers(self) -> tuple[str, ...]:
        """The intents this reply gives the answers of: a safety intent first, if any."""
        if self.kind != "answer":
            return ()
        return tuple(dict.fromkeys(name for name in (self.urgent, self.intent) if name))

    @property
    def fallback(self) -> bool:
        return self.kind in UNANSWERED


def urgent(match: Match, kb: KnowledgeBase) -> Candidate | None:
    """The safety intent to answer first, ahead of whatever else was asked, if any: whenever
    the question tells of a warning sign happening now (`Match.signs_now`: "I had prolo on
    Monday, now I have a fever. How long does recovery take?"), else when it scores close to
    the best (which catches signs misspelt or told in other words)."""
    safety = next((c for c in match.candidates if c.intent.kind == "safety"), None)
    if match.signs_now:
        # The engine keeps it in the candidates whenever a sign is told now; below the
        # engine's floor it is not among them, and still goes first.
        return safety or next((Candidate(i, 0.0) for i in kb.intents if i.kind == "safety"),
                              None)
    if safety is None:
        return None
    close = match.confidence - safety.score <= kb.matching.safety_margin
    return safety if close and safety.score >= kb.matching.safety_threshold else None


def offered_only(match: Match, safety: Candidate) -> bool:
    """True when the safety reply is offered rather than given: the question is vague ("back
    pain" names no warning sign) and is not one of the safety intent's own examples."""
    return match.vague and not (match.exact and match.candidates[0].intent == safety.intent)


@dataclass(frozen=True)
class Command:
    name: str
    summary: str
    handler: Callable[[str], Reply]
    usage: str = ""
    aliases: tuple[str, ...] = ()


@dataclass
class _State:
    intent: Intent | None = None
    expanded: bool = False
    suggestions: tuple[Suggestion, ...] = ()
    pending_save: Path | None = None
    asked: tuple[str, ...] = ()  # what a follow-up follows up: the last question, and the
    # one before when that was a follow-up too
    warned: bool = False  # whether any of `asked` got the urgent advice
    turns: list[tuple[str, Reply]] = field(default_factory=list)


class Conversation:
    """One reader's chat. `reply` is the only entry point; it never raises on any text."""

    def __init__(self, kb: KnowledgeBase, engine: Engine | None = None, *,
                 interactive: bool = True) -> None:
        """`interactive=False` is for one-shot questions (`ask`): no slash commands, and a
        blank line is "not understood" rather than nothing."""
        self.kb = kb
        self.interactive = interactive
        self.engine = engine or Engine(kb)
        self.state = _State()
        messages = kb.messages
        self.replies: dict[str, Callable[[], Reply]] = {  # by `dialogue` list
            "more": self._more,
            "related": self._related,
            "source": lambda: replace(self._source(""), kind="source"),
            "doubt": self._doubt,
            "acknowledge": lambda: Reply("acknowledge", messages.acknowledge),
            "complaint": lambda: Reply("complaint", messages.complaint),
        }
        self.follow_ups = FollowUps(kb, self.engine.analyzer.correct)
        self.commands = self._build_commands()

    # --- the one entry point -------------------------------------------------------------

    def reply(self, text: str) -> Reply:
        question = clean(text)
        reply = self._respond(question)
        if reply.kind == "answer" and reply.intent is not None:  # what "more" expands
            self.state.intent, self.state.expanded = self.kb.intent(reply.intent), False
        if reply.kind != "empty":
            self.state.turns.append((question, reply))
        if reply.suggestions or reply.kind not in ASIDES:
            self.state.suggestions = reply.suggestions
        return reply

    @property
    def last_answer(self) -> Reply | None:
        """The last reply that answered, or told more, if any."""
        return next((r for _, r in reversed(self.state.turns) if r.kind in ("answer", "more")),
                    None)

    @property
    def last_source(self) -> str | None:
        answer = self.last_answer
        return answer.source if answer else None

    # --- policy ----------------------------------------------------------------------------

    def _respond(self, question: str) -> Reply:
        if self.state.pending_save is not None:
            path, self.state.pending_save = self.state.pending_save, None
            answer = normalise(question)
            if answer in ("y", "yes"):
                return self._write(path, overwrite=True)
            not_saved = f"Not saved; {path} is unchanged."
            if answer in ("", "n", "no"):
                return Reply("info", not_saved)
            # Anything else is not an answer to (y/N): say so, then handle the line.
            reply = self._respond(question)
            return replace(reply, text=f"({not_saved})\n{reply.text}".rstrip())
        if not question:
            return Reply("empty", "") if self.interactive else self._not_understood()
        if question.startswith("/") and self.interactive:
            return self._command(question)
        words = normalise(question)
        command = self.commands.get(words)
        if self.interactive and command is not None and command.name == "quit":
            return command.handler("")
        number = question.strip().lstrip("#").rstrip(".)")
        if number.isascii() and number.isdigit():  # "2", "2." or "2)"; not "-2" nor "²"
            return self._choose(int(number))
        if not self.interactive:  # one question on its own: nothing to follow up
            return self.decide(self.engine.match(question))
        chosen = picked(words)
        if chosen is not None:
            return self._choose(chosen or len(self.state.suggestions))
        phrase = self.follow_ups.phrase(words)
        if phrase is not None:
            return self.replies[phrase]()
        match = self.engine.match(question)
        alone = self.decide(match)
        # Not a question of its own: maybe a follow-up phrase in other words ("could you
        # elaborate a bit").
        phrase = self.follow_ups.gist(words) if alone.kind in UNANSWERED else None
        if phrase is not None:
            return self.replies[phrase]()
        return self._follow_up(question, words, match, alone)

    def _follow_up(self, question: str, words: str, match: Match, alone: Reply) -> Reply:
        """The reply to `question` (normalised: `words`) in the light of what was asked before,
        given the engine's `match` of it and the reply that gets `alone`. A follow-up ("who
        does it?", "and for my neck?") or a line with no answer of its own is read with what
        was asked before as its story."""
        asked = self.state.asked
        reply, leaning = alone, False
        # After urgent advice, a line that points back at those symptoms ("is this the
        # infection thing?") is about them, however well its own words are answered.
        about_advice = self.state.warned and self.follow_ups.points_back(words)
        if asked and words and (alone.kind in UNANSWERED or (self.follow_ups.leans(words) and (
                alone.confidence < OWN_ANSWER or about_advice))):
            in_context = self.engine.match(question, context=" ".join(asked))
            followed = self.decide(in_context)
            if self._fits(followed, in_context, alone, words):
                reply, leaning = followed, True
        self.state.warned = reply.urgent is not None or (leaning and self.state.warned)
        if not leaning:
            self.state.asked = (question,)
        elif match.terms:  # a line of no words of its own ("is he right?") keeps the topic
            self.state.asked = (*asked, question)[-CONTEXT_TURNS:]
        return reply

    def _fits(self, followed: Reply, match: Match, alone: Reply, words: str) -> bool:
        """True when `followed`, the reply a line (normalised: `words`) gets read with what was
        asked before (the engine's `match` of it), is to be given rather than the reply it
        gets `alone`."""
        if followed.kind != "answer" or (alone.urgent is not None and followed.urgent is None):
            return False  # urgent advice the line gets on its own is never lost to the story
        if followed.urgent is not None and alone.urgent is None:
            # Only when what was asked before got that advice, or the two tell of a warning
            # sign happening now (words that merely score close together, "and for my neck?"
            # then "does it hurt?", are no alarm); and only for a line that points back at
            # what was told ("is that normal after prolo?") or that its own words answer
            # weakly, if at all ("what should I do?"): "what do they inject in prolotherapy?"
            # is a question of its own.
            about = self.follow_ups.points_back(words) or (
                alone.kind in UNANSWERED or alone.confidence < ADVICE_AGAIN)
            return about and (bool(match.signs_now) or self.state.warned)
        # "what about insurance?" after the author's view asks about insurance, which the
        # article does not cover, not for the author's view again.
        last = self.state.intent
        repeats = last is not None and followed.intent == last.name
        return not (repeats and alone.intent is not None
                    and self.kb.intent(alone.intent).kind == "uncovered")

    def decide(self, match: Match) -> Reply:
        """What to say to a question the engine made `match` of: answer, ask back or fall
        back. It changes nothing, so `prolo-bot check` judges the examples by it too."""
        safety = urgent(match, self.kb)
        if safety is not None and not offered_only(match, safety):
            return self._urgent(safety, match)
        if safety is not None:
            # "back pain" alone may or may not be urgent: offer the safety reply first, then
            # the nearest topics, rather than impose it on every reader of a back pain article.
            articles = [i for i in self.kb.intents if i.kind == "article"]
            return self._clarify(match, [safety.intent,
                                         *(c.intent for c in match.candidates), *articles])
        if (match.ambiguous or match.intent is None) and match.asking is not None:
            # A story with a question in it: when the whole finds no clear answer, the asking
            # sentence alone may ("...tried physio and pills. How much does prolo cost?"). Its
            # own match has no `asking`: all it holds asks. Not when the whole does: "I'm 20
            # weeks pregnant. Does it work?" asks about pregnancy, not whether it works.
            reply = self.decide(self.engine.match(match.asking))
            if reply.kind == "answer":
                return reply
        if match.ambiguous:
            return self._clarify(match, [c.intent for c in match.candidates
                                         if match.confidence - c.score < match.margin])
        if match.intent is not None:
            return self._answer(match.intent, match.confidence)
        if not match.terms:
            return self._not_understood()
        # The nearest article topics first, then the article's opening ones to make up the list.
        nearest = [c.intent for c in match.candidates] + list(self.kb.intents)
        return Reply("fallback", self.kb.messages.fallback, confidence=match.confidence,
                     suggestions=self._suggest(i.name for i in nearest if i.kind == "article"))

    def _urgent(self, safety: Candidate, match: Match) -> Reply:
        """The safety advice; after it, when the only warning sign is told as history ("I fell
        years ago. Does prolo work?", see `Match.history`), the answer the rest of the question
        gets, if it gets one. After a sign that may be happening now nothing follows: an answer
        about the treatment could make it sound normal."""
        warning = replace(self._answer(safety.intent, safety.score), urgent=safety.intent.name)
        if not match.history or match.signs_now:
            return warning
        rest = replace(match, exact=False, candidates=tuple(
            c for c in match.candidates if c.intent.kind != "safety"))
        reply = self.decide(rest)
        if (reply.kind != "answer" or reply.urgent is not None or reply.intent is None
                or self.kb.intent(reply.intent).kind not in ("article", "uncovered")):
            return warning
        return replace(reply, text=f"{warning.text}\n\n{reply.text}", urgent=safety.intent.name)

    def _clarify(self, match: Match, options: Iterable[Intent]) -> Reply:
        return Reply("clarify", self.kb.messages.clarify, confidence=match.confidence,
                     suggestions=self._suggest(i.name for i in options))

    def _not_understood(self) -> Reply:
        return Reply("not_understood", self.kb.messages.not_understood)

    def _answer(self, intent: Intent, confidence: float) -> Reply:
        related = () if intent.ends_chat else intent.related
        return Reply("answer", intent.answer, intent=intent.name, confidence=confidence,
                     source=intent.source, suggestions=self._suggest(related),
                     end=intent.ends_chat)

    def _more(self) -> Reply:
        intent = self.state.intent
        if intent is None:
            return Reply("info", self.kb.messages.nothing_yet)
        if intent.more is None or self.state.expanded:
            return Reply("info", self.kb.messages.no_more, intent=intent.name,
                         suggestions=self._suggest(intent.related))
        self.state.expanded = True
        return Reply("more", intent.more, intent=intent.name, confidence=1.0,
                     source=intent.source, suggestions=self._suggest(intent.related))

    def _doubt(self) -> Reply:
        """"Are you sure?": what the answers rest on, and where the last one came from."""
        if self.last_answer is None:
            return Reply("info", self.kb.messages.nothing_yet)
        warned = self.state.intent
        if self.state.warned and warned is not None and warned.kind == "safety":
            # Doubt about urgent advice is no reason to soften it: it is given again.
            return replace(self._answer(warned, 1.0), urgent=warned.name)
        return Reply("doubt", f"{self.kb.messages.doubt} {self._source('').text}")

    def _related(self) -> Reply:
        intent = self.state.intent
        if intent is None or not intent.related:
            return Reply("info", self.kb.messages.no_related)
        return Reply("related", self.kb.messages.related_intro, intent=intent.name,
                     suggestions=self._suggest(intent.related))

    def _choose(self, number: int) -> Reply:
        options = self.state.suggestions
        if not options:
            return Reply("info", "There are no numbered suggestions to choose from right now. "
                                 "Ask a question, or type /topics.")
        if not 1 <= number <= len(options):
            return Reply("info", f"Pick a number from 1 to {len(options)}, or ask a question.",
                         suggestions=options)
        chosen = self.kb.intent(options[number - 1].intent)
        # What a follow-up to its answer follows up.
        self.state.asked = (options[number - 1].question,)
        self.state.warned = chosen.kind == "safety"
        reply = self._answer(chosen, 1.0)
        return replace(reply, urgent=chosen.name) if self.state.warned else reply

    def _suggest(self, names: Iterable[str]) -> tuple[Suggestion, ...]:
        intents = [self.kb.intent(n) for n in dict.fromkeys(names)]
        return tuple(Suggestion(i.name, i.question) for i in intents[:MAX_SUGGESTIONS])

    # --- commands --------------------------------------------------------------------------

    def _build_commands(self) -> dict[str, Command]:
        commands = [
            Command("help", "show this help", self._help, aliases=("?",)),
            Command("topics", "list everything you can ask about, by article section",
                    self._topics),
            Command("source", "show which article section the last answer came from",
                    self._source),
            Command("save", "save this conversation as Markdown", self._save, usage="[FILE]"),
            Command("clear", "clear the screen and forget the conversation so far", self._clear),
            Command("quit", "leave (also: quit, exit, bye, Ctrl-D)", self._quit,
                    aliases=("exit", "q")),
        ]
        table = {c.name: c for c in commands}
        table.update({alias: c for c in commands for alias in c.aliases})
        return table

    @property
    def command_list(self) -> tuple[Command, ...]:
        return tuple(dict.fromkeys(self.commands.values()))

    def _command(self, line: str) -> Reply:
        name, _, argument = line[1:].strip().partition(" ")
        command = self.commands.get(name.lower())
        if command is None:
            return Reply("info", f"Unknown command /{name}. Type /help to see the commands.")
        return command.handler(argument.strip())

    def _help(self, _: str) -> Reply:
        names = [f"/{c.name}{' ' + c.usage if c.usage else ''}" for c in self.command_list]
        width = max(map(len, names))
        summaries = [c.summary for c in self.command_list]
        lines = tuple(f"{n:<{width}}  {s}" for n, s in zip(names, summaries, strict=True))
        return Reply("info", self.kb.messages.help, details=lines)

    def _topics(self, _: str) -> Reply:
        lines: list[str] = []
        for section in self.kb.sections:
            questions = [i.question for i in self.kb.intents if i.source == section]
            if questions:
                lines.append(f'From "{section}":')
                lines.extend(f"  - {q}" for q in questions)
        return Reply("info", f"What you can ask about {self.kb.title!r}, by article section:",
                     details=tuple(lines))

    def _source(self, _: str) -> Reply:
        source = self.last_source
        if source is None:
            return Reply("info", "The last answer did not come from the article.")
        return Reply("info", f"The last answer came from the article section {source!r}.",
                     source=source)

    def _clear(self, _: str) -> Reply:
        self.state = _State()
        return Reply("clear", "")

    def _quit(self, _: str) -> Reply:
        goodbye = next((i for i in self.kb.intents if i.ends_chat), None)
        return Reply("goodbye", goodbye.answer if goodbye else "", end=True)

    def _save(self, argument: str) -> Reply:
        from datetime import datetime  # only /save needs it; a start does not

        default = datetime.now().strftime("prolo-bot-%Y%m%d-%H%M%S.md")
        argument = argument.strip().strip("'\"")  # people quote names with spaces
        try:
            path = Path(argument or default).expanduser()
            if argument.endswith("/") or path.is_dir():  # a folder: save inside it
                path = path / default
            storage.refuse_special(path)
            exists = path.exists()
        except (OSError, RuntimeError, storage.StorageError) as exc:  # "~nobody/", too long
            return Reply("info", f"Could not save the transcript: {exc}")
        if exists:
            self.state.pending_save = path
            return Reply("info", f"{path} already exists. Overwrite it? (y/N)")
        return self._write(path, overwrite=False)

    def transcript(self) -> str:
        """The conversation so far as Markdown."""
        out = [f"# prolo-bot: {self.kb.title}", ""]
        for question, reply in self.state.turns:
            if reply.kind == "clear":
                continue
            out += [f"**You:** {question}", "", f"**prolo-bot:** {reply.text}".rstrip(), ""]
            if reply.details:
                out += [*(f"    {line}" for line in reply.details), ""]
            if reply.source:
                out += [f"*Source: {reply.source}*", ""]
            if reply.suggestions:
                out += [f"{n}. {s.question}" for n, s in enumerate(reply.suggestions, 1)]
                out.append("")
        return "\n".join(out)

    def _write(self, path: Path, *, overwrite: bool) -> Reply:
        try:
            storage.write_text(path, self.transcript(), overwrite=overwrite)
        except storage.StorageError as exc:
            return Reply("info", f"Could not save the transcript: {exc}")
        return Reply("info", f"Saved the conversation to {path}.")
