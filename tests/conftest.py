from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
SHARED_API = ROOT.parent / "shared" / "api"

sys.path.insert(0, str(Path(__file__).resolve().parent))


@pytest.fixture
def examples() -> list[Path]:
    return sorted(EXAMPLES.glob("*.song"))
