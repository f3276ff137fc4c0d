"""Reply -> formatted text. The only module that decides how a reply looks.

Fragments are (style class, text) pairs: the REPL prints them with colour, line mode joins
the text and prints it plain, so both show the same words.
"""

from __future__ import annotations

import textwrap

from prolo_bot.conversation import Reply

Fragments = list[tuple[str, str]]
MAX_WIDTH = 100
_INDENT = "  "


def _usable(width: int) -> int:
    return max(20, min(width, MAX_WIDTH) - 1)


def render(reply: Reply, width: int = 80) -> Fragments:
    """Wrap a reply to the terminal width: text, source, details, numbered suggestions."""
    width = _usable(width)
    out: Fragments = []
    if reply.text:
        style = "class:answer" if reply.kind in ("answer", "more") else "class:info"
        paragraphs = (textwrap.fill(p, width, break_on_hyphens=False)
                      for p in reply.text.split("\n"))
        out.append((style, "\n".join(paragraphs) + "\n"))
    if reply.source and reply.kind in ("answer", "more"):
        out.append(("class:source", _wrap(f"Source: {reply.source}", width) + "\n"))
    for line in reply.details:
        out.append(("class:detail", _wrap(line, width) + "\n"))
    if reply.suggestions:
        if reply.kind in ("answer", "more", "info"):
            out.append(("class:hint", f"{_INDENT}You could also ask:\n"))
        for number, suggestion in enumerate(reply.suggestions, 1):
            out.append(("class:number", f"{_INDENT}{number}) "))
            out.append(("class:suggestion", suggestion.question + "\n"))
    return out


def greeting(welcome: str, width: int = 80) -> Fragments:
    """The opening screen: the knowledge base's welcome, then how to get help and leave."""
    width = _usable(width)
    tips = ("Type /help for commands and /topics for everything I can answer. "
            "Leave with Ctrl-D or /quit.")
    return [
        ("class:bot", textwrap.fill(welcome, width) + "\n"),
        ("class:hint", textwrap.fill(tips, width) + "\n"),
    ]


def plain(reply: Reply, width: int = 80) -> str:
    """The same reply as plain text, for pipes and scripts."""
    return "".join(text for _, text in render(reply, width))


def _wrap(line: str, width: int) -> str:
    indent = _INDENT + " " * (len(line) - len(line.lstrip()))
    return textwrap.fill(line.strip(), width, initial_indent=indent, break_on_hyphens=False,
                         subsequent_indent=indent + "  ")
