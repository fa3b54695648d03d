"""The Music API's OpenAPI documents (copied from the API's published specs) and
JSON Schema validators built from them. jsonschema is imported only here."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

DETAILED = "music-detailed"
STREAM = "music-stream"
BODY_SCHEMAS = {
    DETAILED: "Body_Compose_Music_with_a_detailed_response_v1_music_detailed_post",
    STREAM: "Body_Stream_composed_music_v1_music_stream_post",
}


@cache
def document(name: str) -> dict[str, Any]:
    text = resources.files(__name__).joinpath(f"{name}.openapi.json").read_text(encoding="utf-8")
    return json.loads(text)


@cache
def body_validator(name: str) -> Any:
    """A Draft 2020-12 validator for the request body of endpoint document ``name``."""
    from jsonschema import Draft202012Validator

    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "components": document(name)["components"],
        "$ref": f"#/components/schemas/{BODY_SCHEMAS[name]}",
    }
    return Draft202012Validator(schema)


def body_errors(body: dict[str, Any], name: str = DETAILED) -> list[str]:
    if name == STREAM:
        from musicplan.spec.vocabulary import unsupported

        body = {k: v for k, v in body.items() if k not in unsupported("stream")}
    validator = body_validator(name)
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(body)]
