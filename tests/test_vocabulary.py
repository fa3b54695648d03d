"""The body vocabulary is one table: the pydantic models, the compiler, the JSON
reader and the client agree with it."""

from __future__ import annotations

from typing import Any, get_args

import pytest
from pydantic import ValidationError

import musicplan
from musicplan.api_models import MusicRequest
from musicplan.read.json_reader import BODY_OPTIONS, BOOL, INT, PLAN, STR
from musicplan.remote.client import drop_unsupported
from musicplan.spec.vocabulary import BODY, BODY_ORDER, FIELDS, fields_in_scope, unsupported

_PYTHON_TYPES = {"string": str, "integer": int, "boolean": bool}


def test_the_pydantic_body_model_has_the_tables_keys_in_its_order():
    assert tuple(MusicRequest.model_fields) == BODY_ORDER


@pytest.mark.parametrize("key", [k for k in BODY if k.json_type != "plan"], ids=lambda k: k.name)
def test_each_pydantic_field_has_the_tables_json_type(key):
    annotation = MusicRequest.model_fields[key.name].annotation
    found: set[Any] = set()
    stack = [annotation]
    while stack:  # unwrap Optional[...] and Annotated[...]
        item = stack.pop()
        args = get_args(item)
        if args:
            stack += [a for a in args if isinstance(a, type) or get_args(a)]
        elif isinstance(item, type):
            found.add(item)
    expected = _PYTHON_TYPES[key.json_type]
    assert expected in found or (key.name == "model_id" and not found), (key.name, found)


def test_the_json_reader_shapes_come_from_the_table():
    expected = {"string": STR, "integer": INT, "boolean": BOOL, "plan": PLAN}
    assert BODY_OPTIONS == {key.name: expected[key.json_type] for key in BODY}


def test_scope_rules_in_the_model_follow_the_table():
    plan = {"positive_global_styles": [], "negative_global_styles": [],
            "sections": [{"section_name": "A", "positive_local_styles": [], "negative_local_styles": [],
                          "duration_ms": 10_000, "lines": []}]}
    values = {"integer": 5000, "boolean": True, "string": "x"}
    for key in BODY:
        if key.json_type == "plan" or key.name in ("prompt", "model_id"):
            continue
        value = values[key.json_type]
        if key.scope == "prompt":
            with pytest.raises(ValidationError):
                MusicRequest.model_validate({"composition_plan": plan, key.name: value})
        elif key.scope == "plan":
            with pytest.raises(ValidationError):
                MusicRequest.model_validate({"prompt": "calm piano", key.name: value})


def test_song_fields_that_only_one_kind_of_song_takes_are_refused_in_the_other():
    for field in fields_in_scope("plan"):
        value = "yes" if FIELDS[field].kind == "boolean" else "5"
        codes = {d.code for d in musicplan.check(f"prompt: calm piano\n{field}: {value}\n")}
        assert "E209" in codes, field
    for field in fields_in_scope("prompt"):
        if field == "prompt":
            continue
        value = "yes" if FIELDS[field].kind == "boolean" else "0:30"
        codes = {d.code for d in musicplan.check(f"{field}: {value}\n[A] 0:10\n")}
        assert "E208" in codes, field


def test_compiled_bodies_keep_the_tables_order():
    body = musicplan.loads("seed: 3\ntimestamps: yes\ninpainting: yes\nmodel: music_v1\n[A] 0:10\n").to_body()
    assert list(body) == [k for k in BODY_ORDER if k in body]


@pytest.mark.parametrize("endpoint", ["compose", "detailed", "stream"])
def test_the_client_drops_what_the_table_says_an_endpoint_does_not_take(endpoint):
    body = {key.name: 1 for key in BODY}
    kept, dropped = drop_unsupported(body, endpoint)
    assert dropped == list(unsupported(endpoint))
    assert all(endpoint in key.endpoints for key in BODY if key.name in kept)


def test_the_pydantic_models_literals_are_the_limits_tables():
    from musicplan.spec import limits, models

    assert get_args(models.ModelId) == limits.MODELS
    chunk = models.GenerationChunk.model_fields
    assert get_args(get_args(chunk["context_adherence"].annotation)[0]) == limits.ADHERENCE_LEVELS
    assert get_args(get_args(chunk["condition_strength"].annotation)[0]) == limits.CONDITION_STRENGTHS
