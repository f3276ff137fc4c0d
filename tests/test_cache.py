"""The engine cache: a faster start, never a different or a failed answer."""

import os

import pytest

from prolo_bot import cache, cli

from .conftest import write_kb


def ask(capsys, path, question):
    assert cli.main(["ask", "--intents", str(path), question]) == 0
    out = capsys.readouterr()
    assert out.err == ""
    return out.out


def entries(home):
    return sorted((home / "xdg_cache_home" / "prolo-bot").glob("engine-*.pickle"))


def test_second_start_reuses_the_engine_and_answers_the_same(capsys, mini_path, private_home,
                                                            monkeypatch):
    first = ask(capsys, mini_path, "what do they inject")
    [entry] = entries(private_home)
    assert entry.stat().st_mode & 0o777 == 0o600
    assert entry.parent.stat().st_mode & 0o777 == 0o700
    monkeypatch.setattr(cache.knowledge, "load_bytes", lambda *args: pytest.fail("parsed again"))
    assert ask(capsys, mini_path, "what do they inject") == first
    assert entries(private_home) == [entry]


def test_an_edited_knowledge_base_is_not_answered_from_the_old_engine(capsys, tmp_path,
                                                                      mini_path, private_home):
    assert "sugar" in ask(capsys, mini_path, "what do they inject").lower()
    edited = mini_path.read_text().replace("A sugar solution or cod liver oil.",
                                           "Salty water, says this edit.")
    assert edited != mini_path.read_text()
    write_kb(tmp_path, edited)
    assert "Salty water" in ask(capsys, mini_path, "what do they inject")
    assert len(entries(private_home)) == 2


def test_a_damaged_entry_is_rebuilt(capsys, mini_path, private_home):
    first = ask(capsys, mini_path, "what do they inject")
    [entry] = entries(private_home)
    entry.write_bytes(b"\x80\x05not a pickle at all")
    assert ask(capsys, mini_path, "what do they inject") == first


def test_an_entry_in_a_folder_others_can_write_is_not_trusted(capsys, mini_path, private_home,
                                                             monkeypatch):
    first = ask(capsys, mini_path, "what do they inject")
    [entry] = entries(private_home)
    entry.parent.chmod(0o777)
    monkeypatch.setattr(cache.pickle, "loads", lambda data: pytest.fail("unpickled"))
    monkeypatch.setattr(cache.pickle, "dumps", lambda *args: pytest.fail("written"))
    assert ask(capsys, mini_path, "what do they inject") == first


def test_an_unwritable_cache_costs_nothing_but_time(capsys, mini_path, private_home):
    (private_home / "xdg_cache_home").write_text("a file where the folder should be")
    first = ask(capsys, mini_path, "what do they inject")
    assert "sugar" in first.lower()
    assert ask(capsys, mini_path, "what do they inject") == first


def test_old_entries_are_pruned(capsys, tmp_path, private_home):
    for n in range(cache.KEEP + 3):
        path = write_kb(tmp_path, name=f"kb{n}.yaml")
        ask(capsys, path, "what do they inject")
        os.utime(entries(private_home)[-1], ns=(n * 10**9, n * 10**9))  # oldest first
    assert len(entries(private_home)) == cache.KEEP


def test_a_broken_knowledge_base_is_reported_even_with_a_cache(capsys, mini_path):
    ask(capsys, mini_path, "what do they inject")
    mini_path.write_text("intents: [oops")
    assert cli.main(["ask", "--intents", str(mini_path), "hi"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"prolo-bot: {mini_path}:") and "YAML syntax error" in err


def test_an_entry_found_under_the_wrong_name_is_not_used(capsys, tmp_path, private_home):
    sugar = write_kb(tmp_path, name="sugar.yaml")
    salt = write_kb(tmp_path, sugar.read_text().replace("A sugar solution or cod liver oil.",
                                                        "Salty water, says this edit."),
                    name="salt.yaml")
    ask(capsys, sugar, "what do they inject")
    [sugar_entry] = entries(private_home)
    assert "Salty" in ask(capsys, salt, "what do they inject")
    [salt_entry] = [e for e in entries(private_home) if e != sugar_entry]
    salt_entry.write_bytes(sugar_entry.read_bytes())  # as if the two names collided
    assert "Salty" in ask(capsys, salt, "what do they inject")


@pytest.mark.parametrize("home", ["", "relative/home"])
def test_no_usable_home_means_no_cache_not_an_error(capsys, mini_path, monkeypatch, tmp_path,
                                                    home):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", home)
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/cache")  # ignored, as XDG says
    written = []
    monkeypatch.setattr(cache, "_write", lambda entry, contents: written.append(entry))
    assert "sugar" in ask(capsys, mini_path, "what do they inject").lower()
    assert written == []


def test_no_home_at_all_means_no_cache_not_an_error(capsys, mini_path, monkeypatch):
    def homeless():
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setattr(cache.paths.Path, "home", homeless)
    assert "sugar" in ask(capsys, mini_path, "what do they inject").lower()


def test_the_entry_used_last_survives_pruning(capsys, tmp_path, private_home, monkeypatch):
    shipped = write_kb(tmp_path, name="kept.yaml")
    ask(capsys, shipped, "what do they inject")
    parsed = []
    load_bytes = cache.knowledge.load_bytes
    monkeypatch.setattr(cache.knowledge, "load_bytes",
                        lambda data, path: parsed.append(path) or load_bytes(data, path))
    for n in range(cache.KEEP + 2):
        ask(capsys, write_kb(tmp_path, name=f"kb{n}.yaml"), "what do they inject")
        ask(capsys, shipped, "what do they inject")  # in daily use while others come and go
    assert shipped not in parsed and len(parsed) == cache.KEEP + 2


@pytest.mark.parametrize("home", ["", "relative", "/no/such/home"])
def test_a_home_that_is_not_a_folder_is_not_used(monkeypatch, home):
    monkeypatch.setenv("HOME", home)
    monkeypatch.delenv("XDG_CACHE_HOME")
    with pytest.raises(OSError):
        cache.paths.cache_dir()


def test_an_absolute_xdg_folder_is_used_and_a_relative_one_ignored(monkeypatch, tmp_path,
                                                                   private_home):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "elsewhere"))
    assert cache.paths.cache_dir() == tmp_path / "elsewhere" / "prolo-bot"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative")
    assert cache.paths.cache_dir() == private_home / ".cache" / "prolo-bot"


def test_a_read_only_cache_still_serves_its_entries(capsys, mini_path, monkeypatch):
    first = ask(capsys, mini_path, "what do they inject")

    def read_only(*args, **kwargs):
        raise PermissionError(13, "Read-only file system")

    monkeypatch.setattr(cache.os, "utime", read_only)
    monkeypatch.setattr(cache.knowledge, "load_bytes", lambda *args: pytest.fail("parsed again"))
    assert ask(capsys, mini_path, "what do they inject") == first
