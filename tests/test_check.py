"""`prolo-bot check` and the one-line errors every command gives for a bad knowledge file."""

import os
import stat

import pytest

from prolo_bot import cli, knowledge

from .conftest import MINI, write_kb


def check(capsys, path, *args):
    status = cli.main(["check", str(path), *args])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_clean_file_exits_zero(capsys, mini_path):
    status, out, _ = check(capsys, mini_path)
    assert status == 0
    assert out.strip() == f"{mini_path}: 8 intents, 17 examples, 0 findings"


def test_shipped_knowledge_base_is_clean(capsys):
    status, out, _ = check(capsys, knowledge.default_path())
    assert status == 0 and "warning" not in out and " 0 findings" in out


# Files that cannot be read: one line on stderr, exit 2, for every command alike.
@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: None, "{p}: no such file"),
        (lambda p: p.mkdir(), "{p}: is a directory, not a file"),
        (lambda p: p.write_text("intents:\n  - name: [oops\n"),
         "{p}:3:1: YAML syntax error: did not find expected ',' or ']' while parsing a flow "
         "sequence"),
        (lambda p: p.write_text("\n\n"), "{p}: file is empty"),
        (lambda p: p.write_text("just a sentence\n"),
         "{p}:1:1: expected a mapping with an 'intents' list at the top, got text"),
        (lambda p: p.write_bytes(b"version: 1\n\xc3\x28\n"), "{p}:2: not valid UTF-8 (byte 0xc3)"),
        (lambda p: p.write_text("a: !!python/name:os.system\n"),
         "{p}:1:4: YAML syntax error: could not determine a constructor for the tag "
         "'tag:yaml.org,2002:python/name:os.system'"),
        (lambda p: p.write_bytes(b"#" * (knowledge.MAX_FILE_BYTES + 1)),
         "{p}: file is too large (2000001 bytes; limit 2000000)"),
    ],
    ids=["missing", "directory", "syntax", "empty", "shape", "utf8", "python-tag", "too-large"],
)
@pytest.mark.parametrize("command", [["check", "{p}"], ["--intents", "{p}", "ask", "hi"],
                                     ["--intents", "{p}", "eval"], ["--intents", "{p}"]])
def test_unreadable_files(tmp_path, capsys, make, message, command):
    path = tmp_path / "intents.yaml"
    make(path)
    assert cli.main([part.format(p=path) for part in command]) == 2
    captured = capsys.readouterr()
    assert captured.err == f"prolo-bot: {message.format(p=path)}\n"


def test_unreadable_permission(tmp_path, capsys, monkeypatch):
    path = write_kb(tmp_path)

    def refuse(self, *args):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(type(path), "open", refuse)
    assert cli.main(["check", str(path)]) == 2
    assert capsys.readouterr().err == f"prolo-bot: {path}: permission denied\n"


# Files that parse but break the schema: every problem listed with its line, exit 1.
def at(text, needle):
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


@pytest.mark.parametrize(
    ("old", "new", "where", "message"),
    [
        ("    answer: Infection is possible.", "    answr: Infection is possible.",
         ("answr:", 5), "unknown key 'answr' in intent 'risks' (expected one of: answer, "
         "ends_chat, examples, kind, more, name, related, source)"),
        ("    examples: [numb groin, lost bladder control]", "    examples: numb groin",
         ("examples: numb groin", 5),
         "intent 'urgent' 'examples' must be a non-empty list of text, got text"),
        ("    answer: A sugar solution or cod liver oil.", '    answer: ""',
         ('answer: ""', 5), "intent 'injected' 'answer' must be non-empty text, got empty"),
        ("    related: [definition]", "    related: [nowhere]",
         ("related: [nowhere]", 5), "intent 'injected': related intent 'nowhere' does not exist"),
        ("  - name: bruising", "  - name: swelling", ("name: swelling\n    kind: article\n    "
         "source: Tips\n    examples: [bruising", 5),
         "duplicate intent name 'swelling' (first defined on line {first})"),
        ("    source: Tips\n    examples: [swelling", "    examples: [swelling",
         ("name: swelling", 5), "intent 'swelling': an article intent needs a 'source' section"),
        ("    source: Intro", "    source: Introduction", ("source: Introduction", 5),
         "intent 'definition': source 'Introduction' is not one of the article's sections"),
        ("matching: {threshold: 0.5,", "matching: {threshold: 5,", ("threshold: 5", 12),
         "matching 'threshold' must be a number from 0.0 to 1.0"),
        ("  sections: [Intro, Procedure, Tips]", "  sections: []", ("sections: []", 3),
         "article 'sections' must be a non-empty list of text, got an empty list"),
        ("    source: Procedure", "    source: [Procedure]", ("source: [Procedure]", 5),
         "intent 'injected': 'source' must be a section heading, got a list"),
    ],
    ids=["unknown-key", "wrong-type", "empty-answer", "related", "duplicate-name",
         "no-source", "bad-source", "bad-threshold", "no-sections", "source-list"],
)
def test_schema_errors(tmp_path, capsys, old, new, where, message):
    assert old in MINI
    text = MINI.replace(old, new, 1)
    path = write_kb(tmp_path, text)
    needle, column = where
    if "\n" in needle:  # the second of two identical lines
        needle = needle.split("\n")[0]
        line = [n for n, t in enumerate(text.splitlines(), 1) if needle in t][1]
    else:
        line = at(text, needle)
    first = at(text, "name: swelling")
    status, out, _ = check(capsys, path)
    assert status == 1
    assert f"error: {path}:{line}:{column}: {message.format(first=first)}\n" in out, out
    assert out.endswith(f"problem(s) in {path}\n")


