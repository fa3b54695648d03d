"""From song to request body: the spec's example, key order, canonical JSON, schemas."""

from __future__ import annotations

import json

import pytest
from songs import body, plan

import musicplan
from musicplan.spec import openapi
from musicplan.spec.models import MusicRequest

SPEC_SONG = """\
# Neon Nights: a synthwave song in four parts
title: Neon Nights
model: music_v1
seed: 42
bpm: 120

+ synthwave, 80s retro, female vocals, 120 bpm
- acoustic guitar, country

[Intro] 8 bars
+ ambient pads, slow build
- drums

[Verse 1] 0:20
+ driving bass
Walking down the neon street
Lights are flashing at my feet

[Chorus] 15s
+ "big, layered vocals", four-on-the-floor drums
Neon nights, we come alive
\\# one in the city, we survive

[Chorus 2]
@repeat Chorus
+ key change up
"""

SPEC_BODY = {
    "composition_plan": {
        "positive_global_styles": ["synthwave", "80s retro", "female vocals", "120 bpm"],
        "negative_global_styles": ["acoustic guitar", "country"],
        "sections": [
            {"section_name": "Intro", "positive_local_styles": ["ambient pads", "slow build"],
             "negative_local_styles": ["drums"], "duration_ms": 16000, "lines": []},
            {"section_name": "Verse 1", "positive_local_styles": ["driving bass"],
             "negative_local_styles": [], "duration_ms": 20000,
             "lines": ["Walking down the neon street", "Lights are flashing at my feet"]},
            {"section_name": "Chorus", "positive_local_styles": ["big, layered vocals", "four-on-the-floor drums"],
             "negative_local_styles": [], "duration_ms": 15000,
             "lines": ["Neon nights, we come alive", "# one in the city, we survive"]},
            {"section_name": "Chorus 2",
             "positive_local_styles": ["big, layered vocals", "four-on-the-floor drums", "key change up"],
             "negative_local_styles": [], "duration_ms": 15000,
             "lines": ["Neon nights, we come alive", "# one in the city, we survive"]},
        ],
    },
    "model_id": "music_v1",
    "seed": 42,
}


def test_the_spec_example_compiles_to_the_spec_body():
    assert body(SPEC_SONG) == SPEC_BODY


def test_key_order_follows_the_spec():
    text = ("seed: 1\nc2pa: yes\ntimestamps: yes\ninpainting: yes\nrespect_durations: no\n"
            "finetune: ft1\nmodel: music_v1\n[V] 0:10\n@source s 0:00-0:10 except 0:01-0:02\n")
    b = body(text)
    assert list(b) == ["composition_plan", "model_id", "seed", "finetune_id",
                       "respect_sections_durations", "store_for_inpainting", "with_timestamps",
                       "sign_with_c2pa"]
    assert list(b["composition_plan"]) == ["positive_global_styles", "negative_global_styles", "sections"]
    section = b["composition_plan"]["sections"][0]
    assert list(section) == ["section_name", "positive_local_styles", "negative_local_styles",
                             "duration_ms", "lines", "source_from"]
    assert section["source_from"] == {"song_id": "s", "range": {"start_ms": 0, "end_ms": 10000},
                                      "negative_ranges": [{"start_ms": 1000, "end_ms": 2000}]}


def test_prompt_song_body():
    b = body("prompt: calm piano\nlength: 0:45\ninstrumental: no\nfinetune: f\nformat: pcm_44100\n"
             "title: t\nbpm: 80\n")
    assert b == {"prompt": "calm piano", "music_length_ms": 45000, "model_id": "music_v1",
                 "force_instrumental": False, "finetune_id": "f"}
    assert list(b) == ["prompt", "music_length_ms", "model_id", "force_instrumental", "finetune_id"]


def test_only_model_id_and_what_the_file_sets_is_sent():
    assert body("[V] 0:10\n") == {"composition_plan": {
        "positive_global_styles": [], "negative_global_styles": [],
        "sections": [{"section_name": "V", "positive_local_styles": [], "negative_local_styles": [],
                      "duration_ms": 10000, "lines": []}]}, "model_id": "music_v1"}


def test_source_without_except_has_no_negative_ranges():
    source = plan("[V] 0:10\n@source s 0:00-0:10\n")["sections"][0]["source_from"]
    assert source == {"song_id": "s", "range": {"start_ms": 0, "end_ms": 10000}}


def test_repeat_copies_the_latest_earlier_section_of_that_name():
    text = ("[C] 0:10\n+ a\nfirst\n[C] 0:12\n+ b\n- n\nsecond\n"
            "[D]\n@repeat C\n+ c\n[E] 0:05\n@repeat D\n")
    sections = plan(text)["sections"]
    assert sections[2] == {"section_name": "D", "positive_local_styles": ["b", "c"],
                           "negative_local_styles": ["n"], "duration_ms": 12000, "lines": ["second"]}
    # A repeat of a repeat copies what that section ended up with; its own duration wins.
    assert sections[3]["positive_local_styles"] == ["b", "c"]
    assert sections[3]["duration_ms"] == 5000


