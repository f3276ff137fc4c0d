"""Measure prolo-bot's speed and memory, and print a table against its targets.

    python benchmarks/run.py            (after `make test` or `make chat` created .venv)

Everything is measured in this one run on this machine: whole-process cold starts against
`python -I -c pass`, the time to the first chat prompt in a pseudo-terminal, per-question
latency in process on the shipped knowledge base and on synthetic ones 10x and 100x its
size, peak memory of `ask`, and a plain rapidfuzz baseline for latency and accuracy.
"""

from __future__ import annotations

import compileall
import dataclasses
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rapidfuzz import fuzz, process, utils

from prolo_bot import evaluate
from prolo_bot.conversation import Conversation
from prolo_bot.knowledge import KnowledgeBase, default_path, load
from prolo_bot.matcher import Engine

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = shutil.which("prolo-bot", path=str(Path(sys.executable).parent)) or "prolo-bot"
RUNS = 9


def wall(command: list[str], env: dict[str, str] | None = None) -> tuple[float, int]:
    """Seconds and peak resident memory (KiB) of one run of a command."""
    start = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             env=env)
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"benchmark: {' '.join(command)} exited {child.returncode}")
    return elapsed, usage.ru_maxrss


def cold_start() -> dict[str, float]:
    """Median whole-process times (seconds) of `ask` and of what it cannot avoid, and its peak
    memory (KiB). The engine cache is warm unless the name says otherwise."""
    ask = [SCRIPT, "ask", "what is prolotherapy"]
    imports = [sys.executable, "-c", "import argparse, dataclasses, pathlib, re, rapidfuzz"]
    wall(ask)  # let the OS cache the files once, and fill the engine cache
    times: dict[str, list[float]] = {"python": [], "ask": [], "imports": [], "uncached": []}
    rss = 0
    for _ in range(RUNS):  # interleaved, so a noisy neighbour hurts every row alike
        times["python"].append(wall([sys.executable, "-I", "-c", "pass"])[0])
        elapsed, peak = wall(ask)
        times["ask"].append(elapsed)
        rss = max(rss, peak)
        times["imports"].append(wall(imports)[0])
        with tempfile.TemporaryDirectory() as empty:
            times["uncached"].append(wall(ask, {**os.environ, "XDG_CACHE_HOME": empty})[0])
    return {**{name: statistics.median(t) for name, t in times.items()}, "rss": rss}


def first_prompt(*commands: list[str]) -> list[float]:
    """Median seconds until each command shows the chat prompt in a pseudo-terminal; the
    commands take turns, so a noisy neighbour hurts each alike."""
    import pexpect

    times: list[list[float]] = [[] for _ in commands]
    for _ in range(RUNS):
        for command, samples in zip(commands, times, strict=True):
            env = {**os.environ, "TERM": "xterm", "PROMPT_TOOLKIT_NO_CPR": "1"}
            start = time.perf_counter()
            child = pexpect.spawn(command[0], command[1:], env=env, encoding="utf-8",
                                  dimensions=(24, 80), timeout=20)
            child.expect_exact("you >")
            samples.append(time.perf_counter() - start)
            child.sendcontrol("d")
            child.expect(pexpect.EOF)
            child.close()
    return [statistics.median(samples) for samples in times]


def latency(engine: Engine, questions: list[str], passes: int = 5) -> tuple[float, float]:
    for question in questions:  # warm-up: caches of typo corrections, stems
        engine.match(question)
    samples = []
    for _ in range(passes):
        for question in questions:
            start = time.perf_counter()
            engine.match(question)
            samples.append(time.perf_counter() - start)
    return spread(samples)


def spread(samples: list[float]) -> tuple[float, float]:
    """The median and the 99th percentile of `samples`."""
    samples = sorted(samples)
    return statistics.median(samples), samples[int(len(samples) * 0.99) - 1]


def turn_latency(engine: Engine, questions: list[str], passes: int = 5) -> tuple[float, float]:
    """Per reply when the questions are asked one after another in one chat: a line that
    leans on the one before is matched a second time, in its light."""
    samples = []
    for run in range(passes + 1):
        chat = Conversation(engine.kb, engine)
        times = []
        for question in questions:
            start = time.perf_counter()
            chat.reply(question)
            times.append(time.perf_counter() - start)
        if run:  # the first pass warms the caches
            samples += times
    return spread(samples)


def scaled(kb: KnowledgeBase, factor: int) -> KnowledgeBase:
    """The shipped knowledge base grown `factor` times: each copy of an intent gets shuffled
    examples plus a made-up topic word, as a curator's many new topics would."""
    rng = random.Random(factor)
    intents = list(kb.intents)
    for copy in range(1, factor):
        for intent in kb.intents:
            topic = "".join(rng.choice("bcdfgklmnprstvz") + rng.choice("aeiou") for _ in range(4))
            examples = []
            for example in intent.examples:
                words = example.split()
                rng.shuffle(words)
                examples.append(" ".join([topic, *words]))
            intents.append(dataclasses.replace(intent, name=f"{intent.name}_{copy}",
                                               examples=tuple(examples), related=()))
    return dataclasses.replace(kb, intents=tuple(intents),
                               by_name={i.name: i for i in intents})