def test_duplicate_yaml_key_is_a_syntax_error(tmp_path, capsys):
    text = MINI.replace("    source: Procedure", "    kind: article", 1)
    path = write_kb(tmp_path, text)
    line = at(text, "name: injected") + 2
    status, _, err = check(capsys, path)
    assert status == 2
    assert err == f"prolo-bot: {path}:{line}:5: YAML syntax error: duplicate key 'kind'\n"


def test_duplicate_and_near_duplicate_examples_are_warnings(tmp_path, capsys):
    text = MINI.replace("examples: [bruising after the injection]",
                        "examples: [bruising after the injection, what do they inject]")
    text = text.replace("examples: [swelling after the injection]",
                        "examples: [swelling after the injection, what are the risk]")
    status, out, _ = check(capsys, write_kb(tmp_path, text))
    assert status == 1
    assert ("the same example in intents 'injected' and 'bruising': 'what do they inject'"
            in out)
    assert "near-duplicate examples" in out and "'risks' and 'swelling'" in out


def test_shadowed_and_unreachable_intents(tmp_path, capsys):
    text = MINI.replace("examples: [bruising after the injection]",
                        "examples: [what is in the jab]")  # the same words as 'injected'
    path = write_kb(tmp_path, text)
    line = at(text, "name: bruising")
    status, out, _ = check(capsys, path)
    assert status == 1
    lines = out.splitlines()
    assert (f"warning: {path}:{at(text, 'name: injected')}: example 'what is in the shot' of "
            "'injected' is too close to 'bruising' (would ask back)") in lines
    assert (f"warning: {path}:{line}: example 'what is in the jab' of 'bruising' is "
            "too close to 'injected' (would ask back)") in lines
    assert (f"warning: {path}:{line}: intent 'bruising' is unreachable: none of its examples "
            "reach it") in lines


def test_example_hidden_by_a_dialogue_phrase(tmp_path, capsys):
    path = write_kb(tmp_path, MINI.replace("more: [more, tell me more,",
                                           "more: [more, what do they inject, tell me more,"))
    status, out, _ = check(capsys, path)
    assert status == 1
    assert ("example 'what do they inject' of 'injected' is taken as a follow-up phrase from "
            "'dialogue', never as a question") in out


def test_an_example_hidden_by_an_optional_dialogue_list_is_reported(tmp_path, capsys):
    text = MINI.replace("  related: [what else]\n",
                        "  related: [what else]\n  doubt: [Infection risk?]\n")
    path = write_kb(tmp_path, text.replace("messages:\n", "messages:\n  doubt: I only repeat.\n"))
    status, out, _ = check(capsys, path)
    assert status == 1
    assert "example 'infection risk' of 'risks' is taken as a follow-up phrase" in out


def test_a_dialogue_list_needs_its_reply(tmp_path, capsys):
    path = write_kb(tmp_path, MINI.replace("  related: [what else]\n",
                                           "  related: [what else]\n  doubt: [are you sure]\n"))
    status, out, _ = check(capsys, path)
    assert status == 1 and "'messages' is missing required key 'doubt'" in out


def test_missing_section_is_one_problem(tmp_path, capsys):
    text = MINI.replace("dialogue:\n  more: [more, tell me more, go on, why]\n"
                        "  related: [what else]\n", "")
    assert text != MINI
    path = write_kb(tmp_path, text)
    status, out, _ = check(capsys, path)
    assert status == 1
    assert out == (f"error: {path}:2:1: the file is missing required key 'dialogue'\n"
                   f"1 problem(s) in {path}\n")
    assert cli.main(["--intents", str(path), "ask", "hi"]) == 2


