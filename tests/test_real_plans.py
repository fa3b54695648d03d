"""Plans as people and the official SDKs write them: request bodies and bare plans
of both shapes, with the `null`s and `[]`s that SDK models dump for optional
keys. Each checks without error and comes back from decompile + compile as the
same JSON, up to `null` and `[]` read as absent (song-format.md, Decompiling)."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import chunk_body, chunk_plan, prompt_body, v1_body, v1_plan

import musicplan
from musicplan.pipeline import Options, check_bytes
from musicplan.spec.vocabulary import BODY
from musicplan.write.decompile import decompile_text

_OPTIONAL_LISTS = {"negative_styles", "negative_ranges"}


def absent(value: Any) -> Any:
    """``value`` with every null, and every optional list given as [], left out."""
    if isinstance(value, dict):
        return {k: absent(v) for k, v in value.items()
                if v is not None and not (k in _OPTIONAL_LISTS and v == [])}
    if isinstance(value, list):
        return [absent(v) for v in value]
    return value


def section(name: str, ms: int, lines: list[str], plus: list[str] | None = None, minus: list[str] | None = None,
            **extra: Any) -> dict[str, Any]:
    # As the Python SDK's SongSection.model_dump() writes it: source_from present, null.
    return {"section_name": name, "positive_local_styles": plus or [], "negative_local_styles": minus or [],
            "duration_ms": ms, "lines": lines, "source_from": None, **extra}


def chunk(text: str, ms: int, plus: list[str], minus: list[str] | None = None, **extra: Any) -> dict[str, Any]:
    # As an SDK's GenerationChunk dumps it: every optional key present.
    return {"text": text, "duration_ms": ms, "positive_styles": plus, "negative_styles": minus,
            "context_adherence": None, "conditioning_ref": None, "condition_strength": None, **extra}


DOCS_V1_PLAN = {  # the shape of the composition-plan guide's example
    "positive_global_styles": ["electronic", "fast-paced", "driving synth arpeggios", "punchy drums",
                               "distorted bass", "glitch effects", "aggressive rhythmic textures",
                               "high adrenaline"],
    "negative_global_styles": ["acoustic", "slow", "minimalist", "ambient", "lo-fi"],
    "sections": [
        section("Intro", 3000, [], ["rising synth arpeggio", "glitch fx", "filtered noise sweep",
                                    "soft punchy kick building tension"], ["soft pads", "melodic vocals",
                                                                           "ambient textures"]),
        section("Peak Drop", 4000, [], ["full punchy drums", "distorted bass stab", "aggressive rhythmic hits",
                                        "rapid arpeggio sequences"], ["smooth transitions", "clean bass",
                                                                      "slow buildup"]),
        section("Final Burst", 3000, [], ["glitch stutter", "energy burst vox chopped sample",
                                          "quick transitions into silence"], ["long reverb tails",
                                                                              "fading out", "gentle melodies"]),
    ],
}

SDK_V1_BODY = {  # a Python SDK call's body, every optional field written out
    "prompt": None,
    "composition_plan": {
        "positive_global_styles": ["indie pop", "female vocals", "bright guitars", "92 bpm"],
        "negative_global_styles": [],
        "sections": [
            section("Verse 1", 20_000, ["Morning light across the floor", "Coffee cold beside the door"],
                    ["soft drums"]),
            section("Chorus", 15_000, ["We were golden, we were young", "Every song already sung"],
                    ["big harmonies", "handclaps"], ["lo-fi"]),
            section("Outro", 10_000, [], ["guitar only", "fade out"], ["vocals"]),
        ],
    },
    "music_length_ms": None,
    "model_id": "music_v1",
    "seed": 1234,
    "force_instrumental": None,
    "finetune_id": None,
    "respect_sections_durations": True,
    "store_for_inpainting": False,
    "with_timestamps": None,
    "sign_with_c2pa": None,
}

INPAINT_V1_BODY = {  # the inpainting guide: keep two takes, regenerate the middle
    "composition_plan": {
        "positive_global_styles": ["garage rock", "raw male vocals"],
        "negative_global_styles": ["polished pop"],
        "sections": [
            section("Intro", 8000, [], source_from={"song_id": "7c1e4b90a2f35d68e0b1",
                                                   "range": {"start_ms": 0, "end_ms": 8000},
                                                   "negative_ranges": None}),
            section("Verse", 22_000, ["Engine running in the parking lot"], ["tighter snare"],
                    source_from={"song_id": "7c1e4b90a2f35d68e0b1", "range": {"start_ms": 8000, "end_ms": 30_000},
                                 "negative_ranges": [{"start_ms": 15_000, "end_ms": 17_000}]}),
            section("Chorus", 20_000, ["Turn it up, turn it up"], ["gang vocals"],
                    source_from={"song_id": "7c1e4b90a2f35d68e0b1", "range": {"start_ms": 30_000, "end_ms": 50_000},
                                 "negative_ranges": []}),
        ],
    },
    "model_id": "music_v1",
    "store_for_inpainting": True,
}

V2_BARE_PLAN = {  # a /v1/music/plan reply for music_v2, as the SDK saves it
    "chunks": [
        chunk("[Intro]", 10_000, ["dark synth-pop", "analog bass", "breathy female vocals", "arpeggiated synth"],
              ["acoustic guitar"]),
        chunk("[Verse 1]\nHeadlights cutting through the rain\n{whispered} Nobody knows my name", 20_000,
              ["dark synth-pop", "analog bass", "breathy female vocals", "sparse drums"], ["acoustic guitar"]),
        chunk("[Chorus]\nNight drive, no goodbye\nFollow the lines to the edge of the sky", 20_000,
              ["dark synth-pop", "analog bass", "breathy female vocals", "full drums", "stacked vocals"],
              ["acoustic guitar"], context_adherence="high"),
    ],
}

V2_5_EDIT_BODY = {  # audio references around a conditioned chunk, lists given as []
    "composition_plan": {"chunks": [
        {"song_id": "7c1e4b90a2f35d68e0b1", "range": {"start_ms": 0, "end_ms": 14_500}},
        chunk("[Verse 2]\nThe ferry lights go out one by one\n{soft harmony}", 30_000,
              ["indie folk", "warm acoustic guitar", "brushed drums"], [],
              conditioning_ref={"song_id": "7c1e4b90a2f35d68e0b1", "range": {"start_ms": 14_500, "end_ms": 44_000}},
              condition_strength="high", context_adherence="medium"),
        {"song_id": "7c1e4b90a2f35d68e0b1", "range": {"start_ms": 70_000, "end_ms": 102_000}},
    ]},
    "model_id": "music_v2_5",
    "seed": None,
    "store_for_inpainting": True,
}

V2_LABELLESS_PLAN = {  # a chunk plan typed by hand: no labels, no negative styles at all
    "chunks": [
        {"text": "", "duration_ms": 12_000, "positive_styles": ["lo-fi hip hop", "vinyl crackle", "rhodes"]},
        {"text": "Rain on the window\nPages turning slow", "duration_ms": 24_000,
         "positive_styles": ["lo-fi hip hop", "vinyl crackle", "soft female vocals"]},
    ],
}

PROMPT_BODY = {
    "prompt": "A cinematic orchestral piece for a trailer,\nbuilding from solo cello to full choir",
    "composition_plan": None,
    "music_length_ms": 95_500,
    "model_id": "music_v2",
    "seed": None,
    "force_instrumental": True,
}

LONG_STYLES_PLAN = {
    "positive_global_styles": ["cinematic orchestral", "soaring strings", "french horns", "taiko drums",
                               "epic choir", "ostinato cellos", "brass stabs", "wide stereo", "hybrid trailer",
                               "sub drops", "risers"],
    "negative_global_styles": [],
    "sections": [section("Build", 60_000, [], ["solo cello", "pizzicato", "rising tension", "heartbeat pulse",
                                               "distant timpani", "swelling strings", "low brass drones"])],
}

CORPUS = {
    "docs v1 plan": DOCS_V1_PLAN,
    "sdk v1 body with nulls": SDK_V1_BODY,
    "inpainting v1 body": INPAINT_V1_BODY,
    "v2 plan with nulls": V2_BARE_PLAN,
    "v2_5 edit body": V2_5_EDIT_BODY,
    "v2 plan without labels": V2_LABELLESS_PLAN,
    "prompt body": PROMPT_BODY,
    "long style lists": LONG_STYLES_PLAN,
}


def decompiled(value: dict[str, Any]) -> str:
    result = decompile_text(json.dumps(value, indent=2))
    assert result.text is not None, [(d.code, d.message) for d in result.diagnostics]
    assert [d for d in result.diagnostics if d.code == "W006"] == []  # nothing normalised
    return result.text


@pytest.mark.parametrize("name", CORPUS)
def test_real_plans_check_clean(name):
    data = json.dumps(CORPUS[name], indent=2).encode()
    found = check_bytes(data, f"{name}.json", Options(), documents=True)
    assert [d.code for d in found.diagnostics if d.is_error] == []


@pytest.mark.parametrize("name", CORPUS)
def test_real_plans_round_trip_up_to_null_and_empty_lists(name):
    original = CORPUS[name]
    text = decompiled(original)
    song = musicplan.loads(text)
    if "chunks" in original or "sections" in original:
        assert song.to_plan() == absent(original), text
    else:
        assert song.to_body() == absent(original), text
    assert text.startswith("model: ") or "\nmodel: " in text


def test_nulls_and_empty_lists_are_dropped_without_a_warning():
    result = decompile_text(json.dumps(SDK_V1_BODY))
    assert result.diagnostics == []
    assert "null" not in result.text and "source_from" not in result.text


def test_the_model_is_always_stated():
    assert decompiled(DOCS_V1_PLAN).startswith("model: music_v1\n")
    assert decompiled(V2_BARE_PLAN).startswith("model: music_v2\n")
    assert "model: music_v2_5\n" in decompiled(V2_5_EDIT_BODY)


def test_shared_chunk_styles_are_hoisted_from_two_generation_chunks():
    text = decompiled(V2_BARE_PLAN)
    assert "\n+ dark synth-pop, analog bass, breathy female vocals\n- acoustic guitar\n\n[Intro] 0:10\n" in text
    assert "[Intro] 0:10\n+ arpeggiated synth\n" in text


def test_a_lone_generation_chunk_keeps_its_styles():
    text = decompiled(V2_5_EDIT_BODY)
    header = text.split("\n[")[0]
    assert "+" not in header  # nothing hoisted over the audio references
    assert "[Verse 2] 0:30\n+ indie folk, warm acoustic guitar, brushed drums\n" in text


def test_long_style_lists_are_split_over_lines_of_about_100_characters():
    text = decompiled(LONG_STYLES_PLAN)
    styles = [line for line in text.split("\n") if line.startswith(("+ ", "- "))]
    assert len(styles) == 4  # two global lines, two local ones
    assert all(len(line) <= 100 for line in styles), styles
    assert len(styles[0]) > 80  # filled, not one style a line


def test_a_prompt_length_is_written_as_a_clock_time():
    assert "\nlength: 1:35.500\n" in decompiled(PROMPT_BODY)


def test_a_camel_case_plan_is_refused_with_one_error():
    camel = {"positiveGlobalStyles": ["pop"], "negativeGlobalStyles": [], "sections": [
        {"sectionName": "A", "positiveLocalStyles": [], "negativeLocalStyles": [], "durationMs": 10_000,
         "lines": []}]}
    text = json.dumps(camel, indent=2)
    result = decompile_text(text)
    assert result.text is None
    (error,) = result.diagnostics
    assert error.code == "E506" and "`positive_global_styles`" in error.message
    assert (error.span.line, error.span.column) == (2, 3)
    body = {"compositionPlan": copy.deepcopy(V2_BARE_PLAN), "modelId": "music_v2"}
    found = check_bytes(json.dumps(body).encode(), "b.json", Options(), documents=True).diagnostics
    assert [d.code for d in found] == ["E506"] and "`composition_plan`" in found[0].message


# ---- the same, for any valid plan: SDK nulls and [] sprinkled over generated bodies and plans

_SECTION_OPTIONAL = ("source_from",)
_CHUNK_OPTIONAL = ("negative_styles", "context_adherence", "conditioning_ref", "condition_strength")


@st.composite
def as_sdks_write(draw: Any, documents: Any) -> dict[str, Any]:
    """A valid body or plan with optional keys written as null (and optional lists as []),
    each where a draw says so."""
    value = copy.deepcopy(draw(documents))

    def fill(item: dict[str, Any], keys: tuple[str, ...]) -> None:
        for key in keys:
            if key not in item and draw(st.booleans()):
                item[key] = [] if key in _OPTIONAL_LISTS and draw(st.booleans()) else None

    if "composition_plan" in value or "prompt" in value:
        fill(value, tuple(key.name for key in BODY))
    plan = value.get("composition_plan") or value
    for section in plan.get("sections", []) if isinstance(plan, dict) else []:
        fill(section, _SECTION_OPTIONAL)
        if section.get("source_from"):
            fill(section["source_from"], ("negative_ranges",))
    for chunk in plan.get("chunks", []) if isinstance(plan, dict) else []:
        if "text" in chunk:
            fill(chunk, _CHUNK_OPTIONAL)
    return value


@settings()  # the profile (conftest.py) sets how many inputs
@given(as_sdks_write(v1_body() | prompt_body() | chunk_body() | v1_plan() | chunk_plan()))
def test_any_plan_with_sdk_nulls_round_trips_up_to_them(value):
    text = decompiled(value)
    song = musicplan.loads(text)
    bare = "chunks" in value or "sections" in value
    assert (song.to_plan() if bare else song.to_body()) == absent(value), text
