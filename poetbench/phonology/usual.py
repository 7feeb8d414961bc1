"""The usual-readings table (``resources/usual-readings-v1.tsv``, read by ``inference``): the
poems it is counted over, and how it is written.

``tools/build_usual_readings.py`` builds it over the regulated poems of 全唐诗;
``bench/polyphones.py`` (``poetbench.audit.polyphones``) measures how far it and the other steps
of ``inference`` settle the 多音字, on the same poems. The table holds counts, never corpus text.
"""

from __future__ import annotations

import csv
from pathlib import Path

from poetbench.phonology import inference
from poetbench.text.lines import split_lines


def regulated(poems: list[str]) -> list[list[str]]:
    """The poems of a regulated shape (4 or 8 lines, all of 5 or all of 7 characters), as lines."""
    out = []
    for text in poems:
        lines = split_lines(text)
        if len(lines) in (4, 8) and len({len(line) for line in lines}) == 1 and len(lines[0]) in (5, 7):
            out.append(lines)
    return out


def write_table(counts: dict[str, list[int]], usual: dict[str, str], path: Path = inference.USUAL_FILE) -> None:
    """``usual`` (``inference.usual_from_counts``) as the TSV ``inference`` reads: char, tone and
    the 平 and 仄 counts, the most counted characters first."""
    with Path(path).open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream, delimiter="\t", lineterminator="\n")
        writer.writerow(["char", "tone", "ping", "ze"])
        for char in sorted(usual, key=lambda c: (-sum(counts[c]), c)):
            writer.writerow([char, usual[char], *counts[char]])
