"""docs/diagnostics.md to each code's documentation: the link a diagnostic
carries (``codeDescription``) and the text a hover on the code shows."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

_HEADING = re.compile(r"^### ([EW]\d{3})\b.*$", re.MULTILINE)
CODE = re.compile(r"\b[EW]\d{3}\b")


def docs_path() -> Path | None:
    """The page inside the installed package, else the repository's ``docs/``."""
    package = Path(__file__).resolve().parent.parent
    for candidate in (package / "docs" / "diagnostics.md", package.parent / "docs" / "diagnostics.md"):
        if candidate.is_file():
            return candidate
    return None


def slug(heading: str) -> str:
    """The anchor GitHub and VS Code's Markdown preview give a heading."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


class CodeDoc:
    __slots__ = ("anchor", "code", "text", "title")

    def __init__(self, code: str, title: str, anchor: str, text: str) -> None:
        self.code, self.title, self.anchor, self.text = code, title, anchor, text


@lru_cache(maxsize=1)
def _page() -> tuple[str | None, dict[str, CodeDoc]]:
    path = docs_path()
    if path is None:
        return None, {}
    page = path.read_text(encoding="utf-8")
    found: dict[str, CodeDoc] = {}
    matches = list(_HEADING.finditer(page))
    for index, match in enumerate(matches):
        end = matches[index + 1].start() if index + 1 < len(matches) else len(page)
        body = page[match.end():end]
        body = body.split("\n## ", 1)[0].strip()  # the next group's heading ends it too
        heading = match.group(0)[4:]
        found[match.group(1)] = CodeDoc(match.group(1), heading, slug(heading), body)
    return path.as_uri(), found


def code_doc(code: str) -> CodeDoc | None:
    return _page()[1].get(code)


def code_link(code: str) -> str | None:
    """The documentation's address for ``code``, with its anchor."""
    uri, found = _page()
    doc = found.get(code)
    if uri is None or doc is None:
        return None
    return f"{uri}#{doc.anchor}"


def code_markdown(code: str) -> str | None:
    doc = code_doc(code)
    if doc is None:
        return None
    return f"**{doc.title}**\n\n{doc.text}"
