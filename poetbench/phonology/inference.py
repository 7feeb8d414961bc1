"""多音字 that the rhyme book and the word leave undecided, settled for people to read.

A character is read by the first of these that decides:

1. **the book and the word** (``RhymeBook``): one tone class in the table, or the reading of
   the word it is in. Scores are computed on these codes alone.
2. **position**: in a regulated poem that follows its patterns (tone conformity at least
   ``FOLLOWS``), an undecided character at a constrained position of its line takes the tone
   the line's pattern wants. The check has already accepted it so: an undecided character fits
   either slot.
3. **usual reading**: anywhere else, the reading the character takes in at least ``SHARE`` of
   its (at least ``MIN_COUNT``) position-decided occurrences in the regulated verse of 全唐诗
   (``resources/usual-readings-v1.tsv``, built by ``tools/build_usual_readings.py``).
4. Otherwise it stays undecided (○).

Steps 2 and 3 are inferences: they never change a score, and every view shows them as
inferred (lighter). A character whose usual reading is known never takes it at a constrained
position where the check accepted the other: positions are settled first.
"""

from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path
from typing import Protocol

from poetbench.phonology.modern import EITHER, PING, ZE
from poetbench.phonology.patterns import constrained
from poetbench.text.script import chars_to_simplified

FOLLOWS = 0.9  # tone conformity from which a poem "follows its patterns"
SHARE, MIN_COUNT = 0.9, 10  # a usual reading: this share of at least this many occurrences
USUAL_FILE = Path(__file__).parents[1] / "resources" / "usual-readings-v1.tsv"

# How each shown tone was found: D the book or the word, P position, U usual reading.
DECIDED, POSITION, USUAL = "D", "P", "U"


class ToneFit(Protocol):
    """What position reading needs of a poem's 平仄 check (``metrics/tone_pattern.ToneResult``)."""

    strict: bool
    conformity: float | None

    @property
    def expected(self) -> list[str]:
        """The P/Z pattern of every line (``phonology/patterns.base_pattern`` of its kind)."""


def position_readings(codes: list[str], tone: ToneFit | None) -> dict[tuple[int, int], str]:
    """{(line, position), 0-based: tone} for the undecided characters that position settles."""
    if tone is None or tone.conformity is None or tone.conformity < FOLLOWS:
        return {}
    out = {}
    size = len(codes[0])
    for i, (line, want) in enumerate(zip(codes, tone.expected)):
        for p in constrained(size, tone.strict):
            if line[p] == EITHER:
                out[i, p] = want[p]
    return out


def settle(lines: list[str], codes: list[str], tone: ToneFit | None) -> tuple[list[str], list[str]]:
    """(shown codes, how each was found) for every line: the codes with steps 2-3 applied."""
    usual = usual_readings()
    by_position = position_readings(codes, tone)
    shown, how = [], []
    for i, (line, line_codes) in enumerate(zip(lines, codes)):
        line_shown, line_how = [], []
        for p, (char, code) in enumerate(zip(line, line_codes)):
            if code != EITHER:
                line_shown.append(code)
                line_how.append(DECIDED)
            elif (i, p) in by_position:
                line_shown.append(by_position[i, p])
                line_how.append(POSITION)
            elif char in usual:
                line_shown.append(usual[char])
                line_how.append(USUAL)
            else:
                line_shown.append(EITHER)
                line_how.append(DECIDED)
        shown.append("".join(line_shown))
        how.append("".join(line_how))
    return shown, how


def count_positions(poems: list[list[str]], codes: list[list[str]], tones: list[ToneFit | None]) -> dict:
    """{character: [times read 平, times read 仄]} by position, over regulated poems."""
    counts: dict[str, list[int]] = {}
    for lines, poem_codes, tone in zip(poems, codes, tones):
        for (i, p), want in position_readings(poem_codes, tone).items():
            counts.setdefault(lines[i][p], [0, 0])[want == ZE] += 1
    return counts


def usual_from_counts(counts: dict[str, list[int]]) -> dict[str, str]:
    """The characters whose position-decided readings agree at least ``SHARE`` of the time."""
    out = {}
    for char, (ping, ze) in counts.items():
        total = ping + ze
        if total >= MIN_COUNT and max(ping, ze) >= SHARE * total:
            out[char] = PING if ping > ze else ZE
    return out


@lru_cache(maxsize=None)
def usual_readings() -> dict[str, str]:
    """Character -> its usual tone, in the file's (Traditional) form and its Simplified form.
    A Simplified form shared by two Traditional ones that disagree is left out."""
    with USUAL_FILE.open(encoding="utf-8", newline="") as stream:
        rows = [row for row in csv.DictReader(stream, delimiter="\t")]
    table = {row["char"]: row["tone"] for row in rows}
    simple: dict[str, set[str]] = {}
    for char, form in zip(table, chars_to_simplified(list(table))):
        if len(form) == 1 and form != char:
            simple.setdefault(form, set()).add(table[char])
    for form, tones in simple.items():
        if len(tones) == 1 and form not in table:
            table[form] = tones.pop()
    return table
