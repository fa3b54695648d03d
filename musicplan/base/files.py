"""Bytes to a file that readers see whole or not at all: the one atomic writer.

Everything musicplan writes (compiled JSON, formatted songs, audio, sidecars)
goes to a hidden temporary file beside its target, is flushed to disk, and
only then takes the target's name.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def default_mode() -> int:
    """The mode a new file gets under the current umask."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


class AtomicFile:
    """Bytes go to a hidden temporary file beside ``target``; ``commit`` flushes
    it to disk and moves it into place, ``abort`` removes it (or keeps it as
    ``TARGET.part`` when asked), so ``target`` only ever holds a whole file.
    Without ``force`` an existing target is never replaced; with it, the
    replaced file's permissions are kept."""

    def __init__(self, target: str | Path, *, force: bool = False, keep_partial: bool = False) -> None:
        self.target = Path(target)
        self.force = force
        self.keep_partial = keep_partial
        if self.target.exists() and not force:
            raise FileExistsError(f"{self.target} exists (use --force to replace it)")
        fd, tmp = tempfile.mkstemp(dir=self.target.parent, prefix=f".{self.target.name}.", suffix=".tmp")
        self.tmp = Path(tmp)
        self.handle = os.fdopen(fd, "wb")
        self.size = 0

    def write(self, data: bytes) -> None:
        self.handle.write(data)
        self.size += len(data)

    def _mode(self) -> int:
        try:
            return self.target.stat().st_mode & 0o7777
        except OSError:
            return default_mode()

    def commit(self) -> None:
        self.handle.flush()
        os.fsync(self.handle.fileno())
        self.handle.close()
        os.chmod(self.tmp, self._mode())
        if self.force:
            os.replace(self.tmp, self.target)
            return
        try:
            # link() refuses to replace a file that appeared meanwhile.
            os.link(self.tmp, self.target)
        except FileExistsError:
            self.abort()
            raise FileExistsError(f"{self.target} appeared while downloading; it was kept") from None
        except OSError:
            if self.target.exists():
                self.abort()
                raise FileExistsError(f"{self.target} exists (use --force to replace it)") from None
            os.replace(self.tmp, self.target)
            return
        os.unlink(self.tmp)

    def abort(self) -> Path | None:
        """Remove the partial file, or keep it as ``TARGET.part``; return what was kept."""
        if not self.handle.closed:
            self.handle.close()
        if not self.tmp.exists():
            return None
        if self.keep_partial and self.size:
            part = self.target.with_name(self.target.name + ".part")
            os.replace(self.tmp, part)
            return part
        self.tmp.unlink()
        return None


def write_atomic(path: str | Path, data: bytes | str) -> None:
    """Replace (or create) ``path`` with ``data`` in one step; an existing file keeps its permissions."""
    out = AtomicFile(path, force=True)
    try:
        out.write(data.encode("utf-8") if isinstance(data, str) else data)
        out.commit()
    except BaseException:
        out.abort()
        raise
