"""The package's layout holds: no import cycles, and no stage imports a later one."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "musicplan"

# The pipeline's stages in order; a module may import its own stage and earlier ones.
# The language server comes before the command line, whose `musicplan lsp` starts it.
STAGES = ("base", "spec", "read", "analyse", "pipeline", "write", "library", "importers", "remote", "lsp",
          "cli")
# The public faces (``musicplan``, ``musicplan.client`` ...) may import anything.
FACES = {"musicplan", "musicplan.__main__", "musicplan.client", "musicplan.testing", "musicplan.api_models",
         "musicplan.pytest_plugin"}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path, name: str, modules: set[str] | frozenset[str] = frozenset()) -> set[str]:
    """Every musicplan module ``path`` imports, at any depth of the file (function-level too).
    ``from package import module`` counts the module alone: a package's ``__init__`` runs
    first for any of its modules, which Python does and no layout can avoid."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            submodules = {f"{base}.{alias.name}" for alias in node.names}
            found |= submodules & modules
            if not submodules <= modules:
                found.add(base)
    return found


def _graph() -> dict[str, set[str]]:
    modules = {_module_name(path): path for path in PACKAGE.rglob("*.py")}
    return {name: {m for m in _imports(path, name, set(modules)) if m in modules and m != name}
            for name, path in modules.items()}


def _stage(name: str) -> int | None:
    parts = name.split(".")
    if name in FACES or len(parts) < 2:
        return None
    return STAGES.index(parts[1])


def test_every_module_belongs_to_a_stage_or_a_face():
    unplaced = [name for name in _graph() if name not in FACES and name.split(".")[1] not in STAGES]
    assert unplaced == []


def test_no_stage_imports_a_later_stage():
    wrong = []
    for name, imported in _graph().items():
        stage = _stage(name)
        if stage is None:
            continue
        for other in imported:
            other_stage = _stage(other)
            if other_stage is not None and other_stage > stage:
                wrong.append(f"{name} imports {other}")
            if other in FACES and other != "musicplan":
                wrong.append(f"{name} imports the public face {other}")
    assert wrong == []


def test_no_import_cycles():
    graph = _graph()
    # Imports of the package itself (`from musicplan import __version__`) are of its face, not a cycle.
    graph = {name: {m for m in edges if m != "musicplan"} for name, edges in graph.items()}
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                cycles.append(trail[trail.index(nxt):] + [nxt] if nxt in trail else [node, nxt])
            elif nxt not in state:
                visit(nxt, trail + [nxt])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    assert cycles == []


def test_the_checker_catches_a_backward_import(tmp_path):
    # The test above must be able to fail: a read module importing the command line is found.
    path = tmp_path / "bad.py"
    path.write_text("def f():\n    from musicplan.cli.common import emit\n", encoding="utf-8")
    assert "musicplan.cli.common" in _imports(path, "musicplan.read.bad")
    assert _stage("musicplan.cli.common") > _stage("musicplan.read.bad")


def test_every_module_is_on_the_contributors_map():
    """docs/architecture.md names every module, so a newcomer finds each one there."""
    text = (PACKAGE.parent / "docs" / "architecture.md").read_text(encoding="utf-8")
    missing = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "__init__.py" and path.parent != PACKAGE:
            continue
        name = path.stem
        if f"`{name}`" not in text and f"`{name}.py`" not in text and f"{path.parent.name}/{name}" not in text:
            missing.append(str(path.relative_to(PACKAGE.parent)))
    assert missing == []
