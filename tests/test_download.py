"""File names from songs and servers are only names; files appear only when whole."""

from __future__ import annotations

import pytest

from musicplan.base.files import AtomicFile
from musicplan.remote.files import safe_filename


@pytest.mark.parametrize("name,basename,safe", [
    ("Neon Nights", False, "Neon Nights"),
    ("AC/DC: Live", False, "AC DC Live"),
    ("../../etc/passwd", True, "passwd"),
    ("..\\..\\boot.ini", True, "boot.ini"),
    ("../..", True, None),
    ("..", False, None),
    (".hidden", False, "hidden"),
    ("a\x00b\nc", False, "a b c"),
    ("東京の雨", False, "東京の雨"),
    ("x" * 300, False, "x" * 120),
    ("", False, None),
    (None, False, None),
])
def test_safe_filename(name, basename, safe):
    assert safe_filename(name, basename=basename) == safe


def test_atomic_file_appears_only_on_commit(tmp_path):
    target = tmp_path / "a.mp3"
    out = AtomicFile(target)
    out.write(b"abc")
    assert not target.exists()
    out.commit()
    assert target.read_bytes() == b"abc"
    assert [p.name for p in tmp_path.iterdir()] == ["a.mp3"]


def test_atomic_file_refuses_to_replace_without_force(tmp_path):
    target = tmp_path / "a.mp3"
    target.write_bytes(b"old")
    with pytest.raises(FileExistsError):
        AtomicFile(target)
    out = AtomicFile(target, force=True)
    out.write(b"new")
    out.commit()
    assert target.read_bytes() == b"new"


def test_a_file_that_appears_meanwhile_is_kept(tmp_path):
    target = tmp_path / "a.mp3"
    out = AtomicFile(target)
    out.write(b"new")
    target.write_bytes(b"someone else's")
    with pytest.raises(FileExistsError):
        out.commit()
    assert target.read_bytes() == b"someone else's"
    assert [p.name for p in tmp_path.iterdir()] == ["a.mp3"]


def test_abort_removes_or_keeps_the_partial_file(tmp_path):
    out = AtomicFile(tmp_path / "a.mp3")
    out.write(b"half")
    assert out.abort() is None and list(tmp_path.iterdir()) == []
    out = AtomicFile(tmp_path / "a.mp3", keep_partial=True)
    out.write(b"half")
    kept = out.abort()
    assert kept is not None and kept.name == "a.mp3.part" and kept.read_bytes() == b"half"
