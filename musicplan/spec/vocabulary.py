"""The request body's vocabulary, written once: the endpoints, each song field,
the body key it sets, that key's JSON type, whether prompt songs or plan songs
take it, the key order of a compiled body, and which endpoints accept it.

Everything that speaks of endpoints or body keys derives from these tables: the
client's paths, the compiler's key order, the JSON reader's shapes, the 422
locator, the per-endpoint drops of ``render``, what ``plan`` sends, and the
prompt/plan scope rules.
"""

from __future__ import annotations

from musicplan.base.record import Record

TYPE_CHECKING = False  # as typing's: true for type checkers; at run time typing is not imported (3 ms)
if TYPE_CHECKING:
    from typing import Literal

    Scope = Literal["both", "prompt", "plan", "none"]  # "none": not set by a song field
    JsonType = Literal["string", "integer", "boolean", "plan"]

# The endpoints musicplan speaks to, by the name the command line uses. Not here:
# POST /v1/music/detailed/stream, whose event payloads are documented nowhere
# (see docs/api.md), and POST /v1/music/upload, which takes a form, not a body.
ENDPOINTS = {"compose": "/v1/music", "stream": "/v1/music/stream", "detailed": "/v1/music/detailed",
             "plan": "/v1/music/plan"}
UPLOAD_PATH = "/v1/music/upload"
AUDIO_ENDPOINTS = ("compose", "detailed", "stream")  # the ones that take a compiled body
_AUDIO = frozenset(AUDIO_ENDPOINTS)
_ANY = _AUDIO | {"plan"}
_NOT_STREAM = frozenset({"compose", "detailed"})  # sign_with_c2pa, respect_sections_durations
_DETAILED = frozenset({"detailed"})  # with_timestamps, with_waveform_visual
_PLAN = frozenset({"plan"})


class BodyKey(Record):
    name: str
    json_type: JsonType
    scope: Scope
    endpoints: frozenset[str]


# In the order a compiled body lists its keys (song-format.md, "What is sent";
# with_waveform_visual, which that list predates, goes beside with_timestamps,
# the other key of the detailed endpoints only).
KEYS: tuple[BodyKey, ...] = (
    BodyKey("prompt", "string", "prompt", _ANY),
    BodyKey("composition_plan", "plan", "plan", _AUDIO),
    BodyKey("music_length_ms", "integer", "prompt", _ANY),
    BodyKey("model_id", "string", "both", _ANY),
    BodyKey("seed", "integer", "plan", _AUDIO),
    BodyKey("force_instrumental", "boolean", "prompt", _AUDIO),
    BodyKey("finetune_id", "string", "both", _AUDIO),
    BodyKey("respect_sections_durations", "boolean", "plan", _NOT_STREAM),
    BodyKey("store_for_inpainting", "boolean", "both", _AUDIO),
    BodyKey("with_timestamps", "boolean", "both", _DETAILED),
    BodyKey("with_waveform_visual", "boolean", "both", _DETAILED),
    BodyKey("sign_with_c2pa", "boolean", "both", _NOT_STREAM),
    BodyKey("source_composition_plan", "plan", "none", _PLAN),  # `plan --from SONG`
)
BODY: tuple[BodyKey, ...] = tuple(key for key in KEYS if key.endpoints & _AUDIO)  # a compiled body's keys
BODY_KEYS: dict[str, BodyKey] = {key.name: key for key in BODY}
BODY_ORDER = tuple(BODY_KEYS)

# What a field's value is: text | model | prompt | duration | boolean | seed | format | bpm | meter | beat
Kind = str


class FieldSpec(Record):
    key: str
    kind: Kind
    body: str | None  # the body key it sets; None for fields that are not sent

    @property
    def scope(self) -> Scope:
        return BODY_KEYS[self.body].scope if self.body else "both"


# In the order `fmt` and `decompile` write them.
FIELDS: dict[str, FieldSpec] = {spec.key: spec for spec in (
    FieldSpec("title", "text", None),
    FieldSpec("model", "model", "model_id"),
    FieldSpec("prompt", "prompt", "prompt"),
    FieldSpec("length", "duration", "music_length_ms"),
    FieldSpec("instrumental", "boolean", "force_instrumental"),
    FieldSpec("seed", "seed", "seed"),
    FieldSpec("respect_durations", "boolean", "respect_sections_durations"),
    FieldSpec("finetune", "text", "finetune_id"),
    FieldSpec("inpainting", "boolean", "store_for_inpainting"),
    FieldSpec("timestamps", "boolean", "with_timestamps"),
    FieldSpec("waveform", "boolean", "with_waveform_visual"),
    FieldSpec("c2pa", "boolean", "sign_with_c2pa"),
    FieldSpec("format", "format", None),
    FieldSpec("bpm", "bpm", None),
    FieldSpec("meter", "meter", None),
    FieldSpec("beat", "beat", None),
)}
FIELD_OF_BODY_KEY: dict[str, str] = {spec.body: spec.key for spec in FIELDS.values() if spec.body}

# The API's own names, and a few that people reach for, point at our field.
ALIASES: dict[str, str] = {
    **{body: key for body, key in FIELD_OF_BODY_KEY.items() if body != key},
    "output_format": "format",
    "name": "title",
    "tempo": "bpm",
    "time_signature": "meter",
    "duration": "length",
}


def fields_in_scope(scope: Scope) -> tuple[str, ...]:
    """The song fields that only ``scope`` songs take."""
    return tuple(spec.key for spec in FIELDS.values() if spec.scope == scope)


def unsupported(endpoint: str) -> tuple[str, ...]:
    """The body keys ``endpoint`` does not take."""
    return tuple(key.name for key in BODY if endpoint not in key.endpoints)


def taken_by(endpoint: str) -> tuple[str, ...]:
    """The body keys ``endpoint`` takes, in body order."""
    return tuple(key.name for key in KEYS if endpoint in key.endpoints)
