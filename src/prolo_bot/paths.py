"""Where prolo-bot keeps its own files (XDG base directories)."""

from __future__ import annotations

import os
from pathlib import Path


def state_dir() -> Path:
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "prolo-bot"


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "prolo-bot"


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
