"""Where prolo-bot keeps its own files (XDG base directories)."""

from __future__ import annotations

import errno
import os
from pathlib import Path


def _base(variable: str, default: str) -> Path:
    """An XDG base directory: the variable if it is an absolute path (the specification says
    to ignore relative ones), else `default` in the home directory.

    Raises OSError when there is no home directory to fall back on.
    """
    value = os.environ.get(variable, "")
    if os.path.isabs(value):
        return Path(value)
    return _home() / default


def _home() -> Path:
    # An empty or relative HOME would put private files in "/" or the current folder.
    home = os.environ.get("HOME")
    if home is None:
        try:
            home = str(Path.home())  # from the password database
        except RuntimeError:
            home = ""
    if not os.path.isabs(home) or not os.path.isdir(home):
        raise OSError(errno.ENOENT, "no home directory")
    return Path(home)


def state_dir() -> Path:
    return _base("XDG_STATE_HOME", ".local/state") / "prolo-bot"


def cache_dir() -> Path:
    return _base("XDG_CACHE_HOME", ".cache") / "prolo-bot"


def history_file() -> Path:
    return state_dir() / "history"


def private_file(path: Path) -> Path:
    """Create `path` (and its folder) readable by the user alone: it holds health questions.

    Raises OSError when the location cannot be used.
    """
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.close(fd)
    os.chmod(path, 0o600)
    return path
