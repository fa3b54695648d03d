"""Analysed song to the request body, in the key order song-format.md gives."""

from __future__ import annotations

import json
from typing import Any

from musicplan.analyse.rules import Analysis, Ms, Resolved, Settings
from musicplan.pipeline import collector_paused
from musicplan.spec.vocabulary import BODY_ORDER


def _range(ms: Ms) -> dict[str, int]:
    return {"start_ms": ms.start, "end_ms": ms.end}


def _texts(items: list) -> list[str]:
    return [item.text for item in items]


def _v1_section(item: Resolved) -> dict[str, Any]:
    out: dict[str, Any] = {
        "section_name": item.section.name,
        "positive_local_styles": _texts(item.positive),
        "negative_local_styles": _texts(item.negative),
        "duration_ms": item.duration_ms,
        "lines": _texts(item.lines),
    }
    if item.source is not None:
        song_id, main, excepts = item.source
        source: dict[str, Any] = {"song_id": song_id, "range": _range(main)}
        if excepts:
            source["negative_ranges"] = [_range(ms) for ms in excepts]
        out["source_from"] = source
    return out


def _chunk(item: Resolved, analysis: Analysis) -> dict[str, Any]:
    if item.reference and item.source is not None:
        song_id, main, _ = item.source
        return {"song_id": song_id, "range": _range(main)}
    name = item.section.name
    text_lines = ([f"[{name}]"] if name else []) + _texts(item.lines)
    out: dict[str, Any] = {
        "text": "\n".join(text_lines),
        "duration_ms": item.duration_ms,
        "positive_styles": _texts(analysis.positive) + _texts(item.positive),
    }
    negative = _texts(analysis.negative) + _texts(item.negative)
    if negative:
        out["negative_styles"] = negative
    if item.adherence is not None:
        out["context_adherence"] = item.adherence
    if item.condition is not None:
        song_id, ms, strength = item.condition
        out["conditioning_ref"] = {"song_id": song_id, "range": _range(ms)}
        if strength is not None:
            out["condition_strength"] = strength
    return out


def plan(analysis: Analysis) -> dict[str, Any]:
    if analysis.settings.chunked:
        return {"chunks": [_chunk(item, analysis) for item in analysis.sections]}
    return {
        "positive_global_styles": _texts(analysis.positive),
        "negative_global_styles": _texts(analysis.negative),
        "sections": [_v1_section(item) for item in analysis.sections],
    }


def body(analysis: Analysis) -> dict[str, Any]:
    s: Settings = analysis.settings
    values: dict[str, Any] = {
        "model_id": s.model,
        "finetune_id": s.finetune,
        "store_for_inpainting": s.inpainting,
        "with_timestamps": s.timestamps,
        "with_waveform_visual": s.waveform,
        "sign_with_c2pa": s.c2pa,
    }
    if analysis.is_prompt:
        values.update(prompt=s.prompt, music_length_ms=s.length_ms, force_instrumental=s.instrumental)
    else:
        # A plan is many small dicts and lists and no cycles: with the song
        # alive, the cycle collector would walk the whole heap again and again
        # (a 10x larger song took 40x the time here).
        with collector_paused():
            composition = plan(analysis)
        values.update(composition_plan=composition, seed=s.seed, respect_sections_durations=s.respect_durations)
    return {key: values[key] for key in BODY_ORDER if values.get(key) is not None}


_ENCODER = json.JSONEncoder(ensure_ascii=False, indent=2)


def dumps(data: Any) -> str:
    """Canonical JSON: UTF-8 text, two-space indent, a final newline."""
    # json.dumps with an indent keeps every small piece alive until one final
    # join, several times the text's size for a large plan. Here the pieces are
    # joined in batches onto one string, which `+=` grows in place (it is the
    # only reference), so the peak is the text and one batch.
    # Encoding makes no cycles; a collection meanwhile would walk every object
    # of the song just made (a large song's JSON took 13x the time at 10x the size).
    text = ""
    pending: list[str] = []
    with collector_paused():
        for piece in _ENCODER.iterencode(data):
            pending.append(piece)
            if len(pending) >= 4096:
                text += "".join(pending)
                pending.clear()
    text += "".join(pending)
    text += "\n"
    return text
