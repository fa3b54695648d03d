"""Bytes to a file that readers see whole or not at all: the one atomic writer.

Everything musicplan writes (compiled JSON, formatted songs, audio, sidecars)
goes to a hidden temporary file beside its target, is flushed to disk, and
only then takes the target's name. The target is looked at first, because a
rename is blind: a device, FIFO or socket (``/dev/null``, ``/dev/stdout``) is
written to directly, never replaced; a symbolic link is written through to the
file it points at; a file with several hard links is rewritten in place so the
links stay one file; a replaced file keeps its mode, owner and group; a
read-only file is refused. Every error names the path the user gave, never the
hidden temporary file.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator

TYPE_CHECKING = False  # as typing's: true for type checkers (pathlib is imported where a file is written)
if TYPE_CHECKING:
    import contextlib
    from pathlib import Path

NAME_MAX_DEFAULT = 255  # bytes in one path component on the common file systems
_TEMP_NAME_CHARS = 32  # of the target's name in its temporary file's (the rest is random)


class OutputError(OSError):
    """A file could not be written. ``filename`` is the path the user gave and
    ``strerror`` says why, so ``f"cannot write {e.filename}: {e.strerror}"`` reads well."""

    def __init__(self, path: str | Path, reason: str, code: int = errno.EIO) -> None:
        super().__init__(code, reason, str(path))

    def __str__(self) -> str:
        return f"cannot write {self.filename}: {self.strerror}"


class FileChanged(OutputError):
    """The file changed on disk after it was read: replacing it would lose that edit."""


def default_mode() -> int:
    """The mode a new file gets under the current umask."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def name_max(folder: Path) -> int:
    """The longest file name, in bytes, the file system holding ``folder`` allows."""
    try:
        return os.pathconf(folder, "PC_NAME_MAX")
    except (OSError, ValueError):
        return NAME_MAX_DEFAULT


def check_name(path: str | Path, shown: str | Path | None = None) -> None:
    """Refuse a file name longer than its file system allows (counted in bytes, as the system counts)."""
    from pathlib import Path

    path = Path(path)
    size = len(os.fsencode(path.name))
    limit = name_max(path.parent if str(path.parent) else Path("."))
    if size > limit:
        raise OutputError(shown or path, f"the file name is too long ({size} bytes; the file system allows "
                                         f"{limit})", errno.ENAMETOOLONG)


def _stat(path: str | Path) -> os.stat_result | None:
    try:
        return os.stat(path)
    except (OSError, ValueError):  # missing, a name too long, a loop, a NUL: nothing usable is there
        return None


def exists(path: str | Path) -> bool:
    """Whether something is at ``path`` (through links); never raises, as ``Path.exists`` can."""
    return _stat(path) is not None


def is_folder(path: str | Path) -> bool:
    found = _stat(path)
    return found is not None and stat.S_ISDIR(found.st_mode)


def is_file(path: str | Path) -> bool:
    found = _stat(path)
    return found is not None and stat.S_ISREG(found.st_mode)


