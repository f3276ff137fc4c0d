import io
import json
import os
import random
import subprocess
import sys

import pytest

from prolo_bot import cli

KEYS = ["question", "intent", "confidence", "answer", "source", "fallback", "suggestions",
        "urgent"]


def run(*args, stdin=b"", env=None):
    """Run the real command in a subprocess, as a script or a person would."""
    return subprocess.run([sys.executable, "-m", "prolo_bot", *args], input=stdin,
                          capture_output=True, timeout=60, env=env)


def ask_json(capsys, *args):
    assert cli.main(["ask", "--json", *args]) == 0
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def test_ask_json_contract(capsys):
    [answer] = ask_json(capsys, "what do they inject?")
    assert list(answer) == KEYS
    assert answer["source"] and not answer["fallback"]
    assert "cod liver oil" in answer["answer"] or "sugar solution" in answer["answer"]
    assert 0 <= answer["confidence"] <= 1


def test_ask_json_names_the_urgent_advice_that_opens_an_answer(capsys):
    [story] = ask_json(capsys, "I fell off a ladder years ago. Does prolotherapy work?")
    [plain] = ask_json(capsys, "does prolotherapy work")
    assert (story["urgent"], story["intent"]) == ("urgent_symptoms", "effectiveness")
    assert story["answer"].endswith(plain["answer"]) and plain["urgent"] is None
    [alone] = ask_json(capsys, "fever and back pain")
    assert alone["intent"] == alone["urgent"] == "urgent_symptoms"


def test_ask_json_cost_claims_no_source(capsys):
    [answer] = ask_json(capsys, "how much does prolotherapy cost")
    assert answer["source"] is None


def test_ask_json_unknown_topic_is_a_fallback(capsys):
    [answer] = ask_json(capsys, "what's a good recipe for banana bread")
    assert answer["fallback"] and answer["intent"] is None and answer["source"] is None
    assert answer["suggestions"]


def test_ask_plain_prints_answer_and_source(capsys):
    assert cli.main(["ask", "what", "do", "they", "inject"]) == 0
    out = capsys.readouterr().out
    assert "cod liver oil" in out and "Source: Prolotherapy for Back Pain Procedure" in out


def test_ask_reads_stdin_line_by_line_in_order(capsys, monkeypatch):
    lines = b"what do they inject\n\nhow much does it cost\n\xff\xfe junk \x00\n"
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(lines)))
    answers = ask_json(capsys, "-")
    assert [a["question"] for a in answers] == [
        "what do they inject", "", "how much does it cost", "\ufffd\ufffd junk"]
    assert answers[0]["intent"] == "what_is_injected" and answers[2]["intent"] == "cost"
    assert all(list(a) == KEYS for a in answers)


def test_read_lines_bounds_a_huge_line():
    stream = io.BytesIO(b"x" * (cli.MAX_LINE_BYTES * 3) + b"\nnext\n")
    lines = list(cli.read_lines(stream))
    assert [len(lines[0]), lines[1]] == [cli.MAX_LINE_BYTES, "next"]


def test_pipe_chat_answers_follow_ups_and_exits_zero():
    result = run(stdin=b"what is prolotherapy\nmore\n")
    out = result.stdout.decode()
    assert result.returncode == 0, result.stderr
    assert "non-surgical" in out and "holistic" in out
    assert "\x1b" not in out  # no prompt decorations or colour in a pipe


def test_pipe_chat_survives_binary_junk_and_escapes():
    junk = bytes(range(256)) * 50 + b"\n\x1b]0;pwned\x07\x1b[2Jhello\n"
    result = run(stdin=junk)
    assert result.returncode == 0 and result.stderr == b""
    assert b"\x1b" not in result.stdout


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such file"),
        ("intents: [\n  - {name: x", "intents.yaml:2:3: YAML syntax error"),
        ("", "file is empty"),
        ("[1, 2]", "expected a mapping with an 'intents' list"),
    ],
)
def test_bad_knowledge_file_is_one_line_and_exit_2(tmp_path, content, message):
    path = tmp_path / "intents.yaml"
    if content is not None:
        path.write_text(content)
    for args in (["--intents", str(path), "ask", "hi"], ["ask", "--intents", str(path), "hi"],
                 ["--intents", str(path)]):
        result = run(*args)
        err = result.stderr.decode()
        assert result.returncode == 2
        assert err.count("\n") == 1 and message in err and "Traceback" not in err


