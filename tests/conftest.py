import os
import textwrap
from pathlib import Path

import pytest
from hypothesis import settings

from prolo_bot.knowledge import KnowledgeBase, default_path, load

ROOT = Path(__file__).resolve().parents[1]

# A small knowledge base, so engine and dialogue tests do not depend on the shipped wording.
MINI = """
version: 1
article:
  title: Test Article
  sections: [Intro, Procedure, Tips]
matching: {threshold: 0.5, margin: 0.05, safety_threshold: 0.5, safety_margin: 0.1}
vocabulary:
  synonyms:
    injection: [shot, jab, inject, injected]
    sugar: [dextrose, glucose]
    cost: [how much, price, expensive]
    prolotherapy: [prolo, this treatment]
  stopwords: [a, an, the, is, are, it, do, does, they, i, in, what, of, me, about]
  question_words: [how, what, is, are]
  lead_ins: [so, but]
dialogue:
  more: [more, tell me more, go on, why]
  related: [what else]
messages:
  welcome: Welcome to the test bot.
  help: Ask about the test article.
  fallback: The article does not cover that. Closest topics
  not_understood: I did not catch that.
  no_more: Nothing more on this.
  no_related: Nothing related.
  related_intro: Related topics
  clarify: Which did you mean?
  nothing_yet: Ask something first.
intents:
  - name: definition
    kind: article
    source: Intro
    examples: [what is prolotherapy, define prolotherapy, explain prolotherapy]
    answer: Prolotherapy is a test injection treatment.
    more: It uses natural irritants.
    related: [injected, risks]
  - name: injected
    kind: article
    source: Procedure
    examples: [what do they inject, what is in the shot, sugar injection]
    answer: A sugar solution or cod liver oil.
    related: [definition]
  - name: risks
    kind: article
    source: Tips
    examples: [what are the risks, is it dangerous, infection risk]
    answer: Infection is possible.
    more: Recovery often hurts.
  - name: swelling
    kind: article
    source: Tips
    examples: [swelling after the injection]
    answer: The article mentions swelling.
  - name: bruising
    kind: article
    source: Tips
    examples: [bruising after the injection]
    answer: The article mentions bruising.
  - name: cost
    kind: uncovered
    examples: [how much does it cost, price of prolotherapy]
    answer: The article does not say what it costs.
  - name: urgent
    kind: safety
    examples: [numb groin, lost bladder control]
    answer: Seek medical care promptly.
  - name: goodbye
    kind: smalltalk
    ends_chat: true
    examples: [bye, goodbye]
    answer: Goodbye.
"""


@pytest.fixture(autouse=True)
def private_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No test touches the real home, history or config."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    for name in ("XDG_STATE_HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"):
        monkeypatch.setenv(name, str(home / name.lower()))
    monkeypatch.delenv("PROLO_BOT_INTENTS", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    return home


def write_kb(tmp_path: Path, text: str = MINI, name: str = "intents.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


@pytest.fixture
def mini_path(tmp_path: Path) -> Path:
    return write_kb(tmp_path)


@pytest.fixture
def mini(mini_path: Path) -> KnowledgeBase:
    return load(mini_path)


@pytest.fixture(scope="session")
def shipped() -> KnowledgeBase:
    return load(default_path())


# CI runs the same property-test examples every time, so a landing never hangs on luck;
# local runs keep exploring new ones.
settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    settings.load_profile("ci")
