"""The library's face: public names visible to dir(), typed, documented in the
README exactly as they behave, and py.typed in the wheel."""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import musicplan

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_dir_lists_every_public_name_and_each_resolves():
    names = dir(musicplan)
    for name in ("Diagnostic", "Edit", "Song", "SongError", "Span", "check", "decompile", "fix", "format",
                 "load", "loads", "__version__"):
        assert name in names and name in musicplan.__all__
        assert getattr(musicplan, name) is not None
    assert names == sorted(names)
    assert "Any" not in names and "TYPE_CHECKING" not in names and "annotations" not in names
    with pytest.raises(AttributeError):
        musicplan.no_such_thing  # noqa: B018


def test_the_text_functions_are_typed():
    import typing

    for function in (musicplan.format, musicplan.fix, musicplan.decompile):
        hints = typing.get_type_hints(function)
        assert hints["return"] is str and hints["path"] is str


def test_the_readme_examples_of_the_text_functions_hold():
    examples = re.findall(r"^(musicplan\.(?:fix|format)\(.*\))\s+# (.+)$", README, flags=re.M)
    assert len(examples) == 2
    for call, expected in examples:
        assert repr(eval(call, {"musicplan": musicplan})) == expected  # noqa: S307 - the README's own code


def test_the_readme_pre_commit_config_works_as_copied():
    """Every config the README's pre-commit section shows is `repo: local` (it works from a
    clone, with nothing to pin): no URL or `rev:` naming what this repository does not have,
    and each hook is the packaged one of its id, run as it is."""
    import yaml

    section = README.split("\n## pre-commit\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```yaml\n(.*?)```", section, flags=re.S)
    packaged = {hook["id"]: hook for hook in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    shown = set()
    for block in blocks:
        for repo in yaml.safe_load(block)["repos"]:
            assert repo["repo"] == "local" and "rev" not in repo, repo
            for hook in repo["hooks"]:
                assert hook["entry"] == packaged[hook["id"]]["entry"] and hook["language"] == "system", hook
                shown.add(hook["id"])
    assert shown == set(packaged)


@pytest.mark.slow
def test_the_wheel_ships_py_typed(tmp_path):
    assert (ROOT / "musicplan" / "py.typed").is_file()
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(tmp_path),
                            str(ROOT)], capture_output=True, text=True, timeout=600)
    assert built.returncode == 0, built.stderr
    (wheel,) = tmp_path.glob("musicplan-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
    assert "musicplan/py.typed" in names
    assert "musicplan/grammar/song.lark" in names
