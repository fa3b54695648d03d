"""The public home of the Music API stand-in for tests (``from musicplan.testing
import MusicTestServer``); it lives in ``musicplan.remote.server``."""

from musicplan.remote.server import MusicTestServer, Recorded, sample_plan, validation_errors

__all__ = ["MusicTestServer", "Recorded", "sample_plan", "validation_errors"]