def test_canonical_json_is_utf8_indented_with_final_newline():
    song = musicplan.loads("[Ça va] 0:10\n東京\n")
    text = song.to_json()
    assert text.endswith("}\n") and not text.endswith("\n\n")
    assert "東京" in text and "\\u" not in text
    assert text.startswith('{\n  "composition_plan": {\n    "positive_global_styles": []')
    assert json.loads(text) == song.to_body()


def test_plan_is_the_bare_composition_plan():
    song = musicplan.loads(SPEC_SONG)
    assert song.to_plan() == SPEC_BODY["composition_plan"]
    assert json.loads(song.to_json(plan=True)) == SPEC_BODY["composition_plan"]


def test_prompt_song_has_no_plan():
    with pytest.raises(ValueError):
        musicplan.loads("prompt: x\n").to_plan()


def test_chunk_plan_for_v2_models():
    text = ("model: music_v2\n+ g\n- n\n[Intro] 0:10\n+ l\n@adherence low\nla\n{solo}\n"
            "[] 0:05\n[Ref]\n@source abc 0:01-0:04\n[Out] 0:10\n@condition xyz 0:00-0:05 strength xhigh\n")
    b = body(text)
    assert b["model_id"] == "music_v2"
    assert b["composition_plan"] == {"chunks": [
        {"text": "[Intro]\nla\n{solo}", "duration_ms": 10000, "positive_styles": ["g", "l"],
         "negative_styles": ["n"], "context_adherence": "low"},
        {"text": "", "duration_ms": 5000, "positive_styles": ["g"], "negative_styles": ["n"]},
        {"song_id": "abc", "range": {"start_ms": 1000, "end_ms": 4000}},
        {"text": "[Out]", "duration_ms": 10000, "positive_styles": ["g"], "negative_styles": ["n"],
         "conditioning_ref": {"song_id": "xyz", "range": {"start_ms": 0, "end_ms": 5000}},
         "condition_strength": "xhigh"},
    ]}


def test_model_override_turns_one_song_into_either_shape():
    text = "model: music_v2\n+ g\n[A] 0:10\nla\n"
    assert "chunks" in body(text)["composition_plan"]
    v1 = body(text, model="music_v1")
    assert v1["model_id"] == "music_v1"
    assert v1["composition_plan"]["sections"][0]["lines"] == ["la"]


def test_examples_compile_and_fit_the_schemas_and_models(examples):
    assert len(examples) >= 6
    for path in examples:
        song = musicplan.load(path)
        b = song.to_body()
        MusicRequest.model_validate(b)
        if b["model_id"] == "music_v1":
            assert openapi.body_errors(b, openapi.DETAILED) == [], path
            assert openapi.body_errors(b, openapi.STREAM) == [], path


def test_every_example_states_its_model_and_some_use_the_new_ones(examples):
    import re

    from musicplan.pipeline import Options, check_bytes

    models = []
    for path in examples:
        found = check_bytes(path.read_bytes(), str(path), Options())
        assert "W007" not in {d.code for d in found.diagnostics}, path
        model = re.search(r"^model: (\S+)$", path.read_text(encoding="utf-8"), flags=re.M)
        assert model, path
        models.append(model.group(1))
    assert models.count("music_v2") + models.count("music_v2_5") >= 3
    assert "music_v2_5" in models


def test_examples_together_use_every_feature(examples):
    text = "\n".join(p.read_text(encoding="utf-8") for p in examples)
    for feature in (" bars", "@repeat", "@source", "except", "prompt:", '"', "\\#", "\\[",
                    "\\-", "\\\\", "meter:", "@adherence", "@condition", "Canción", "東京"):
        assert feature in text, feature


def test_schema_validation_catches_a_wrong_body():
    b = body(SPEC_SONG)
    b["composition_plan"]["sections"][0]["duration_ms"] = "16000"
    assert openapi.body_errors(b)


def test_the_packaged_openapi_documents_match_shared_api():
    from conftest import SHARED_API

    if not SHARED_API.is_dir():
        pytest.skip("../shared/api is not beside this checkout (it is in CI and in the workplace)")
    yaml = pytest.importorskip("yaml")
    for name in (openapi.DETAILED, openapi.STREAM):
        shipped = openapi.document(name)
        source = yaml.safe_load((SHARED_API / f"{name}.openapi.yaml").read_text(encoding="utf-8"))
        assert shipped == source, f"run scripts/sync_openapi.py: {name} changed"
