"""Pydantic models of the Music API's request body, carrying its constraints.

These are for library users who build or receive plans as data (and for
checking JSON plans); the .song checker reads the same numbers from ``limits``
so that `musicplan check` never has to import pydantic.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from musicplan.spec import limits
from musicplan.spec.vocabulary import BODY

Style = Annotated[str, StringConstraints(min_length=1)]
LyricLine = Annotated[str, StringConstraints(max_length=limits.LYRIC_LINE_CHARS_MAX)]
Styles = Annotated[list[Style], Field(max_length=limits.STYLES_PER_LIST_MAX)]
SectionMs = Annotated[int, Field(ge=limits.SECTION_MS_MIN, le=limits.SECTION_MS_MAX)]
ModelId = Literal["music_v1", "music_v2", "music_v2_5"]
SongId = Annotated[str, StringConstraints(min_length=limits.SONG_ID_CHARS_MIN, max_length=limits.SONG_ID_CHARS_MAX)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class TimeRange(_Strict):
    start_ms: Annotated[int, Field(ge=0)]
    end_ms: Annotated[int, Field(ge=0)]

    @model_validator(mode="after")
    def _ordered(self) -> TimeRange:
        if self.start_ms >= self.end_ms:
            raise ValueError("start_ms must be below end_ms")
        return self


class SectionSource(_Strict):
    song_id: SongId
    range: TimeRange
    negative_ranges: Annotated[list[TimeRange], Field(max_length=limits.EXCEPT_RANGES_MAX)] | None = None

    @model_validator(mode="after")
    def _inside(self) -> SectionSource:
        for item in self.negative_ranges or []:
            if item.start_ms < self.range.start_ms or item.end_ms > self.range.end_ms:
                raise ValueError("every negative range must lie inside range")
        return self


class SongSection(_Strict):
    section_name: Annotated[str, StringConstraints(min_length=1, max_length=limits.SECTION_NAME_MAX)]
    positive_local_styles: Styles
    negative_local_styles: Styles
    duration_ms: SectionMs
    lines: Annotated[list[LyricLine], Field(max_length=limits.LYRIC_LINES_MAX)]
    source_from: SectionSource | None = None


def _check_total(total: int) -> None:
    if not limits.SONG_MS_MIN <= total <= limits.SONG_MS_MAX:
        raise ValueError("the song must last from 3 s to 10 min")


class MusicPrompt(_Strict):
    """The music_v1 composition plan."""

    positive_global_styles: Styles
    negative_global_styles: Styles
    sections: Annotated[list[SongSection], Field(min_length=1, max_length=limits.SECTIONS_MAX)]

    @model_validator(mode="after")
    def _length(self) -> MusicPrompt:
        _check_total(sum(s.duration_ms for s in self.sections))
        return self


class AudioReference(_Strict):
    song_id: SongId
    range: TimeRange

    @model_validator(mode="after")
    def _long_enough(self) -> AudioReference:
        if self.range.end_ms - self.range.start_ms < limits.AUDIO_REFERENCE_MS_MIN:
            raise ValueError(f"an audio reference lasts at least {limits.AUDIO_REFERENCE_MS_MIN} ms")
        return self

    @property
    def duration_ms(self) -> int:
        return self.range.end_ms - self.range.start_ms


class ConditioningRef(_Strict):
    song_id: SongId
    range: TimeRange

    @model_validator(mode="after")
    def _length(self) -> ConditioningRef:
        if not limits.CONDITION_MS_MIN <= self.range.end_ms - self.range.start_ms <= limits.CONDITION_MS_MAX:
            raise ValueError(f"a conditioning range lasts from {limits.CONDITION_MS_MIN} to "
                             f"{limits.CONDITION_MS_MAX} ms")
        return self


class GenerationChunk(_Strict):
    text: Annotated[str, StringConstraints(max_length=limits.CHUNK_TEXT_CHARS_MAX)]
    duration_ms: SectionMs
    positive_styles: Styles
    negative_styles: Styles | None = None
    context_adherence: Literal["low", "medium", "high"] | None = None
    conditioning_ref: ConditioningRef | None = None
    condition_strength: Literal["low", "medium", "high", "xhigh"] | None = None

    @model_validator(mode="after")
    def _lines(self) -> GenerationChunk:
        lines = self.text.split("\n")
        if len(lines) > limits.LYRIC_LINES_MAX + 1:  # the [label] line is not a lyric
            raise ValueError(f"at most {limits.LYRIC_LINES_MAX} lyric lines per chunk")
        if any(len(line) > limits.LYRIC_LINE_CHARS_MAX for line in lines):
            raise ValueError(f"a line holds at most {limits.LYRIC_LINE_CHARS_MAX} characters")
        return self


class ChunkPlan(_Strict):
    """The music_v2 / music_v2_5 composition plan."""

    chunks: Annotated[list[GenerationChunk | AudioReference],
                      Field(min_length=1, max_length=limits.SECTIONS_MAX)]

    @model_validator(mode="after")
    def _length(self) -> ChunkPlan:
        _check_total(sum(c.duration_ms for c in self.chunks))
        return self


class MusicRequest(_Strict):
    """The body of POST /v1/music, /v1/music/detailed and /v1/music/stream."""

    prompt: Annotated[str, StringConstraints(min_length=1, max_length=limits.PROMPT_CHARS_MAX)] | None = None
    composition_plan: MusicPrompt | ChunkPlan | None = None
    music_length_ms: Annotated[int, Field(ge=limits.LENGTH_MS_MIN, le=limits.LENGTH_MS_MAX)] | None = None
    model_id: ModelId = "music_v1"
    seed: Annotated[int, Field(ge=0, le=limits.SEED_MAX)] | None = None
    force_instrumental: bool | None = None
    finetune_id: Annotated[str, StringConstraints(min_length=1, max_length=limits.FINETUNE_CHARS_MAX)] | None = None
    respect_sections_durations: bool | None = None
    store_for_inpainting: bool | None = None
    with_timestamps: bool | None = None
    with_waveform_visual: bool | None = None
    sign_with_c2pa: bool | None = None

    @model_validator(mode="after")
    def _rules(self) -> MusicRequest:
        if (self.prompt is None) == (self.composition_plan is None):
            raise ValueError("give exactly one of prompt and composition_plan")
        if self.prompt is None:
            for name in _ONLY_WITH["prompt"]:
                if getattr(self, name) is not None:
                    raise ValueError(f"{name} goes only with prompt")
            chunked = isinstance(self.composition_plan, ChunkPlan)
            if chunked != (self.model_id in limits.CHUNK_MODELS):
                raise ValueError(f"the plan's shape does not fit model {self.model_id}")
        else:
            for name in _ONLY_WITH["plan"]:
                if getattr(self, name) is not None:
                    raise ValueError(f"{name} cannot be used with prompt")
        return self


# The keys that go only with a prompt or only with a plan, from the vocabulary table.
_ONLY_WITH = {scope: tuple(key.name for key in BODY if key.scope == scope and key.json_type != "plan"
                           and key.name != "prompt") for scope in ("prompt", "plan")}