def test_environment_variable_picks_the_knowledge_file(tmp_path):
    env = {"PROLO_BOT_INTENTS": str(tmp_path / "missing.yaml"), "PATH": ""}
    result = run("ask", "hi", env=env)
    assert result.returncode == 2 and b"missing.yaml: no such file" in result.stderr


def test_unknown_option_gets_usage():
    result = run("--frobnicate")
    assert result.returncode == 2 and b"usage: prolo-bot" in result.stderr


def test_eval_exits_non_zero_below_the_threshold(tmp_path, capsys):
    cases = tmp_path / "eval.yaml"
    cases.write_text("in_scope:\n  - {q: 'what do they inject', intent: what_is_injected}\n"
                     "  - {q: 'zzz qqq', intent: risks}\n"
                     "out_of_scope:\n  - {q: 'banana bread recipe'}\n")
    assert cli.main(["eval", str(cases), "--min-accuracy", "0.4"]) == 0
    assert "in-scope accuracy      0.500" in capsys.readouterr().out
    assert cli.main(["eval", str(cases), "--min-accuracy", "0.9"]) == 1
    assert "accuracy 0.500 is below 0.900" in capsys.readouterr().err


def test_ten_thousand_lines_and_random_bytes(tmp_path):
    lines = b"".join(b"question %d about the sugar shot\n" % i for i in range(10_000))
    result = run("ask", "--json", "-", stdin=lines)
    out = result.stdout.decode().splitlines()
    assert result.returncode == 0 and len(out) == 10_000
    assert json.loads(out[-1])["question"] == "question 9999 about the sugar shot"

    noise = bytes(random.Random(7).getrandbits(8) for _ in range(1_000_000))
    result = run("ask", "--json", "-", stdin=noise)
    assert result.returncode == 0 and result.stderr == b""
    out = result.stdout.decode().splitlines()
    assert len(out) == noise.count(b"\n") + (not noise.endswith(b"\n"))
    assert all(list(json.loads(line)) == KEYS for line in out)


def test_misspell_is_seeded_and_only_touches_long_words():
    from prolo_bot.evaluate import misspell

    text = "is the prolotherapy injection painful"
    once, again = misspell(text, 2, seed=3), misspell(text, 2, seed=3)
    assert once == again and once != text
    assert once.split()[:2] == ["is", "the"]
    assert misspell(text, 2, seed=4) != once


def eval_output(tmp_path, capsys, cases: str, *options: str) -> str:
    path = tmp_path / "eval.yaml"
    path.write_text(cases)
    assert cli.main(["eval", str(path), *options]) == 0
    return capsys.readouterr().out


def test_eval_of_out_of_scope_questions_only_reports_honesty_by_topic(tmp_path, capsys):
    out = eval_output(tmp_path, capsys, "out_of_scope:\n"
                      "  - {q: 'banana bread recipe', topic: unrelated}\n"
                      "  - {q: 'what do they inject', topic: related}\n", "--typos", "--baselines")
    assert "out-of-scope honesty   0.500" in out and "in-scope accuracy" not in out
    assert "By topic (out of scope):" in out
    assert "  related           1   0.000" in out and "  unrelated         1   1.000" in out
    assert "1 edit per long word: out-of-scope honesty" in out
    assert "Baselines: no in-scope questions" in out and "extractOne" not in out

    out = eval_output(tmp_path, capsys,
                      "in_scope:\n  - {q: 'what do they inject', intent: what_is_injected}\n")
    assert "in-scope accuracy" in out and "honesty" not in out and "By topic" not in out


