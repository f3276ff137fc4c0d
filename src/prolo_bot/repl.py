"""The interactive chat: reads lines with prompt-toolkit and prints rendered replies.

The only module that imports prompt_toolkit. It knows nothing of scoring: every line goes
to Conversation.reply and every Reply goes through render.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

from prompt_toolkit import PromptSession, print_formatted_text
from prompt_toolkit.auto_suggest import AutoSuggestFromHistory
from prompt_toolkit.completion import CompleteEvent, Completer, Completion
from prompt_toolkit.document import Document
from prompt_toolkit.formatted_text import FormattedText
from prompt_toolkit.history import FileHistory, History, InMemoryHistory
from prompt_toolkit.output import ColorDepth
from prompt_toolkit.shortcuts import clear
from prompt_toolkit.styles import Style

from prolo_bot import paths
from prolo_bot.conversation import Conversation, Reply
from prolo_bot.render import greeting, render

STYLE = Style.from_dict(
    {
        "prompt": "bold #5fafd7",
        "bot": "#87af5f",
        "source": "italic #8a8a8a",
        "hint": "#8a8a8a",
        "number": "bold #5fafd7",
        "suggestion": "#5fafd7",
        "warning": "#d7875f",
        "bottom-toolbar": "noreverse bg:#303030 #bcbcbc",
    }
)
TOOLBAR = " /help  /topics  Ctrl-R: history  Tab: complete  Ctrl-C: clear  Ctrl-D: quit"


class ChatCompleter(Completer):
    """Slash commands after "/", otherwise the questions the knowledge base can answer."""

    def __init__(self, commands: Iterable[str], questions: Iterable[str]) -> None:
        self.commands = sorted(f"/{c}" for c in commands)
        self.questions = sorted(set(questions))

    def get_completions(self, document: Document, event: CompleteEvent) -> Iterable[Completion]:
        text = document.text_before_cursor.lstrip()
        if text.startswith("/"):
            options = [c for c in self.commands if c.startswith(text.lower())]
        else:
            words = text.lower().split()
            options = [q for q in self.questions if all(w in q.lower() for w in words)]
        for option in options:
            yield Completion(option, start_position=-len(text))


class PrivateHistory(FileHistory):
    """History in a user-only file. A failed write (disk full, read-only) never ends the chat:
    it is remembered in `error`, for the chat to report once, and history stays in memory."""

    def __init__(self, filename: str) -> None:
        super().__init__(filename)
        self.error: str | None = None
        self.broken = False

    def store_string(self, string: str) -> None:
        if self.broken:
            return
        try:
            super().store_string(string)
        except OSError as exc:
            self.broken = True
            self.error = f"history is off: cannot write {self.filename} ({exc.strerror})"


class Chat:
    """One interactive session: the prompt, its history, and how replies are shown."""

    def __init__(self, conversation: Conversation, *, history: bool = True,
                 color: bool = True) -> None:
        self.conversation = conversation
        self.color_depth = None if color else ColorDepth.DEPTH_1_BIT
        kb = conversation.kb
        self.session: PromptSession[str] = PromptSession(
            history=self._history() if history else InMemoryHistory(),
            auto_suggest=AutoSuggestFromHistory(),
            completer=ChatCompleter(
                [c.name for c in conversation.command_list],
                [i.question for i in kb.intents if i.kind == "article"],
            ),
            complete_while_typing=False,
            bottom_toolbar=TOOLBAR,
            style=STYLE,
            color_depth=self.color_depth,
        )

    def _history(self) -> History:
        try:
            location = paths.history_file()
        except OSError as exc:
            self.warn(f"history is off: {exc.strerror or exc}")
            return InMemoryHistory()
        try:
            return PrivateHistory(str(paths.private_file(location)))
        except OSError as exc:
            self.warn(f"history is off: cannot use {location} ({exc.strerror or exc})")
            return InMemoryHistory()

    def show(self, fragments: list[tuple[str, str]]) -> None:
        print_formatted_text(FormattedText(fragments), style=STYLE,
                             color_depth=self.color_depth)

    def warn(self, message: str) -> None:
        self.show([("class:warning", f"prolo-bot: {message}")])

    def width(self) -> int:
        return self.session.output.get_size().columns

    def greet(self) -> None:
        self.show(greeting(self.conversation.kb.messages.welcome, self.width()))

    def say(self, reply: Reply) -> None:
        if reply.kind == "empty":
            return
        if reply.kind == "clear":
            clear()
            return
        self.show(render(reply, self.width()))

    def run(self) -> int:
        self.greet()
        while True:
            try:
                line = self.session.prompt([("class:prompt", "you > ")])
            except KeyboardInterrupt:  # Ctrl-C drops the line, not the chat
                continue
            except EOFError:
                self.say(self.conversation.reply("/quit"))
                return 0
            history = self.session.history
            if isinstance(history, PrivateHistory) and history.error:
                self.warn(history.error)
                history.error = None
            reply = self.conversation.reply(line)
            self.say(reply)
            if reply.end:
                return 0


def run_repl(conversation: Conversation, *, history: bool = True, color: bool = True) -> int:
    """Chat until the reader leaves; returns the exit status."""
    color = color and not os.environ.get("NO_COLOR")
    return Chat(conversation, history=history, color=color).run()



