"""Command line: parse arguments, load the knowledge base, hand off to one mode.

    prolo-bot                 chat (a REPL on a terminal, line by line from a pipe)
    prolo-bot ask QUESTION    one answer; --json for scripts; "-" reads stdin
    prolo-bot eval [FILE]     accuracy on held-out questions or scripted conversations
    prolo-bot check [FILE]    lint the knowledge base
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, TextIO

from prolo_bot import __version__
from prolo_bot.knowledge import KnowledgeError, default_path, load

if TYPE_CHECKING:  # the engine and conversation are imported only by the modes that need them
    from prolo_bot.conversation import Reply
    from prolo_bot.matcher import Engine

# A line longer than this is cut here and the rest of it skipped, so no input is unbounded.
MAX_LINE_BYTES = 64 * 1024
JSON_KEYS = ("question", "intent", "confidence", "answer", "source", "fallback", "suggestions",
             "urgent")


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
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    chat = commands.add_parser("chat", parents=[common], help="chat (the default)")
    for target, default in ((parser, False), (chat, argparse.SUPPRESS)):  # before or after "chat"
        target.add_argument("--no-history", action="store_true", default=default,
                            help="do not read or write the chat history file")

    ask = commands.add_parser("ask", parents=[common], help="answer one question and exit")
    ask.add_argument("question", nargs="+", help='the question, or "-" to read one per line '
                                                 "from standard input")
    ask.add_argument("--json", action="store_true", help="print one JSON object per answer")

    evaluate = commands.add_parser("eval", parents=[common],
                                   help="measure accuracy on held-out questions or "
                                        "scripted conversations")
    evaluate.add_argument("file", nargs="?", type=Path, help="evaluation file "
                          "(default: tests/data/eval.yaml in the checkout)")
    evaluate.add_argument("--min-accuracy", type=_fraction, default=0.0, metavar="X",
                          help="exit 1 if in-scope accuracy (of conversations: every "
                               "turn's) is below X (0 to 1)")
    evaluate.add_argument("--min-honesty", type=_fraction, default=0.0, metavar="X",
                          help="exit 1 if out-of-scope honesty is below X (0 to 1)")
    evaluate.add_argument("--typos", action="store_true",
                          help="also ask every question with 1 and 2 random edits per long word")
    evaluate.add_argument("--seed", type=int, default=0, help="seed for --typos (default 0)")
    evaluate.add_argument("--leave-one-out", action="store_true",
                          help="also ask each knowledge-base example with it left out")
    evaluate.add_argument("--baselines", action="store_true",
                          help="also score plain rapidfuzz extractOne baselines")

    check = commands.add_parser("check", parents=[common], help="lint a knowledge base file")
    check.add_argument("file", nargs="?", type=Path, help="file to check (default: as --intents)")
    check.add_argument("--cross-validate", action="store_true",
                       help="also report leave-one-out accuracy and the worst confusions")
    return parser


def _fraction(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0.0 <= value <= 1.0:  # also refuses nan
        raise argparse.ArgumentTypeError(f"expected a number from 0 to 1, got {text!r}")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    args = create_parser().parse_args(argv)
    reads_stdin = args.command in (None, "chat") or getattr(args, "question", None) == ["-"]
    for name, stream, needed in (("output", sys.stdout, True), ("input", sys.stdin, reads_stdin)):
        if needed and stream is None:  # started with it closed, e.g. `prolo-bot ask hi >&-`
            if sys.stderr is not None:
                print(f"prolo-bot: standard {name} is closed", file=sys.stderr)
            return 2
    path = getattr(args, "intents", None) or Path(
        os.environ.get("PROLO_BOT_INTENTS") or default_path()
    )
    try:
        if args.command == "check":
            return _check(args.file or path, cross_validate=args.cross_validate)
        from prolo_bot.cache import load_engine

        engine = load_engine(path)
        if args.command == "ask":
            return _ask(engine, args.question, as_json=args.json)
        if args.command == "eval":
            return _eval(engine, args)
        return _chat(engine, history=not args.no_history,
                     color=not getattr(args, "no_color", False))
    except KnowledgeError as exc:
        extra = len(exc.problems) - 1
        more = f" (and {extra} more problem{'s' * (extra > 1)}; see `prolo-bot check`)"
        print(f"prolo-bot: {exc}{more if extra else ''}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # a reader like `head` closed the pipe: exit as a shell would
        sys.stderr.close()
        return 141


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


def _ask(engine: Engine, words: list[str], *, as_json: bool) -> int:
    from prolo_bot.conversation import Conversation
    from prolo_bot.render import plain

    questions = read_lines(sys.stdin.buffer) if words == ["-"] else [" ".join(words)]
    for question in questions:
        reply = Conversation(engine.kb, engine, interactive=False).reply(question)
        if as_json:
            import json

            _write(sys.stdout, json.dumps(_as_json(question, reply)))
        else:
            _write(sys.stdout, plain(reply).rstrip("\n"))
    return 0


def _as_json(question: str, reply: Reply) -> dict[str, object]:
    from prolo_bot.matcher import clean

    values = (
        clean(question),
        reply.intent if reply.kind == "answer" else None,
        round(reply.confidence, 4),
        reply.text,
        reply.source,
        reply.fallback,
        [s.question for s in reply.suggestions],
        reply.urgent,
    )
    return dict(zip(JSON_KEYS, values, strict=True))


def _chat(engine: Engine, *, history: bool, color: bool) -> int:
    from prolo_bot.conversation import Conversation

    conversation = Conversation(engine.kb, engine)
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


def _eval(engine: Engine, args: argparse.Namespace) -> int:
    from prolo_bot import curation, evaluate

    kb = engine.kb
    file = args.file or evaluate.default_path()
    data = evaluate.read(file)
    if "conversations" in data:
        return _eval_chats(engine, args, file, data)
    cases = evaluate.parse_cases(data, file)
    unknown = evaluate.unknown_intents(cases, kb)
    if unknown:
        print(f"prolo-bot: {file}: unknown intents: {', '.join(unknown)}", file=sys.stderr)
        return 2
    report = evaluate.run(kb, cases, engine)
    lines = evaluate.format_report(report)
    if args.typos:
        stressed = [evaluate.run(kb, evaluate.with_typos(cases, edits, args.seed), engine)
                    for edits in (1, 2)]
        lines += ["", *evaluate.format_typos(stressed, args.seed)]
    if args.leave_one_out:
        lines += ["", *curation.format_cross_validation(curation.cross_validate(kb))]
    if args.baselines and report.in_scope:
        rivals = evaluate.baselines(kb, cases, report.honesty)
        lines += ["", *evaluate.format_baselines(report, rivals)]
    elif args.baselines:  # the baselines compare accuracy
        lines += ["", "Baselines: no in-scope questions in this file to compare accuracy on."]
    print("\n".join(lines))
    return _below(args, (report.accuracy, bool(report.in_scope)),
                  (report.honesty, bool(report.out_of_scope)))


def _eval_chats(engine: Engine, args: argparse.Namespace, file: Path,
                data: dict[str, Any]) -> int:
    """`eval` on a file of scripted conversations: accuracy is over every turn."""
    from prolo_bot import chats, curation

    scripts = chats.parse(data, file)
    unknown = chats.unknown_topics(scripts, engine.kb)
    if unknown:
        print(f"prolo-bot: {file}: unknown topics: {', '.join(unknown)}", file=sys.stderr)
        return 2
    report = chats.run(engine.kb, scripts, engine)
    lines = chats.format_report(report, f"conversations in {file.name}")
    if args.typos:
        stressed = [chats.run(engine.kb, chats.with_typos(scripts, edits, args.seed), engine)
                    for edits in (1, 2)]
        lines += ["", *chats.summary(stressed, args.seed)]
    if args.leave_one_out:
        lines += ["", *curation.format_cross_validation(curation.cross_validate(engine.kb))]
    if args.baselines:
        lines += ["", "Baselines: they match single questions, not conversations."]
    print("\n".join(lines))
    oos = any(o.turn.topic == chats.OUT_OF_SCOPE for o in report.outcomes)
    return _below(args, (report.accuracy, True), (report.honesty, oos))


def _below(args: argparse.Namespace, accuracy: tuple[float, bool],
           honesty: tuple[float, bool]) -> int:
    """1 (after saying why) when a figure is below its --min-*, or there is none to measure."""
    failed = [
        f"{name} {value:.3f} is below {limit:.3f}" if measured else f"no {name} questions to "
        f"measure against --min-{name} {limit}"
        for name, (value, measured), limit in (
            ("accuracy", accuracy, args.min_accuracy), ("honesty", honesty, args.min_honesty))
        if limit and (value < limit or not measured)
    ]
    for line in failed:
        print(f"prolo-bot: {line}", file=sys.stderr)
    return 1 if failed else 0


def _check(path: Path, *, cross_validate: bool) -> int:
    from prolo_bot import curation

    try:
        kb = load(path)
    except KnowledgeError as exc:
        if not exc.schema:
            raise  # unreadable or not a knowledge base at all: exit 2
        print("\n".join(f"error: {line}" for line in exc.lines()))
        print(f"{len(exc.problems)} problem(s) in {path}")
        return 1
    findings = curation.duplicates(kb) + curation.hidden_by_dialogue(kb) + curation.shadowed(kb)
    for finding in findings:
        print(f"warning: {path}:{finding.line}: {finding.message}")
    if cross_validate:
        print("\n".join(curation.format_cross_validation(curation.cross_validate(kb))))
    examples = sum(len(i.examples) for i in kb.intents)
    print(f"{path}: {len(kb.intents)} intents, {examples} examples, "
          f"{len(findings)} finding{'s' * (len(findings) != 1)}")
    return 1 if findings else 0


def _write(stream: TextIO, text: str) -> None:
    stream.write(text + "\n")
    stream.flush()
