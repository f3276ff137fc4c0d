from pathlib import Path

import pytest

from prolo_bot.knowledge import KnowledgeError, load

from .conftest import MINI, write_kb


def problems(path: Path) -> list[str]:
    with pytest.raises(KnowledgeError) as caught:
        load(path)
    return caught.value.lines()


def test_loads_intents_with_their_fields(mini):
    injected = mini.intent("injected")
    assert injected.kind == "article"
    assert injected.source == "Procedure"
    assert injected.related == ("definition",)
    assert injected.question == "What do they inject?"
    assert mini.intent("goodbye").ends_chat


def test_missing_file(tmp_path):
    assert problems(tmp_path / "nope.yaml") == [f"{tmp_path / 'nope.yaml'}: no such file"]


def test_directory(tmp_path):
    assert problems(tmp_path) == [f"{tmp_path}: is a directory, not a file"]


def test_empty_file(tmp_path):
    assert problems(write_kb(tmp_path, "  \n")) == [f"{tmp_path / 'intents.yaml'}: file is empty"]


def test_yaml_syntax_error_names_line_and_column(tmp_path):
    path = write_kb(tmp_path, "intents:\n  - name: a\n   bad: [\n")
    [line] = problems(path)
    assert line.startswith(f"{path}:3:") and "YAML syntax error" in line


def test_invalid_utf8(tmp_path):
    path = tmp_path / "intents.yaml"
    path.write_bytes(b"version: 1\nintents: \xff\n")
    assert problems(path) == [f"{path}:2: not valid UTF-8 (byte 0xff)"]


def test_wrong_shape(tmp_path):
    path = write_kb(tmp_path, "- just\n- a list\n")
    assert problems(path) == [
        f"{path}:1:1: expected a mapping with an 'intents' list at the top, got a list"
    ]


def test_unknown_key_points_at_its_line(tmp_path):
    text = MINI.replace("    answer: Infection is possible.", "    answr: Infection is possible.")
    path = write_kb(tmp_path, text)
    lines = problems(path)
    line_no = text.splitlines().index("    answr: Infection is possible.") + 1
    assert f"{path}:{line_no}:5: unknown key 'answr' in intent 'risks'" in lines[0]
    assert any("missing required key 'answer'" in line for line in lines)


def test_related_must_exist(tmp_path):
    path = write_kb(tmp_path, MINI.replace("related: [definition]", "related: [nowhere]"))
    assert any("related intent 'nowhere' does not exist" in line for line in problems(path))


def test_source_must_be_a_section(tmp_path):
    path = write_kb(tmp_path, MINI.replace("source: Procedure", "source: Procedures"))
    assert any("source 'Procedures' is not one of the article's sections" in line
               for line in problems(path))


def test_article_intent_needs_source_and_others_must_not_have_one(tmp_path):
    text = MINI.replace("    source: Procedure\n", "").replace(
        "    kind: uncovered\n", "    kind: uncovered\n    source: Tips\n")
    lines = problems(write_kb(tmp_path, text))
    assert any("'injected': an article intent needs a 'source'" in line for line in lines)
    assert any("'cost': only article intents have a 'source'" in line for line in lines)


def test_duplicate_intent_name(tmp_path):
    path = write_kb(tmp_path, MINI.replace("name: bruising", "name: swelling"))
    assert any("duplicate intent name 'swelling'" in line for line in problems(path))


def test_duplicate_key_is_a_syntax_error(tmp_path):
    text = MINI.replace("    answer: Goodbye.", "    answer: Goodbye.\n    answer: Again.")
    [line] = problems(write_kb(tmp_path, text))
    assert "duplicate key 'answer'" in line


def test_yaml_booleans_in_word_lists_get_a_hint(tmp_path):
    path = write_kb(tmp_path, MINI.replace("stopwords: [a,", "stopwords: [yes, a,"))
    assert any("quote words such as yes, no, on, off" in line for line in problems(path))


@pytest.mark.parametrize(("words", "problem"), [
    ("question_words: how", "vocabulary 'question_words' must be a non-empty list of text"),
    ("question_words: [how come, what]", "vocabulary 'question_words' has 'how come': one word"),
    ("question_words: [\"can't\", what]", "vocabulary 'question_words' has \"can't\": one word"),
])
def test_question_words_are_a_list_of_single_words(tmp_path, words, problem):
    path = write_kb(tmp_path, MINI.replace("question_words: [how, what, is, are]", words))
    line_no = MINI.splitlines().index("  question_words: [how, what, is, are]") + 1
    assert any(f":{line_no}:" in line and problem in line for line in problems(path))


def test_warning_signs_are_single_words(tmp_path):
    signs = "  lead_ins: [so, but]\n  warning_signs: [fever, stiff neck]\n"
    path = write_kb(tmp_path, MINI.replace("  lead_ins: [so, but]\n", signs))
    line_no = MINI.splitlines().index("  lead_ins: [so, but]") + 2
    problem = "vocabulary 'warning_signs' has 'stiff neck': one word"
    assert any(f":{line_no}:" in line and problem in line for line in problems(path))


def test_a_warning_sign_that_is_a_stop_word_is_refused(tmp_path):
    signs = "  lead_ins: [so, but]\n  warning_signs: [fever, it]\n"
    path = write_kb(tmp_path, MINI.replace("  lead_ins: [so, but]\n", signs))
    assert any("'warning_signs' has 'it', which is a stop word" in line
               for line in problems(path))


@pytest.mark.parametrize("key", ["history_signs", "local_signs"])
def test_history_and_local_signs_must_be_warning_signs(tmp_path, key):
    signs = f"  lead_ins: [so, but]\n  warning_signs: [fever]\n  {key}: [fall]\n"
    path = write_kb(tmp_path, MINI.replace("  lead_ins: [so, but]\n", signs))
    assert any(f"'{key}' has 'fall', which is not one of the 'warning_signs'" in line
               for line in problems(path))


def test_a_dialogue_phrase_in_two_lists_is_refused(tmp_path):
    path = write_kb(tmp_path, MINI.replace("  related: [what else]\n",
                                           "  related: [what else]\n  acknowledge: [ok, Go on!]\n"))
    assert any(f"{path}:" in line and "dialogue phrase 'Go on!' is in both 'more' and "
               "'acknowledge'" in line for line in problems(path))


def test_python_tags_are_refused(tmp_path):
    path = write_kb(tmp_path, "version: !!python/object/apply:os.system ['true']\n")
    [line] = problems(path)
    assert "YAML syntax error" in line and "python/object" in line


def test_shipped_knowledge_base_loads(shipped):
    article = [i for i in shipped.intents if i.kind == "article"]
    assert len(article) >= 21
    assert all(i.source in shipped.sections for i in article)
    assert all(len(i.examples) >= 8 for i in article)


def test_safety_threshold_is_optional_and_checked(tmp_path):
    without = MINI.replace("safety_threshold: 0.5, ", "")
    assert load(write_kb(tmp_path, without)).matching.safety_threshold == 0.5  # = threshold
    path = write_kb(tmp_path, MINI.replace("safety_threshold: 0.5", "safety_threshold: 2"))
    [line] = problems(path)
    assert line.startswith(f"{path}:") and "'safety_threshold' must be a number" in line
