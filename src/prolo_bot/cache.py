"""The engine for a knowledge base file, reused from a cache while the file is unchanged.

Parsing YAML and indexing every example is most of a cold start; loading the pickled engine
takes a few milliseconds. A cache entry is named by a hash of the file's bytes, its path and
the code that built it, so any edit to either builds afresh. The cache only saves time: when
it cannot be read or written the engine is built as usual, and nothing is reported.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from pathlib import Path

from prolo_bot import __version__, knowledge, paths, storage
from prolo_bot.matcher import Engine

KEEP = 8  # entries kept; a curator's every edit makes a new one
MAX_ENTRY_BYTES = 50_000_000
# Code that decides what an engine holds: an edit to it (in a checkout) must not reuse old ones.
_BUILDERS = ("knowledge.py", "matcher.py", "cache.py")


def load_engine(path: Path) -> Engine:
    """The engine (and, as `engine.kb`, the knowledge base) for the file at `path`.

    Raises KnowledgeError, as `knowledge.load` does, when the file cannot be used.
    """
    data = knowledge.read_bytes(path)
    entry = paths.cache_dir() / f"engine-{_key(data, path)}.pickle"
    engine = _read(entry)
    if engine is None:
        engine = Engine(knowledge.load_bytes(data, path))
        _write(entry, engine)
    return engine


def _key(data: bytes, path: Path) -> str:
    code = Path(__file__).parent
    stamps = [(name, os.stat(code / name).st_mtime_ns) for name in _BUILDERS]
    salt = repr((__version__, pickle.HIGHEST_PROTOCOL, str(path), stamps)).encode()
    return hashlib.sha256(salt + data).hexdigest()[:32]


def _read(entry: Path) -> Engine | None:
    try:
        # Unpickling runs code named in the file: trust only a folder no one else can write.
        folder = entry.parent.stat()
        if folder.st_uid != os.getuid() or folder.st_mode & 0o022:
            return None
        engine = pickle.loads(knowledge.read_bytes(entry, MAX_ENTRY_BYTES))
    except Exception:  # a missing, stale or damaged entry is simply rebuilt
        return None
    return engine if isinstance(engine, Engine) else None


def _write(entry: Path, engine: Engine) -> None:
    try:
        entry.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        storage.write_bytes(entry, pickle.dumps(engine, pickle.HIGHEST_PROTOCOL))
        old = sorted(entry.parent.glob("engine-*.pickle"), key=lambda p: p.stat().st_mtime)
        for stale in old[:-KEEP]:
            stale.unlink()
    except (OSError, storage.StorageError, pickle.PicklingError):
        pass  # a read-only or full disk costs speed, not answers
