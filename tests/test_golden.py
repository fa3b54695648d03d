"""Golden files: each input under tests/golden/ beside the output it must give.

tests/golden/fmt/NAME.in.song → NAME.out.song (what `fmt` writes), and
tests/golden/decompile/NAME.json → NAME.song (what `decompile` writes).
To add a case, add the input and its expected output by hand; after a
deliberate change of behaviour, `MUSICPLAN_UPDATE_GOLDEN=1 pytest tests/test_golden.py`
rewrites the outputs, and the diff is reviewed like code.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import musicplan

GOLDEN = Path(__file__).resolve().parent / "golden"
UPDATE = bool(os.environ.get("MUSICPLAN_UPDATE_GOLDEN"))


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="strict") if path.exists() else ""


def _cases() -> list[tuple[str, Path, Path]]:
    fmt = [("fmt", p, p.with_name(p.name.replace(".in.song", ".out.song")))
           for p in sorted((GOLDEN / "fmt").glob("*.in.song"))]
    dec = [("decompile", p, p.with_suffix(".song")) for p in sorted((GOLDEN / "decompile").glob("*.json"))]
    return fmt + dec


@pytest.mark.parametrize(("tool", "given", "expected"), _cases(), ids=lambda v: v.name if isinstance(v, Path) else v)
def test_golden(tool: str, given: Path, expected: Path) -> None:
    text = given.read_bytes().decode("utf-8")
    out = musicplan.format(text) if tool == "fmt" else musicplan.decompile(text)
    if UPDATE:
        expected.write_bytes(out.encode("utf-8"))
    assert out == expected.read_bytes().decode("utf-8")
    # Each output is itself canonical: formatting it changes nothing.
    assert musicplan.format(out) == out


def test_every_golden_input_has_its_output() -> None:
    assert _cases(), "no golden files found"
    missing = [str(expected) for _, _, expected in _cases() if not expected.exists()]
    assert missing == []
