"""The installed `prolo-bot` in a real pseudo-terminal, driven like a person would."""

import os
import shutil
import sys
from pathlib import Path

import pytest

pexpect = pytest.importorskip("pexpect")

SCRIPT = shutil.which("prolo-bot", path=str(Path(sys.executable).parent))
PROMPT = "you > "


@pytest.fixture
def bot(private_home):
    assert SCRIPT, "prolo-bot is not installed next to this Python"
    env = {**os.environ, "HOME": str(private_home), "TERM": "xterm-256color",
           "PROMPT_TOOLKIT_NO_CPR": "1"}
    child = pexpect.spawn(SCRIPT, env=env, encoding="utf-8", dimensions=(30, 80), timeout=20)
    yield child
    child.close(force=True)


def test_a_real_chat_session(bot, private_home):
    bot.expect("not a doctor")  # the greeting says what the bot is
    bot.expect_exact(PROMPT)
    bot.sendline("what do they inject?")
    bot.expect("cod liver oil")
    bot.expect("Source:")
    bot.expect_exact(PROMPT)
    bot.sendline("more")
    bot.expect("irritat")
    bot.expect_exact(PROMPT)
    bot.send("a half typed line")
    bot.sendcontrol("c")  # clears the line, keeps the session
    bot.expect_exact(PROMPT)
    bot.sendline("is it painful")
    bot.expect("recovery")
    bot.expect_exact(PROMPT)
    bot.sendcontrol("d")
    bot.expect("Goodbye")
    bot.expect(pexpect.EOF)
    bot.close()
    assert bot.exitstatus == 0
    history = private_home / "xdg_state_home" / "prolo-bot" / "history"
    assert oct(history.stat().st_mode & 0o777) == "0o600"
    assert "what do they inject?" in history.read_text()
