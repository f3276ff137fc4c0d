"""The engine for a knowledge base file, reused from a cache while the file is unchanged.

Parsing YAML and indexing every example is most of a cold start; loading the pickled engine
takes a few milliseconds. An entry holds the file's bytes and a stamp of the code that built
it, and is used only if both still match, so any edit to either builds afresh. The cache only
saves time: when it cannot be read or written the engine is built as usual, silently.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import zlib
from pathlib import Path

from prolo_bot import __version__, knowledge, paths, storage
from prolo_bot.matcher import Engine

KEEP = 8  # entries kept; a curator's every edit makes a new one
MAX_ENTRY_BYTES = 50_000_000
# Code that decides what an engine holds: an edit to it (in a checkout) must not reuse old ones.
_BUILDERS = ("knowledge.py", "matcher.py", "classifier.py", "spelling.py", "cache.py",
             "data/english-words.txt")


def load_engine(path: Path) -> Engine:
    """The engine (and, as `engine.kb`, the knowledge base) for the file at `path`.

    Raises KnowledgeError, as `knowledge.load` does, when the file cannot be used.
    """
    data = knowledge.read_bytes(path)
    try:
        code = Path(__file__).parent
        stamps = [os.stat(code / name).st_mtime_ns for name in _BUILDERS]
        folder = paths.cache_dir()
    except OSError:  # no home directory, or installed without sources: no cache
        return Engine(knowledge.load_bytes(data, path))
    stamp = repr((__version__, str(path), stamps))
    # The name only finds the entry (a checksum is enough, and cheaper to import than hashlib);
    # what makes it right is that its stored stamp and bytes are compared in full.
    entry = folder / f"engine-{zlib.crc32(data, zlib.crc32(stamp.encode())):08x}.pickle"
    engine = _read(entry, stamp, data)
    if engine is None:
        engine = Engine(knowledge.load_bytes(data, path))
        _write(entry, (stamp, data, engine))
    return engine


def _private(folder: Path) -> bool:
    """Unpickling runs code named in the file: use only a folder no one else can write to."""
    info = folder.stat()
    return info.st_uid == os.getuid() and not info.st_mode & 0o022


def _read(entry: Path, stamp: str, data: bytes) -> Engine | None:
    try:
        if not _private(entry.parent):
            return None
        stored_stamp, stored_data, engine = pickle.loads(knowledge.read_bytes(entry,
                                                                              MAX_ENTRY_BYTES))
        if stored_stamp != stamp or stored_data != data or not isinstance(engine, Engine):
            return None  # another file or other code: rebuilt, and the entry replaced
    except Exception:  # a missing or damaged entry is simply rebuilt
        return None
    with contextlib.suppress(OSError):  # a read-only cache still serves its entries
        os.utime(entry)  # pruning keeps the entries used last
    return engine


def _write(entry: Path, contents: tuple[str, bytes, Engine]) -> None:
    try:
        entry.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not _private(entry.parent):
            return  # it would never be read
        storage.write_bytes(entry, pickle.dumps(contents, pickle.HIGHEST_PROTOCOL),
                            overwrite=True)
        old = sorted(entry.parent.glob("engine-*.pickle"), key=lambda p: p.stat().st_mtime)
        for stale in old[:-KEEP]:
            stale.unlink()
    except (OSError, storage.StorageError, pickle.PicklingError, TypeError):
        pass  # a read-only or full disk costs speed, not answers
