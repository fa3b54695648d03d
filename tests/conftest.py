from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from hypothesis import settings

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
SHARED_API = ROOT.parent / "shared" / "api"

sys.path.insert(0, str(Path(__file__).resolve().parent))

# `dev` for the quick local loop; CI runs `ci` (HYPOTHESIS_PROFILE=ci in .ci/run), which
# draws several times as many inputs. Deadlines are off: the machine is shared.
settings.register_profile("dev", max_examples=40, deadline=None)
settings.register_profile("ci", max_examples=250, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


@pytest.fixture
def examples() -> list[Path]:
    return sorted(EXAMPLES.glob("*.song"))
