"""Writing so that a reader sees the old version or the new one, never half of one: a file
(``write_atomic``) or a whole output folder (``replacing_folder``).

A folder is replaced by writing the new one beside it (``.<name>-new-*``) and exchanging
the two in one step with Linux's ``renameat2(RENAME_EXCHANGE)``: at every instant the
folder's name holds the old folder or the new one, whole. Where the exchange is not
available (another OS, a file system without it) the swap falls back to two renames,
and a run killed between them leaves the old folder as ``.<name>-old-*``, which the
next run puts back before anything else. A stable symlink to a generation folder was the
other candidate; it was not chosen because ``out`` would no longer be a plain folder
(copying, zipping or serving it follows or breaks on the link) and outputs of earlier
versions could not be swapped to it in one step.

Only one run at a time may replace a folder: a lock file ``.<name>.lock`` beside it,
held with ``flock`` for the whole run, makes a second run fail at once. A killed run's
lock is released by the kernel; its temporary folders are removed by the next run.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import secrets
import shutil
import tempfile
from pathlib import Path
from typing import Iterator, Optional, Union

from kg.core.errors import BuildError

try:
    import fcntl
except ImportError:  # not POSIX: no lock (documented in docs/outputs.md)
    fcntl = None


def write_atomic(path: Union[str, Path], text: str) -> Path:
    """Write ``text`` (UTF-8, ``\\n`` line ends) to ``path`` through a temporary file in the same
    folder, renamed over ``path`` only when complete; on any failure the old file is left.

    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> write_atomic(d / "a" / "x.txt", "一\\n").read_text(encoding="utf-8")
    '一\\n'
    >>> sorted(p.name for p in (d / "a").iterdir())
    ['x.txt']
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100
_renameat2 = None


def exchange(a: Union[str, Path], b: Union[str, Path]) -> bool:
    """Swap the two existing paths ``a`` and ``b`` in one step; False (nothing done) where the
    system cannot (not Linux, a C library without ``renameat2``, a file system without it)."""
    global _renameat2
    if _renameat2 is None:
        try:
            _renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
            _renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
        except (AttributeError, OSError):
            _renameat2 = False
    if not _renameat2:
        return False
    if _renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(err, os.strerror(err), str(b))


def lock_path(out: Path) -> Path:
    return out.parent / f".{out.name}.lock"


class FolderLock:
    """An exclusive ``flock`` on ``.<name>.lock`` beside ``out``, taken without waiting.

    The lock file is removed on release; a run that finds the file it locked already
    replaced (removed by the previous holder in between) locks the new one instead.
    """

    def __init__(self, out: Path):
        self.path, self.fd = lock_path(out), None
        if fcntl is None:
            return
        for _ in range(20):  # each retry means another run released the lock meanwhile
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as e:
                holder = os.read(fd, 32).decode("ascii", "replace").strip()
                os.close(fd)
                if e.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
                who = f" (pid {holder})" if holder.isdigit() else ""
                raise BuildError(
                    f"{out}: another kg run is writing this folder{who}; wait for it to end or choose another --out"
                ) from None
            try:
                same = os.path.samestat(os.fstat(fd), os.stat(self.path))
            except FileNotFoundError:
                same = False
            if same:
                os.ftruncate(fd, 0)
                os.write(fd, f"{os.getpid()}\n".encode())
                self.fd = fd
                return
            os.close(fd)
        raise BuildError(f"{out}: could not lock {self.path.name} (other runs keep taking it)")

    def release(self) -> None:
        if self.fd is not None:
            self.path.unlink(missing_ok=True)  # while still held: no other run has it open and locked
            os.close(self.fd)
            self.fd = None


def leftovers(out: Path) -> list[Path]:
    """Temporary folders of earlier runs beside ``out`` (``.<name>-new-*``, ``.<name>-old-*``)."""
    if not out.parent.is_dir():
        return []
    prefixes = (f".{out.name}-new-", f".{out.name}-old-")
    return sorted(p for p in out.parent.iterdir() if p.name.startswith(prefixes) and p.is_dir())


def _recover(out: Path) -> None:
    """Put back the folder a run using the two-rename fallback moved away and was killed
    before it put the new one in place; then remove every other leftover."""
    if not os.path.lexists(out):
        moved = [p for p in leftovers(out) if p.name.startswith(f".{out.name}-old-")]
        if moved:
            os.rename(max(moved, key=lambda p: p.stat().st_mtime), out)
    for p in leftovers(out):
        shutil.rmtree(p, ignore_errors=True)


def _sync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def swap_in(new: Path, out: Path) -> Optional[Path]:
    """Put the complete folder ``new`` in the place of ``out`` in one step; returns where the
    old folder now is (to be removed), or None when there was none."""
    if not os.path.lexists(out):
        os.rename(new, out)
        _sync_dir(out.parent)
        return None
    if exchange(new, out):
        _sync_dir(out.parent)
        return new
    old = Path(tempfile.mkdtemp(prefix=f".{out.name}-old-", dir=out.parent))
    os.rmdir(old)
    os.rename(out, old)
    try:
        os.rename(new, out)
    except OSError:
        os.rename(old, out)
        raise
    _sync_dir(out.parent)
    return old


def _new_folder(out: Path) -> Path:
    """An empty folder beside ``out``, made with the user's umask (unlike ``mkdtemp``'s
    0700, which would make the swapped-in outputs private)."""
    for _ in range(100):
        new = out.parent / f".{out.name}-new-{secrets.token_hex(4)}"
        try:
            new.mkdir()
            return new
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no free temporary name", str(out.parent))


@contextlib.contextmanager
def replacing_folder(out: Union[str, Path], what: str = "outputs") -> Iterator[Path]:
    """Lock ``out``, remove what killed runs left beside it, and give a new empty folder
    beside it to write into; when the block ends without error the new folder replaces
    ``out`` whole, in one step (anything the old folder held and the new one does not is
    gone). On an error ``out`` is left as it was and the new folder removed; an OSError
    (a full disk) becomes one BuildError line saying so (``out`` was left as it was). A second run into
    the same ``out`` meanwhile raises BuildError at once.
    """
    out = Path(out)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise BuildError(f"{out.parent}: cannot create the folder ({e.strerror or e})") from None
    lock = FolderLock(out)
    new = None
    try:
        try:
            _recover(out)
            new = _new_folder(out)
            yield new
            new = swap_in(new, out)
        except OSError as e:
            kept = f"{out} was left as it was" if os.path.lexists(out) else f"{out} was not created"
            raise BuildError(f"{out}: could not write the {what} ({e.strerror or e}); {kept}") from None
    finally:
        if new is not None:
            shutil.rmtree(new, ignore_errors=True)
        lock.release()
