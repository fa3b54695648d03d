"""`musicplan check` on JSON bodies and plans: the song rules, at the JSON position."""

from __future__ import annotations

import json

from musicplan.cli import main

BODY = {
    "composition_plan": {
        "positive_global_styles": ["rock"],
        "negative_global_styles": ["rock"],
        "sections": [
            {"section_name": "Intro", "positive_local_styles": [], "negative_local_styles": [],
             "duration_ms": 10000, "lines": ["x" * 201]},
            {"section_name": "", "positive_local_styles": [], "negative_local_styles": [],
             "duration_ms": 200000, "lines": []},
        ],
    },
    "model_id": "music_v1",
    "seed": -3,
}


def run(tmp_path, capsys, value, name="plan.json"):
    path = tmp_path / name
    text = value if isinstance(value, str) else json.dumps(value, indent=2)
    path.write_text(text, encoding="utf-8")
    code = main(["check", "--format", "json", str(path)])
    return code, text.split("\n"), json.loads(capsys.readouterr().out)


def where(lines: list[str], needle: str) -> tuple[int, int]:
    for number, line in enumerate(lines, 1):
        if needle in line:
            return number, line.index(needle) + 1
    raise AssertionError(needle)


def test_each_rule_is_reported_at_its_json_value(tmp_path, capsys):
    code, lines, found = run(tmp_path, capsys, BODY)
    assert code == 1
    got = {(d["code"], d["line"], d["column"]) for d in found}
    line, column = where(lines, '"' + "x" * 201)
    assert ("E406", line, column + 201) in got
    assert ("E401", *where(lines, '""')) in got
    assert ("E403", *where(lines, "200000")) in got
    assert ("E203", *where(lines, "-3")) in got
    rock = [(n, line.index('"rock"') + 1) for n, line in enumerate(lines, 1) if '"rock"' in line]
    assert ("W002", *rock[1]) in got  # the negative one of the two


def test_a_bad_value_in_a_bare_plan(tmp_path, capsys):
    plan = {"positive_global_styles": [], "negative_global_styles": [],
            "sections": [{"section_name": "A", "positive_local_styles": [], "negative_local_styles": [],
                          "duration_ms": 120001, "lines": []}]}
    code, lines, found = run(tmp_path, capsys, plan)
    assert code == 1
    assert [(d["code"], d["line"], d["column"]) for d in found] == [("E403", *where(lines, "120001"))]


def test_a_chunk_plan_is_checked_with_chunk_rules(tmp_path, capsys):
    plan = {"chunks": [{"text": "[A]\nla {solo}", "duration_ms": 10000,
                        "positive_styles": [f"s{i}" for i in range(51)], "context_adherence": "max"}]}
    code, lines, found = run(tmp_path, capsys, plan)
    assert code == 1
    codes = {(d["code"], d["line"]) for d in found}
    assert ("E407", where(lines, '"s50"')[0]) in codes
    assert ("E413", where(lines, '"max"')[0]) in codes
    assert not any(d["code"] == "W004" for d in found)  # inline directions are fine in chunks


def test_a_valid_body_passes(tmp_path, capsys):
    body = {"prompt": "calm piano", "music_length_ms": 30000, "model_id": "music_v1"}
    code, _, found = run(tmp_path, capsys, body)
    assert (code, found) == (0, [])


def test_shape_errors_point_at_keys_and_values(tmp_path, capsys):
    text = '{\n  "prompt": "x",\n  "seeed": 3,\n  "music_length_ms": "long"\n}\n'
    code, lines, found = run(tmp_path, capsys, text)
    assert code == 1
    assert [(d["code"], d["line"], d["column"]) for d in found] == [("E502", 3, 3), ("E500", 4, 22)]
    assert "`seed`" in found[0]["hint"]


def test_invalid_json_points_where_it_breaks(tmp_path, capsys):
    code, _, found = run(tmp_path, capsys, '{\n  "prompt": "x",\n}\n')
    assert code == 1
    # Python 3.13 blames the trailing comma (line 2), older ones the brace after it.
    assert [d["code"] for d in found] == ["E002"] and found[0]["line"] in (2, 3)


def test_json_on_standard_input_is_recognised(monkeypatch, capsys):
    import io
    import sys

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b'  {"prompt": ""}')))
    assert main(["check", "--format", "json", "-"]) == 1
    assert [d["code"] for d in json.loads(capsys.readouterr().out)] == ["E213"]
