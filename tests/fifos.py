"""A FIFO with a reader that is surely there before the command opens it for writing."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def read_fifo(path: Path) -> Iterator[list[bytes]]:
    """Make ``path`` a FIFO and gather everything written into it; the list holds
    it (as one item) once the block ends. The read end is opened here, before the
    block runs, so a writer that opens without blocking (as musicplan does) always
    finds a reader, however slowly threads get to run; a thread keeps the pipe
    drained so that a writer of more than the pipe holds never waits for long."""
    os.mkfifo(path)
    held = os.open(path, os.O_RDONLY | os.O_NONBLOCK)  # counts as a reader at once
    chunks: list[bytes] = []
    done = threading.Event()

    def drain() -> None:
        while True:
            try:
                data = os.read(held, 65536)
            except BlockingIOError:  # a writer is there, with nothing to read yet
                data = None
            if data:
                chunks.append(data)
            elif done.is_set():  # the command has returned: what is left was read
                return
            else:
                time.sleep(0.005)

    drainer = threading.Thread(target=drain, daemon=True)
    drainer.start()
    got: list[bytes] = []
    try:
        yield got
    finally:
        done.set()
        drainer.join(30)
        os.close(held)
        got.append(b"".join(chunks))
