"""A diagnostic code to its one-line title: every code musicplan reports, written once.

docs/diagnostics.md explains each (a test checks that the two agree). Commands
read this table to refuse codes that do not exist (``--ignore W999``, a
configuration's ``ignore``, an ignore comment) and to suggest the nearest.
"""

from __future__ import annotations

CODES: dict[str, str] = {
    "E001": 'invalid UTF-8',
    "E002": 'invalid JSON',
    "E003": 'half of a UTF-16 pair',
    "E100": 'unexpected text',
    "E101": 'lyrics belong in a section',
    "E102": 'directive outside a section',
    "E103": 'field without a name',
    "E104": 'heading without `]`',
    "E105": 'text after a heading',
    "E106": 'empty style',
    "E107": 'quote without its end',
    "E108": 'text after a quoted style',
    "E109": 'stray carriage return',
    "E110": 'directive written wrong',
    "E111": 'indented line that continues nothing',
    "E112": 'lone backslash',
    "E200": 'unknown field',
    "E201": 'field given twice',
    "E202": 'not a yes/no value',
    "E203": 'not a seed',
    "E204": 'unknown model',
    "E205": 'unknown output format',
    "E206": 'not a tempo',
    "E207": 'not a meter',
    "E208": 'prompt-song field in a plan song',
    "E209": 'plan-song field in a prompt song',
    "E210": 'C2PA without mp3',
    "E211": 'field without a value',
    "E212": 'sections or style lines in a prompt song',
    "E213": 'prompt empty or too long',
    "E214": 'length out of range',
    "E215": 'no sections',
    "E216": 'not a beat',
    "E217": 'seed above 2147483647',
    "E218": 'finetune id over 100 characters',
    "E300": 'not a duration',
    "E301": 'seconds out of range in `M:SS`',
    "E302": 'number without a unit',
    "E303": 'more than three decimals',
    "E304": 'bars in a range',
    "E305": 'bars without a tempo',
    "E306": 'range backwards or empty',
    "E307": '`except` range outside the main range',
    "E308": 'duration out of all proportion',
    "E309": 'a time before 0:00',
    "E400": 'more than 30 sections',
    "E401": 'section name empty or too long',
    "E402": 'section without a duration',
    "E403": 'section duration out of range',
    "E404": 'song too long or too short',
    "E405": 'more than 30 lyric lines',
    "E406": 'lyric line over 200 characters',
    "E407": 'more than 50 styles in a list',
    "E408": 'unknown directive',
    "E409": "`@repeat` of a section that isn't above",
    "E410": 'lyrics in a repeating section',
    "E411": 'directive given twice',
    "E412": 'directive for chunk models only',
    "E413": 'unknown level',
    "E414": 'audio reference written wrong',
    "E415": 'song id empty or over 100 characters',
    "E416": 'more than 10 `except` ranges',
    "E417": '`@condition` range out of range',
    "E418": 'chunk text over 6000 characters',
    "E500": 'wrong type',
    "E501": 'missing key',
    "E502": 'unknown key',
    "E503": 'neither a body nor a plan',
    "E504": 'plan of the wrong shape for the model',
    "E505": "song id that a song can't hold",
    "E506": 'keys in camelCase',
    "E507": "value that a song can't hold",
    "E600": 'the API refused a value',
    "E700": 'more than 30 sections',
    "E701": 'nothing to import',
    "I001": 'chords left out',
    "I002": 'ChordPro directive not carried over',
    "I003": "a person's name kept as a comment",
    "I004": 'sheet setting not understood',
    "I005": 'nothing to sing again',
    "I006": 'sung line over 200 characters',
    "I007": 'section over 30 lines',
    "I008": 'length not kept',
    "I009": 'styles over 50 left out',
    "I010": 'section name over 100 characters',
    "W001": 'style listed twice',
    "W002": 'style both wanted and unwanted',
    "W004": 'inline direction in music_v1 lyrics',
    "W005": '`respect_durations` ignored',
    "W006": 'string normalised by `decompile`',
    "W007": '`model` not set',
    "W008": 'finetune with a chunk model',
    "W101": 'lyrics too dense to sing',
    "W102": 'lyrics in an instrumental section',
    "W103": 'empty section',
    "W104": 'very short section (off by default)',
    "W105": 'duration that is not a whole number of bars (off by default)',
    "W106": 'double negative',
    "W107": 'style tempo disagrees with `bpm`',
    "W108": 'style not in English',
    "W201": 'a field written among the lyrics',
    "W202": 'a bulleted lyric read as unwanted styles',
    "W203": 'a style quoted with the wrong quote',
    "W204": 'a `#` inside a style',
    "W205": 'chords in a lyric',
    "W206": 'sung section tags in an instrumental prompt',
    "W207": 'a `#` comment after a field value',
    "W900": 'ignore comment that silences nothing',
}


def nearest_code(code: str) -> str | None:
    """The known code nearest ``code``: same letter and closest number for a
    code-shaped word (``W999`` -> ``W900``), else the closest spelling."""
    import re

    code = code.strip().upper()
    shaped = re.fullmatch(r"([EW])(\d{1,3})", code)
    if shaped:
        letter, number = shaped.group(1), int(shaped.group(2).ljust(3, "0"))
        same = [c for c in CODES if c[0] == letter]
        return min(same, key=lambda c: (abs(int(c[1:]) - number), c))
    from musicplan.base.words import nearest

    return nearest(code, list(CODES))


def refusal(code: str) -> str | None:
    """Why ``code`` cannot be silenced or enabled (None if it can): it does not
    exist, or it is an error. The reason names the nearest warning code."""
    code = code.strip().upper()
    if code in CODES:
        if code.startswith("W"):
            return None
        kind = "an error" if code.startswith("E") else "a note of `musicplan import`"
        return f"{code} ({CODES[code]}) is {kind}: only warnings can be silenced or enabled"
    guess = nearest_code(code)
    hint = (f"did you mean {guess} ({CODES[guess]})?" if guess else
            "codes look like W101; every code is listed in docs/diagnostics.md")
    return f"unknown code `{code}`: {hint}"