def test_eval_stress_and_baseline_sections(tmp_path, capsys):
    out = eval_output(tmp_path, capsys, "in_scope:\n  - {q: 'what do they inject into the "
                      "ligament', intent: what_is_injected}\nout_of_scope:\n"
                      "  - {q: 'banana bread recipe'}\n", "--typos", "--baselines")
    assert "1 edit per long word: in-scope accuracy" in out
    assert "2 edits per long word: in-scope accuracy" in out
    assert "extractOne + fuzz.WRatio" in out and "extractOne + fuzz.token_set_ratio" in out


CHAT = """conversations:
  - style: casual
    turns:
      - {say: "what is the procedure like", topic: procedure}
      - {say: "who does it", topic: procedure}
      - {say: "where does it say that", topic: same}
      - {say: "how much is it", topic: out_of_scope}
      - {say: "ok", topic: smalltalk}
      - {say: "zzz qqq", topic: risks}
"""


def test_eval_of_conversations_scores_each_turn_in_its_chat(tmp_path, capsys):
    out = eval_output(tmp_path, capsys, CHAT, "--typos")
    assert "(1 conversations, 6 turns)" in out
    assert "turns answered right    0.833  (5/6)" in out
    assert "follow-up turns         0.800  (5)" in out
    assert "risks <- (fallback): 'zzz qqq'  ['ok']" in out  # the miss, with the turn before
    assert "1 edit per long word: turns answered right" in out


def test_eval_of_conversations_refuses_an_unknown_topic(tmp_path, capsys):
    path = tmp_path / "chats.yaml"
    path.write_text(CHAT.replace("topic: risks", "topic: riskz"))
    assert cli.main(["eval", str(path), "--min-accuracy", "0.9"]) == 2
    assert capsys.readouterr().err == f"prolo-bot: {path}: unknown topics: riskz\n"
    path.write_text(CHAT)
    assert cli.main(["eval", str(path), "--min-accuracy", "0.9"]) == 1


def test_eval_refuses_a_threshold_it_cannot_measure(tmp_path, capsys):
    cases = tmp_path / "eval.yaml"
    cases.write_text("out_of_scope:\n  - {q: 'banana bread recipe'}\n")
    assert cli.main(["eval", str(cases), "--min-accuracy", "0.9"]) == 1
    assert "no accuracy questions to measure against --min-accuracy 0.9" in capsys.readouterr().err


def test_storage_never_replaces_a_symlink_even_when_told_to(tmp_path):
    from prolo_bot import storage

    link = tmp_path / "link.md"
    link.symlink_to(tmp_path / "target.md")
    with pytest.raises(storage.StorageError, match="is not a regular file"):
        storage.write_text(link, "text", overwrite=True)
    assert link.is_symlink()


def test_answers_do_not_depend_on_the_hash_seed(tmp_path):
    """Sets iterate in an order that changes with PYTHONHASHSEED; answers must not."""
    questions = "\n".join(["the physio said a specialist does the injections, does it have to "
                           "be a trained doctor or can a technician do it hello there should i "
                           "be wary of a doctor offering prolo for spinal arthritis",
                           "My doctor wants to use prolo on my slipped disc. Should I trust him?",
                           "whats in the prolo injecion", "is it painful", "costs?"]).encode()
    outputs = set()
    for seed in "123456":
        env = {**os.environ, "PYTHONHASHSEED": seed, "XDG_CACHE_HOME": str(tmp_path / seed)}
        result = run("ask", "--json", "-", stdin=questions, env=env)
        assert result.returncode == 0, result.stderr
        outputs.add(result.stdout)
    assert len(outputs) == 1


@pytest.mark.parametrize(("redirect", "stream"), [("ask hi >&-", "output"),
                                                  ("ask --json - <&-", "input"),
                                                  ("<&-", "input")])
def test_a_closed_standard_stream_is_one_line_not_a_traceback(redirect, stream):
    result = subprocess.run(["bash", "-c", f'"{sys.executable}" -m prolo_bot {redirect}'],
                            capture_output=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr.decode() == f"prolo-bot: standard {stream} is closed\n"
