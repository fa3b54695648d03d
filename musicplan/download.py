"""Where audio lands: safe file names, and files that exist only once complete."""

from __future__ import annotations

import os
import re
import tempfile
import unicodedata
from pathlib import Path

from .atomic import default_mode

_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')
_SPACES = re.compile(r"\s+")
_MAX_NAME = 120


def safe_filename(name: str | None, *, basename: bool = False) -> str | None:
    """A name that is only a name: no directories, no control or reserved
    characters, no leading dots. None when nothing usable is left. With
    ``basename`` (a name a server sent) only its last path component is kept;
    otherwise (a title) separators become spaces."""
    if not name:
        return None
    if basename:
        name = re.split(r"[/\\]", name)[-1]
    name = unicodedata.normalize("NFC", name)
    name = _UNSAFE.sub(" ", name)
    name = _SPACES.sub(" ", name).strip(" .")
    name = name[:_MAX_NAME].rstrip(" .")
    return name or None


class AtomicFile:
    """Bytes go to a hidden temporary file beside ``target``; ``commit`` flushes
    it to disk and moves it into place, ``abort`` removes it (or keeps it as
    ``TARGET.part`` when asked), so ``target`` only ever holds a whole file."""

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

    def commit(self) -> None:
        self.handle.flush()
        os.fsync(self.handle.fileno())
        self.handle.close()
        os.chmod(self.tmp, default_mode())
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
