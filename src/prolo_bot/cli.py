"""Command line: parse arguments, load the knowledge base, hand off to one mode.

    prolo-bot                 chat (a REPL on a terminal, line by line from a pipe)
    prolo-bot ask QUESTION    one answer; --json for scripts; "-" reads stdin
    prolo-bot eval [FILE]     accuracy on held-out questions
    prolo-bot check [FILE]    lint the knowledge base
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import BinaryIO, TextIO

from prolo_bot import __version__
from prolo_bot.knowledge import KnowledgeBase, KnowledgeError, default_path, load

# A line longer than this is cut here and the rest of it skipped, so no input is unbounded.
MAX_LINE_BYTES = 64 * 1024
JSON_KEYS = ("question", "intent", "confidence", "answer", "source", "fallback", "suggestions")


def create_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--intents", metavar="PATH", type=Path, default=argparse.SUPPRESS,
        help="knowledge base to use (default: $PROLO_BOT_INTENTS or the shipped intents.yaml)",
    )
    common.add_argument("--no-color", action="store_true", default=argparse.SUPPRESS,
                        help="plain output, no colours (also: NO_COLOR=1)")
    parser = argparse.ArgumentParser(
        prog="prolo-bot", parents=[common],
        description="Answers questions about the article 'Prolotherapy for Back Pain'. "
                    "Not a doctor: see yours for personal advice.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--no-history", action="store_true",
                        help="do not read or write the chat history file")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    chat = commands.add_parser("chat", parents=[common], help="chat (the default)")
    chat.add_argument("--no-history", action="store_true", default=argparse.SUPPRESS,
                      help="do not read or write the chat history file")

    ask = commands.add_parser("ask", parents=[common], help="answer one question and exit")
    ask.add_argument("question", nargs="+", help='the question, or "-" to read one per line '
                                                 "from standard input")
    ask.add_argument("--json", action="store_true", help="print one JSON object per answer")

    evaluate = commands.add_parser("eval", parents=[common],
                                   help="measure accuracy on held-out questions")
    evaluate.add_argument("file", nargs="?", type=Path, help="evaluation file "
                          "(default: tests/data/eval.yaml in the checkout)")
    evaluate.add_argument("--min-accuracy", type=float, default=0.0, metavar="X",
                          help="exit 1 if in-scope accuracy is below X")
    evaluate.add_argument("--min-honesty", type=float, default=0.0, metavar="X",
                          help="exit 1 if out-of-scope honesty is below X")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = create_parser().parse_args(argv)
    path = getattr(args, "intents", None) or Path(
        os.environ.get("PROLO_BOT_INTENTS") or default_path()
    )
    try:
        kb = load(path)
        if args.command == "ask":
            return _ask(kb, args.question, as_json=args.json)
        if args.command == "eval":
            return _eval(kb, args.file, args.min_accuracy, args.min_honesty)
        return _chat(kb, history=not args.no_history, color=not getattr(args, "no_color", False))
    except KnowledgeError as exc:
        extra = len(exc.problems) - 1
        more = f" (and {extra} more problem{'s' * (extra > 1)}; see `prolo-bot check`)"
        print(f"prolo-bot: {exc}{more if extra else ''}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # a reader like `head` closed the pipe: not an error of ours
        sys.stderr.close()
        return 0


def read_lines(stream: BinaryIO) -> Iterator[str]:
    """Lines of any bytes as text: bounded in length, undecodable bytes replaced."""
    while True:
        line = stream.readline(MAX_LINE_BYTES)
        if not line:
            return
        if len(line) == MAX_LINE_BYTES and not line.endswith(b"\n"):
            while (rest := stream.readline(MAX_LINE_BYTES)) and not rest.endswith(b"\n"):
                pass
        yield line.decode("utf-8", errors="replace").rstrip("\r\n")


def _ask(kb: KnowledgeBase, words: list[str], *, as_json: bool) -> int:
    from prolo_bot.conversation import Conversation
    from prolo_bot.matcher import Engine
    from prolo_bot.render import plain

    engine = Engine(kb)
    questions = read_lines(sys.stdin.buffer) if words == ["-"] else [" ".join(words)]
    for question in questions:
        reply = Conversation(kb, engine).reply(question)
        if as_json:
            _write(sys.stdout, json.dumps(_as_json(question, reply)))
        else:
            _write(sys.stdout, plain(reply).rstrip("\n"))
    return 0


def _as_json(question: str, reply: object) -> dict[str, object]:
    from prolo_bot.conversation import Reply
    from prolo_bot.matcher import clean

    assert isinstance(reply, Reply)
    return {
        "question": clean(question),
        "intent": reply.intent if reply.kind == "answer" else None,
        "confidence": round(reply.confidence, 4),
        "answer": reply.text,
        "source": reply.source,
        "fallback": reply.fallback,
        "suggestions": [s.question for s in reply.suggestions],
    }


def _chat(kb: KnowledgeBase, *, history: bool, color: bool) -> int:
    from prolo_bot.conversation import Conversation

    conversation = Conversation(kb)
    if sys.stdin.isatty() and sys.stdout.isatty():
        from prolo_bot.repl import run_repl

        return run_repl(conversation, history=history, color=color)
    from prolo_bot.render import plain

    for line in read_lines(sys.stdin.buffer):
        reply = conversation.reply(line)
        if reply.kind not in ("empty", "clear"):
            _write(sys.stdout, plain(reply))
        if reply.end:
            break
    return 0


def _eval(kb: KnowledgeBase, file: Path | None, min_accuracy: float, min_honesty: float) -> int:
    from prolo_bot import evaluate

    cases = evaluate.load_cases(file or evaluate.default_path())
    unknown = evaluate.unknown_intents(cases, kb)
    if unknown:
        print(f"prolo-bot: {file}: unknown intents: {', '.join(unknown)}", file=sys.stderr)
        return 2
    report = evaluate.run(kb, cases)
    print("\n".join(evaluate.format_report(report)))
    failed = [
        f"{name} {value:.3f} is below {limit:.3f}"
        for name, value, limit in (("accuracy", report.accuracy, min_accuracy),
                                   ("honesty", report.honesty, min_honesty))
        if value < limit
    ]
    for line in failed:
        print(f"prolo-bot: {line}", file=sys.stderr)
    return 1 if failed else 0


def _write(stream: TextIO, text: str) -> None:
    stream.write(text + "\n")
    stream.flush()