def baseline(kb: KnowledgeBase, cases: tuple[evaluate.Case, ...]) -> tuple[float, float, float]:
    texts = [e for i in kb.intents for e in i.examples]
    questions = [c.question for c in cases]
    for question in questions:
        process.extractOne(question, texts, scorer=fuzz.WRatio,
                           processor=utils.default_process)
    samples = []
    for question in questions:
        start = time.perf_counter()
        process.extractOne(question, texts, scorer=fuzz.WRatio,
                           processor=utils.default_process)
        samples.append(time.perf_counter() - start)
    tuned = evaluate.baseline(kb, cases, "WRatio", fuzz.WRatio, 0.0)
    return (*spread(samples), tuned.accuracy)


def row(name: str, value: str, target: str = "", ok: bool | None = None) -> str:
    verdict = "" if ok is None else ("met" if ok else "MISSED")
    return f"| {name} | {value} | {target} | {verdict} |"


def main() -> int:
    started = time.perf_counter()
    kb = load(default_path())
    cases = evaluate.load_cases(evaluate.default_path())
    questions = [c.question for c in cases]
    # An installed package is byte-compiled by pip; an editable checkout may not be (and
    # PYTHONDONTWRITEBYTECODE keeps Python from doing it), so compile it as pip would.
    compileall.compile_dir(ROOT / "src", quiet=1)
    cold = cold_start()
    prompt, bare_prompt = first_prompt(
        [SCRIPT, "--no-history"],
        [sys.executable, "-c", "from prompt_toolkit import PromptSession; "
                               "PromptSession().prompt('you > ')"])
    engine = Engine(kb)
    report = evaluate.run(kb, cases, engine)
    median, p99 = latency(engine, questions)
    turn_median, turn_p99 = turn_latency(engine, questions)
    sizes = []
    for factor in (10, 100):
        big = scaled(kb, factor)
        start = time.perf_counter()
        big_engine = Engine(big)
        built = time.perf_counter() - start
        sizes.append((factor, sum(len(i.examples) for i in big.intents), built,
                      *latency(big_engine, questions, passes=1)))
    base_median, base_p99, base_accuracy = baseline(kb, cases)
    long_line = "what do they inject " * 50_000
    start = time.perf_counter()
    engine.match(long_line)
    long_time = time.perf_counter() - start

    examples = sum(len(i.examples) for i in kb.intents)
    print(f"prolo-bot benchmark: Python {platform.python_version()} on {platform.machine()}, "
          f"{os.cpu_count()} cores, {platform.platform()}")
    print(f"shipped knowledge base: {len(kb.intents)} intents, {examples} examples; "
          f"{len(questions)} questions from tests/data/eval.yaml\n")
    print("| measure | value | target | |")
    print("|---|---|---|---|")
    ask, bare = cold["ask"], cold["python"]
    print(row(f"cold `ask` (median of {RUNS})", f"{ask * 1000:.0f} ms = {ask / bare:.1f}x "
              f"`python -I -c pass` ({bare * 1000:.0f} ms)", "<= 3x", ask / bare <= 3))
    print(row("  floor: python importing argparse, dataclasses, pathlib, re, "
              "rapidfuzz", f"{cold['imports'] * 1000:.0f} ms = {cold['imports'] / bare:.1f}x"))
    print(row("  cold `ask`, empty engine cache (parse YAML, build the index)",
              f"{cold['uncached'] * 1000:.0f} ms = {cold['uncached'] / bare:.1f}x"))
    print(row(f"first chat prompt in a pty (median of {RUNS})", f"{prompt * 1000:.0f} ms",
              "<= 250 ms", prompt <= 0.25))
    print(row("  floor: a bare prompt-toolkit prompt in a pty",
              f"{bare_prompt * 1000:.0f} ms"))
    print(row("per question, shipped KB", f"median {median * 1e3:.3f} ms, p99 {p99 * 1e3:.3f} ms",
              "p99 <= 1 ms", p99 <= 0.001))
    print(row("  per reply, the same questions one after another in one chat",
              f"median {turn_median * 1e3:.3f} ms, p99 {turn_p99 * 1e3:.3f} ms"))
    for factor, count, built, big_median, big_p99 in sizes:
        target = "p99 <= 20 ms" if factor == 100 else ""
        print(row(f"per question, {factor}x KB ({count} examples, built in {built:.2f} s)",
                  f"median {big_median * 1e3:.3f} ms, p99 {big_p99 * 1e3:.3f} ms", target,
                  big_p99 <= 0.02 if factor == 100 else None))
    rss = cold["rss"] / 1024
    print(row("peak RSS of `ask`", f"{rss:.1f} MiB", "<= 50 MiB", rss <= 50))
    print(row("a 1 MB line, in process", f"{long_time * 1000:.1f} ms", "< 500 ms",
              long_time < 0.5))
    print(row("accuracy / honesty on eval.yaml", f"{report.accuracy:.3f} / {report.honesty:.3f}"))
    print(row("baseline extractOne + WRatio, shipped KB",
              f"median {base_median * 1e3:.3f} ms, p99 {base_p99 * 1e3:.3f} ms, "
              f"accuracy {base_accuracy:.3f} (best threshold)"))
    print(f"\nfinished in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
