"""The API's limits, in one place: the checks and the pydantic models both read them."""

from __future__ import annotations

MODELS = ("music_v1", "music_v2", "music_v2_5")
DEFAULT_MODEL = "music_v1"  # what the API takes when a body names none (deprecated)
# The model to write new songs for: the newest (shared/api/README.md, revision of 2026-11-22).
RECOMMENDED_MODEL = "music_v2_5"
CHUNK_MODELS = ("music_v2", "music_v2_5")
FINETUNE_MODELS = ("music_v1",)  # "existing v1 finetunes are not compatible with Music v2"

SECTIONS_MAX = 30
SECTION_NAME_MAX = 100
SECTION_MS_MIN = 3_000
SECTION_MS_MAX = 120_000
SONG_MS_MIN = 3_000
SONG_MS_MAX = 600_000
LYRIC_LINES_MAX = 30
LYRIC_LINE_CHARS_MAX = 200
STYLES_PER_LIST_MAX = 50
PROMPT_CHARS_MAX = 4_100
LENGTH_MS_MIN = 3_000
LENGTH_MS_MAX = 600_000
SEED_MAX = 2_147_483_647
FINETUNE_CHARS_MAX = 100
SONG_ID_CHARS_MIN = 1
SONG_ID_CHARS_MAX = 100
EXCEPT_RANGES_MAX = 10  # `negative_ranges` of one `source_from`
CONDITION_MS_MIN = 50
CONDITION_MS_MAX = 30_000
AUDIO_REFERENCE_MS_MIN = 50
CHUNK_TEXT_CHARS_MAX = 6_000  # a generation chunk's `text`: label and lyric lines joined with \n

ADHERENCE_LEVELS = ("low", "medium", "high")
CONDITION_STRENGTHS = ("low", "medium", "high", "xhigh")

# The OpenAPI enum, plus what newer releases of the API add.
OUTPUT_FORMATS = (
    "mp3_22050_32", "mp3_24000_48", "mp3_44100_32", "mp3_44100_64", "mp3_44100_96",
    "mp3_44100_128", "mp3_44100_192", "mp3_48000_128", "mp3_48000_192", "mp3_48000_240",
    "mp3_48000_320", "pcm_8000", "pcm_16000", "pcm_22050", "pcm_24000", "pcm_32000",
    "pcm_44100", "pcm_48000", "ulaw_8000", "alaw_8000", "opus_48000_32", "opus_48000_64",
    "opus_48000_96", "opus_48000_128", "opus_48000_192", "auto",
)


def is_mp3(output_format: str) -> bool:
    # `auto` means mp3 for every model (mp3_44100_128 for v1, mp3_48000_192 for v2).
    return output_format.startswith("mp3_") or output_format == "auto"