def _reason(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a device"


def _open_direct(path: Path, shown: Path, mode: int) -> int:
    # O_NONBLOCK: a FIFO nobody reads refuses at once (ENXIO) instead of hanging.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except OSError as exc:
        if exc.errno == errno.ENXIO:
            what = "a FIFO that nothing reads" if stat.S_ISFIFO(mode) else f"{_kind(mode)} that takes no writing"
            raise OutputError(shown, f"it is {what}", exc.errno) from None
        raise OutputError(shown, _reason(exc), exc.errno or errno.EIO) from None
    os.set_blocking(fd, True)
    return fd


def _signals_held() -> contextlib.AbstractContextManager[None]:
    """``_holding_signals`` as a context manager (contextlib is imported here:
    `check` imports this module and never writes)."""
    import contextlib

    return contextlib.contextmanager(_holding_signals)()


def _holding_signals() -> Iterator[None]:
    """SIGINT and SIGTERM held back for the duration, then acted on as they would
    have been. They are deferred where Python handles them, on the main thread: a
    signal mask is per thread, and the kernel hands a process's signal to any
    other thread that does not block it, so a mask alone holds nothing once a
    second thread exists."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []

    def defer(signum: int, frame: object) -> None:
        caught.append(signum)

    previous = {signum: signal.signal(signum, defer) for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        for number in dict.fromkeys(caught):
            then = previous[signal.Signals(number)]
            if callable(then):
                then(number, None)  # e.g. KeyboardInterrupt, or the command's own SIGTERM handler
            elif then != signal.SIG_IGN:
                os.kill(os.getpid(), number)  # the default action, now that the file is whole


class AtomicFile:
    """Bytes go to a hidden temporary file beside ``target``; ``commit`` flushes
    it to disk and moves it into place, ``abort`` removes it (or keeps it as
    ``TARGET.part`` when asked), so ``target`` only ever holds a whole file.

    Without ``force`` an existing target is never replaced. With ``expect``
    (the bytes the target held when it was read) the target is replaced only
    if it still holds them. With ``regular_only`` a target that is not a
    regular file is refused; otherwise such a target (a device, a FIFO) is
    written to directly, as a shell's ``>`` would."""

    def __init__(self, target: str | Path, *, force: bool = False, keep_partial: bool = False,
                 expect: bytes | None = None, regular_only: bool = False) -> None:
        from pathlib import Path

        self.target = Path(target)  # as the user gave it: every message names this
        self.force = force
        self.keep_partial = keep_partial
        self.expect = expect
        self.size = 0
        self.direct = False
        self.in_place = False
        self.tmp: Path | None = None
        shown = self.target
        try:
            found: os.stat_result | None = os.stat(self.target)  # through links
        except FileNotFoundError:
            found = None
        except OSError as exc:
            raise OutputError(shown, _reason(exc), exc.errno or errno.EIO) from None
        if found is not None and stat.S_ISDIR(found.st_mode):
            raise OutputError(shown, "it is a folder", errno.EISDIR)
        if found is not None and not force:
            raise FileExistsError(errno.EEXIST, f"{shown} exists (use --force to replace it)", str(shown))
        if found is not None and not stat.S_ISREG(found.st_mode):
            if regular_only:
                raise OutputError(shown, f"it is {_kind(found.st_mode)}, not a regular file: it was left "
                                         "as it is", errno.EINVAL)
            self.direct = True
            self.final = self.target
            if stat.S_ISBLK(found.st_mode):  # a disk: JSON or audio written there would destroy it
                raise OutputError(shown, "it is a block device (a disk): nothing was written", errno.EINVAL)
            self.handle = os.fdopen(_open_direct(self.target, shown, found.st_mode), "wb")
            return
        # A link is written through: the file it names is the one replaced (or made).
        self.final = Path(os.path.realpath(self.target)) if self.target.is_symlink() or found else self.target
        if found is not None:
            if not os.access(self.final, os.W_OK) or not found.st_mode & 0o222:
                raise OutputError(shown, "it is read-only (its permissions do not allow writing it)",
                                  errno.EACCES)
            self.in_place = found.st_nlink > 1  # a rename would split the hard links
        elif not self.final.parent.is_dir():
            raise OutputError(shown, f"the folder {self.final.parent} does not exist", errno.ENOENT)
        check_name(self.final, shown)
        import tempfile  # here, not at the top: `check` imports this module and never writes

        try:
            fd, tmp = tempfile.mkstemp(dir=self.final.parent, prefix=f".{self.final.name[:_TEMP_NAME_CHARS]}.",
                                       suffix=".tmp")
        except OSError as exc:
            raise OutputError(shown, _reason(exc), exc.errno or errno.EIO) from None
        self.tmp = Path(tmp)
        self.handle = os.fdopen(fd, "wb")
        self._take_over(found)

    def _take_over(self, found: os.stat_result | None) -> None:
        """The new file gets the replaced one's mode, owner and group (as far as we may)."""
        assert self.tmp is not None
        os.chmod(self.tmp, found.st_mode & 0o7777 if found else default_mode())
        if found is None:
            return
        for uid, gid in ((found.st_uid, found.st_gid), (-1, found.st_gid)):
            try:
                os.chown(self.tmp, uid, gid)
                return
            except OSError:
                continue

    def _fail(self, exc: OSError) -> OutputError:
        return OutputError(self.target, _reason(exc), exc.errno or errno.EIO)

    def write(self, data: bytes) -> None:
        try:
            self.handle.write(data)
        except OSError as exc:
            raise self._fail(exc) from None
        self.size += len(data)

    def commit(self) -> None:
        try:
            self.handle.flush()
            if not self.direct:
                os.fsync(self.handle.fileno())
            self.handle.close()
        except OSError as exc:
            self.abort()
            raise self._fail(exc) from None
        if self.direct:
            return
        assert self.tmp is not None
        try:
            self._check_unchanged()
            if self.in_place:
                self._rewrite_in_place()
            elif self.force:
                os.replace(self.tmp, self.final)
            else:
                self._link_into_place()
        except (OutputError, FileExistsError):
            self.abort()
            raise
        except OSError as exc:
            self.abort()
            raise self._fail(exc) from None

    def _check_unchanged(self) -> None:
        if self.expect is None:
            return
        try:
            now = self.final.read_bytes()
        except FileNotFoundError:
            now = None
        if now != self.expect:
            raise FileChanged(self.target, "it changed since musicplan read it; it was left as it is "
                                           "(run again to rewrite the new version)", errno.EAGAIN)

    def _rewrite_in_place(self) -> None:
        assert self.tmp is not None
        # The whole new text is on disk already, so a full disk fails before the file is touched;
        # Ctrl-C and SIGTERM wait until the file is whole again (they are handled right after).
        with _signals_held(), open(self.tmp, "rb") as source, open(self.final, "r+b") as out:
            while block := source.read(1 << 20):
                out.write(block)
            out.truncate()
            out.flush()
            os.fsync(out.fileno())
        self.tmp.unlink()

    def _link_into_place(self) -> None:
        assert self.tmp is not None
        try:
            # link() refuses to replace a file that appeared meanwhile.
            os.link(self.tmp, self.final)
        except FileExistsError:
            raise FileExistsError(errno.EEXIST, f"{self.target} appeared while writing; it was kept",
                                  str(self.target)) from None
        except OSError:
            if os.path.lexists(self.final):
                raise FileExistsError(errno.EEXIST, f"{self.target} exists (use --force to replace it)",
                                      str(self.target)) from None
            os.replace(self.tmp, self.final)  # a file system without hard links
            return
        os.unlink(self.tmp)

    def abort(self) -> Path | None:
        """Remove the partial file, or keep it as ``TARGET.part``; return what was kept."""
        if not self.handle.closed:
            try:
                self.handle.close()
            except OSError:
                pass
        if self.tmp is None or not self.tmp.exists():
            return None
        if self.keep_partial and self.size:
            part = self.final.with_name(self.final.name + ".part")
            try:
                os.replace(self.tmp, part)
                return part
            except OSError:
                pass
        self.tmp.unlink()
        return None


def write_atomic(path: str | Path, data: bytes | str, *, expect: bytes | None = None,
                 regular_only: bool = False) -> None:
    """Replace (or create) ``path`` with ``data`` in one step (see ``AtomicFile``
    for ``expect`` and ``regular_only``); an existing file keeps its permissions."""
    out = AtomicFile(path, force=True, expect=expect, regular_only=regular_only)
    try:
        out.write(data.encode("utf-8") if isinstance(data, str) else data)
        out.commit()
    except BaseException:
        out.abort()
        raise
