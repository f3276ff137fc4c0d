"""Writing files the reader asked for: atomically, and never over a file without consent."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path


class StorageError(Exception):
    """A file could not be written; the message says why in plain words."""


def refuse_special(path: Path) -> None:
    """Raise StorageError if `path` is something other than a regular file or nothing: a
    device, folder or symlink is never replaced by a transcript."""
    if path.is_symlink() or (path.exists() and not path.is_file()):
        raise StorageError(f"{path} is not a regular file")


def write_text(path: Path, text: str, *, overwrite: bool = False) -> None:
    """Write `text` to `path` as UTF-8; see `write_bytes`."""
    write_bytes(path, text.encode("utf-8"), overwrite=overwrite)


def write_bytes(path: Path, data: bytes, *, overwrite: bool = False) -> None:
    """Write `data` to `path` via a temporary file, so a crash never leaves half a file.

    Without `overwrite`, an existing file is left alone and StorageError is raised, even if
    it appeared after the caller last looked. The file is private to the user (mode 0600),
    as transcripts hold health questions.
    """
    if overwrite:
        refuse_special(path)
    import tempfile  # only writers need it; a start that reads its cache does not

    directory = path.parent if str(path.parent) else Path(".")
    try:
        fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise StorageError(f"cannot write in {directory}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if overwrite:
            os.replace(temporary, path)
        else:
            os.link(temporary, path)  # fails if the name exists: no silent overwrite
    except FileExistsError:
        raise StorageError(f"{path} already exists") from None
    except OSError as exc:
        raise StorageError(f"cannot write {path}: {exc.strerror or exc}") from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
