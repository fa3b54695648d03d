"""The public home of the request body's pydantic models (``from musicplan.api_models
import MusicRequest``); they live in ``musicplan.spec.models``."""

from musicplan.spec.models import (
    AudioReference,
    ChunkPlan,
    ConditioningRef,
    GenerationChunk,
    MusicPrompt,
    MusicRequest,
    SectionSource,
    SongSection,
    TimeRange,
)

__all__ = [
    "AudioReference", "ChunkPlan", "ConditioningRef", "GenerationChunk", "MusicPrompt", "MusicRequest", "SectionSource",
    "SongSection", "TimeRange",
]
