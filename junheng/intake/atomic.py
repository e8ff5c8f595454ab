"""Replacing a dataset folder all at once, so an interrupted import never leaves half a dataset.

The new dataset is written into a hidden staging folder beside the target and then exchanged with
the target in one step (Linux `renameat2(RENAME_EXCHANGE)`); where that call is unavailable, the
target is renamed aside and the staging folder renamed into place, and a later run restores the
aside copy if the process died in between. A lock file keeps two imports into one folder apart.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def _libc_renameat2() -> ctypes._CFuncPtr | None:  # type: ignore[name-defined]
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        function = libc.renameat2
    except (OSError, AttributeError):
        return None
    function.argtypes = [
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_uint,
    ]
    function.restype = ctypes.c_int
    return function


_RENAMEAT2 = _libc_renameat2()


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically; False when the system cannot (then nothing happened)."""
    if _RENAMEAT2 is None:
        return False
    result = _RENAMEAT2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(b))


def _fsync_tree(folder: Path) -> None:
    for path in folder.rglob("*"):
        if path.is_file():
            with path.open("rb") as handle:
                os.fsync(handle.fileno())
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _aside(target: Path) -> Path:
    return target.with_name(f".{target.name}.previous")


def _staging_prefix(target: Path) -> str:
    return f".{target.name}.incoming-"


def recover(target: Path) -> None:
    """Undo what a process killed mid-replacement left behind: restore the previous folder if
    the target is missing, and remove abandoned staging folders."""
    aside = _aside(target)
    if aside.exists():
        if target.exists():
            shutil.rmtree(aside)
        else:
            os.rename(aside, target)
    if target.parent.exists():
        for stale in target.parent.glob(_staging_prefix(target) + "*"):
            shutil.rmtree(stale, ignore_errors=True)


@contextlib.contextmanager
def locked(target: Path) -> Iterator[None]:
    """Exclusive lock for writing `target` (held until the block ends or the process dies)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    lock_path = target.with_name(f".{target.name}.lock")
    with lock_path.open("a") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def staging_folder(target: Path) -> Path:
    """A new empty folder beside `target` (same file system, so it can be renamed into place)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    folder = target.with_name(f"{_staging_prefix(target)}{os.getpid()}-{uuid.uuid4().hex[:8]}")
    folder.mkdir()
    return folder


def replace_folder(staged: Path, target: Path) -> None:
    """Make `staged` the new `target` in one step; the old content is removed afterwards."""
    _fsync_tree(staged)
    if not target.exists():
        os.rename(staged, target)
    elif _exchange(staged, target):
        shutil.rmtree(staged)
    else:
        aside = _aside(target)
        os.rename(target, aside)
        os.rename(staged, target)
        shutil.rmtree(aside)
    fd = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
