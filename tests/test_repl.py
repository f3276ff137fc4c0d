"""The chat console in process: real prompt-toolkit, piped keystrokes, no terminal."""

import io
import os

import pytest
from prompt_toolkit.application import create_app_session
from prompt_toolkit.document import Document
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput
from prompt_toolkit.output.plain_text import PlainTextOutput

from prolo_bot import paths
from prolo_bot.conversation import Conversation
from prolo_bot.repl import Chat, ChatCompleter


def chat_with(kb, keys: str, *, history: bool = True):
    conversation = Conversation(kb)
    with create_pipe_input() as pipe, create_app_session(input=pipe, output=DummyOutput()):
        pipe.send_text(keys)
        status = Chat(conversation, history=history).run()
    return status, conversation


def screen_of(kb, keys: str) -> str:
    """What the chat prints, as plain text."""
    stream = io.StringIO()
    with create_pipe_input() as pipe, create_app_session(input=pipe,
                                                         output=PlainTextOutput(stream)):
        pipe.send_text(keys)
        Chat(Conversation(kb)).run()
    return stream.getvalue()


def asked(conversation):
    return [(question, reply.kind) for question, reply in conversation.state.turns]


def test_question_more_and_ctrl_d(mini):
    status, conversation = chat_with(mini, "what is prolotherapy\rmore\r\x04")
    assert status == 0
    assert asked(conversation) == [("what is prolotherapy", "answer"), ("more", "more"),
                                   ("/quit", "goodbye")]


def test_ctrl_c_clears_the_line_and_keeps_the_session(mini):
    status, conversation = chat_with(mini, "half a questi\x03what do they inject\r/quit\r")
    assert status == 0
    assert asked(conversation) == [("what do they inject", "answer"), ("/quit", "goodbye")]


def test_goodbye_ends_the_chat(mini):
    status, conversation = chat_with(mini, "bye\rwhat do they inject\r")
    assert status == 0 and asked(conversation) == [("bye", "answer")]


def test_history_file_is_private_and_records_questions(mini):
    chat_with(mini, "what do they inject\r\x04")
    history = paths.history_file()
    assert oct(os.stat(history).st_mode & 0o777) == "0o600"
    assert "what do they inject" in history.read_text()


def test_no_history_writes_nothing(mini):
    chat_with(mini, "what do they inject\r\x04", history=False)
    assert not paths.history_file().exists()


def test_unwritable_history_is_a_warning_not_a_crash(mini, monkeypatch, tmp_path):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    monkeypatch.setenv("XDG_STATE_HOME", str(blocker))
    status, conversation = chat_with(mini, "what do they inject\r\x04")
    assert status == 0 and asked(conversation)[0] == ("what do they inject", "answer")
    assert f"prolo-bot: history is off: cannot use {blocker}/prolo-bot/history" in screen_of(
        mini, "\x04")


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("/to", ["/topics"]),
        ("/q", ["/quit"]),
        ("they inj", ["What do they inject?"]),
        ("after", ["Bruising after the injection?", "Swelling after the injection?"]),
    ],
)
def test_tab_completes_commands_and_questions(mini, typed, expected):
    completer = ChatCompleter(["help", "topics", "quit"],
                              [i.question for i in mini.intents if i.kind == "article"])
    found = [c.text for c in completer.get_completions(Document(typed), None)]
    assert found == expected


def test_history_write_failure_is_reported_and_the_chat_goes_on(mini, monkeypatch):
    import prompt_toolkit.history

    def disk_full(self, string):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(prompt_toolkit.history.FileHistory, "store_string", disk_full)
    status, conversation = chat_with(mini, "what is prolotherapy\rmore\r\x04")
    assert status == 0
    assert asked(conversation) == [("what is prolotherapy", "answer"), ("more", "more"),
                                   ("/quit", "goodbye")]
    screen = screen_of(mini, "what is prolotherapy\rmore\r\x04")
    assert screen.count("history is off: cannot write") == 1  # said once, not every line
    assert "It uses natural irritants." in screen


def test_screen_shows_greeting_answer_source_and_suggestions(mini):
    screen = screen_of(mini, "what is prolotherapy\r\x04")
    assert "Welcome to the test bot." in screen
    assert "Prolotherapy is a test injection treatment." in screen
    assert "Source: Intro" in screen
    assert "1) What do they inject?" in screen
    assert screen.rstrip().endswith("Goodbye.")


def test_no_home_means_no_history_and_says_so(mini, monkeypatch):
    monkeypatch.setenv("HOME", "")
    monkeypatch.delenv("XDG_STATE_HOME")
    screen = screen_of(mini, "what do they inject\r\x04")
    assert "history is off: no home directory" in screen
    assert "sugar solution" in screen
