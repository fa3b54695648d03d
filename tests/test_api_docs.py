"""docs/api.md's endpoint table says what the vocabulary table says, row for row."""

from __future__ import annotations

import re
from pathlib import Path

from musicplan.spec.vocabulary import ENDPOINTS, FIELD_OF_BODY_KEY, KEYS

DOC = Path(__file__).resolve().parent.parent / "docs" / "api.md"
COLUMNS = ("compose", "stream", "detailed", "plan")


def _rows() -> dict[str, list[str]]:
    rows = {}
    for line in DOC.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 6 and re.fullmatch(r"`\w+`", cells[0]):
            rows[cells[0].strip("`")] = cells[1:]
    return rows


def test_the_endpoint_table_in_the_docs_is_the_vocabulary():
    rows = _rows()
    assert list(rows) == [key.name for key in KEYS]
    for key in KEYS:
        field, *taken = rows[key.name]
        assert taken == ["yes" if endpoint in key.endpoints else "no" for endpoint in COLUMNS], key.name
        if key.name in FIELD_OF_BODY_KEY:
            assert field == f"`{FIELD_OF_BODY_KEY[key.name]}`", key.name


def test_the_docs_name_every_path_and_the_one_left_out():
    text = DOC.read_text(encoding="utf-8")
    for path in ENDPOINTS.values():
        assert f"`{path}`" in text or f"**`{path}`**" in text, path
    assert "/v1/music/detailed/stream" in text and "documented nowhere" in text
