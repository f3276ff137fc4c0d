"""The engine for a knowledge base file, reused from a cache while the file is unchanged.

Parsing YAML and indexing every example is most of a cold start; loading the pickled engine
takes a few milliseconds. An entry holds the file's bytes and a stamp of the code that built
it, and is used only if both still match, so any edit to either builds afresh. The cache only
saves time: when it cannot be read or written the engine is built as usual, silently.
"""

from __future__ import annotations

import os
import pickle
import zlib
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
    code = Path(__file__).parent
    stamp = repr((__version__, str(path), [os.stat(code / n).st_mtime_ns for n in _BUILDERS]))
    # The name only finds the entry (a checksum is enough, and cheaper to import than hashlib);
    # what makes it right is that its stored stamp and bytes are compared in full.
    name = zlib.crc32(data, zlib.crc32(stamp.encode()))
    entry = paths.cache_dir() / f"engine-{name:08x}.pickle"
    engine = _read(entry, stamp, data)
    if engine is None:
        engine = Engine(knowledge.load_bytes(data, path))
        _write(entry, (stamp, data, engine))
    return engine


def _read(entry: Path, stamp: str, data: bytes) -> Engine | None:
    try:
        # Unpickling runs code named in the file: trust only a folder no one else can write.
        folder = entry.parent.stat()
        if folder.st_uid != os.getuid() or folder.st_mode & 0o022:
            return None
        stored_stamp, stored_data, engine = pickle.loads(knowledge.read_bytes(entry,
                                                                              MAX_ENTRY_BYTES))
    except Exception:  # a missing or damaged entry is simply rebuilt
        return None
    if stored_stamp != stamp or stored_data != data or not isinstance(engine, Engine):
        return None  # another file or other code: rebuilt, and the entry replaced
    return engine


def _write(entry: Path, contents: tuple[str, bytes, Engine]) -> None:
    try:
        entry.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        storage.write_bytes(entry, pickle.dumps(contents, pickle.HIGHEST_PROTOCOL),
                            overwrite=True)
        old = sorted(entry.parent.glob("engine-*.pickle"), key=lambda p: p.stat().st_mtime)
        for stale in old[:-KEEP]:
            stale.unlink()
    except (OSError, storage.StorageError, pickle.PicklingError):
        pass  # a read-only or full disk costs speed, not answers
