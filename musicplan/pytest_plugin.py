"""pytest fixtures for testing code that talks to the Music API, offline.

Registered through the ``pytest11`` entry point, so installing musicplan is enough.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from musicplan.remote.server import MusicTestServer


@pytest.fixture
def music_server() -> Iterator[MusicTestServer]:
    """A started :class:`musicplan.testing.MusicTestServer` on 127.0.0.1, key ``test-key``."""
    from musicplan.remote.server import MusicTestServer

    with MusicTestServer(api_key="test-key") as server:
        yield server