def test_missing_examples(tmp_path, capsys):
    text = MINI.replace("    examples: [bye, goodbye]\n", "")
    path = write_kb(tmp_path, text)
    status, out, _ = check(capsys, path)
    assert status == 1
    assert out == (f"error: {path}:{at(text, 'name: goodbye')}:5: intent 'goodbye' is missing "
                   f"required key 'examples'\n1 problem(s) in {path}\n")


def test_a_device_is_not_a_knowledge_file(capsys):
    assert cli.main(["--intents", "/dev/zero", "ask", "hi"]) == 2
    assert capsys.readouterr().err == "prolo-bot: /dev/zero: is not a regular file\n"


@pytest.mark.parametrize(
    ("content", "message"),
    [("in_scope: 5\n", "{p}:1: 'in_scope' must be a list"),
     ("in_scope: []\nout_of_scope: []\n", "{p}: no questions to ask"),
     ("in_scope:\n  - {q: hello}\n", "{p}:2: each in_scope entry needs an 'intent'"),
     ("conversations: []\n", "{p}:1: 'conversations' must be a non-empty list"),
     ("conversations:\n  - {turns: [{say: hi}]}\n",
      "{p}:2: each turn needs a text 'say' and a 'topic'"),
     ("conversations:\n  - {turns: []}\n",
      "{p}:2: each conversation needs a non-empty 'turns' list")],
)
def test_bad_evaluation_files(tmp_path, capsys, content, message):
    path = tmp_path / "eval.yaml"
    path.write_text(content)
    assert cli.main(["eval", str(path)]) == 2
    assert capsys.readouterr().err == f"prolo-bot: {message.format(p=path)}\n"


def test_cross_validation_report(capsys, mini_path):
    status, out, _ = check(capsys, mini_path, "--cross-validate")
    assert status == 0
    lines = out.splitlines()
    # 7 of 17: with one to three examples an intent, an example left out leaves little for
    # the pooled view of its intent to go on.
    assert lines[0] == "Leave-one-out accuracy over the knowledge base's examples: 0.412"
    assert "  definition                       3/3    1.000" in lines
    assert "    1  swelling -> bruising" in lines


def test_history_file_mode(tmp_path):
    from prolo_bot import paths

    target = paths.private_file(tmp_path / "state" / "history")
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(target.parent).st_mode) == 0o700


def test_yaml_alias_bomb_is_reported_quickly_and_briefly(tmp_path, capsys):
    lines = ["a0: &l0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 9) + "]" for i in range(1, 10)]
    lines.append("intents:\n  - {name: x, kind: smalltalk, answer: hi, examples: *l9}")
    path = tmp_path / "bomb.yaml"
    path.write_text("\n".join(lines) + "\n")
    status, out, _ = check(capsys, path)
    assert status == 1 and len(out) < 5_000
    assert "intent 'x' 'examples' has an item that is not text: a list" in out


def test_an_urgent_example_the_chat_answers_first_is_reached(tmp_path, capsys):
    # Both read as (numb, groin, injection): a tie, which the chat settles by urgency.
    text = MINI.replace("examples: [numb groin, lost bladder control]",
                        "examples: [numb groin jab]").replace(
        "examples: [swelling after the injection]", "examples: [numb groin shot]")
    _, out, _ = check(capsys, write_kb(tmp_path, text))
    assert "of 'urgent'" not in out and "'urgent' is unreachable" not in out, out
    assert "example 'numb groin shot' of 'swelling' is answered by 'urgent'" in out


def test_a_vague_urgent_example_is_reported_as_vague_not_as_too_close(tmp_path, capsys):
    text = MINI.replace("examples: [numb groin, lost bladder control]",
                        "examples: [numb groin, lost bladder control, what injection]")
    _, out, _ = check(capsys, write_kb(tmp_path, text))
    # Typed word for word it is answered; in other words ("injection what") it is asked about.
    assert ("example 'what injection' of 'urgent' is too vague (would ask back, offering "
            "'urgent' first)") in out, out


def test_an_example_whose_words_tie_two_intents_is_reported_as_asking_back(tmp_path, capsys):
    text = MINI.replace("examples: [what are the risks, is it dangerous, infection risk]",
                        "examples: [what are the risks, is it dangerous, infection risk, "
                        "swelling shot]")
    _, out, _ = check(capsys, write_kb(tmp_path, text))
    assert ("example 'swelling shot' of 'risks' would ask back between 'swelling' and "
            "'risks'") in out, out
