"""多音字 on regulated verse: how many stay undecided (○) after each step of
``poetbench.phonology.inference``, and how right the decided ones are.

``bench/polyphones.py`` prints these figures on the regulated verse of 全唐诗 (README,
"Validation"); ``tests/test_validation.py`` asserts them. Accuracy is measured on a hand-checked
sample (``tests/data/polyphones-checked.tsv``: characters named by their place in the corpus,
poem index in ``iter_tang`` order, line and position, never by corpus text), whose path the
caller gives.
"""

from __future__ import annotations

import csv
import random
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from poetbench.metrics.tone_pattern import read_meter
from poetbench.phonology import inference
from poetbench.phonology.book import get_book
from poetbench.phonology.modern import EITHER

STEPS = {inference.DECIDED: "the word", inference.POSITION: "position", inference.USUAL: "usual reading"}


def read_all(poems: list[list[str]]):
    """Per poem: (table-only codes, codes after the word, shown codes, how each was found)."""
    book = get_book("pingshui")
    table_only = [[book.table_tones(line) for line in lines] for lines in poems]
    codes, _, tones = read_meter(book, poems)
    settled = [inference.settle(lines, c, t) for lines, c, t in zip(poems, codes, tones)]
    return table_only, codes, tones, settled


def undecided_share(poems, table_only, codes, settled) -> dict[str, float]:
    """The share of characters left ○ after each step: table, word, position, usual reading."""
    total = sum(len(line) for lines in poems for line in lines)
    count = Counter()
    for t, c, (shown, how) in zip(table_only, codes, settled):
        count["table"] += sum(line.count(EITHER) for line in t)
        count["word"] += sum(line.count(EITHER) for line in c)
        count["position"] += sum(s.count(EITHER) + sum(1 for x, h in zip(s, w) if h == inference.USUAL)
                                 for s, w in zip(shown, how))
        count["usual"] += sum(line.count(EITHER) for line in shown)
    return {step: count[step] / total for step in ("table", "word", "position", "usual")}


def held_out(poems, codes, tones) -> float:
    """○ share on the odd-numbered poems, the usual readings learned from the even-numbered."""
    counts = inference.count_positions(poems[0::2], codes[0::2], tones[0::2])
    usual = inference.usual_from_counts(counts)
    total = left = 0
    for lines, c, t in zip(poems[1::2], codes[1::2], tones[1::2]):
        by_position = inference.position_readings(c, t)
        for i, (line, line_codes) in enumerate(zip(lines, c)):
            total += len(line)
            left += sum(1 for p, (ch, code) in enumerate(zip(line, line_codes))
                        if code == EITHER and (i, p) not in by_position and ch not in usual)
    return left / total


def draws(poems, table_only, settled, n: int, seed: int = 15) -> list[tuple[int, int, int]]:
    """``n`` random (poem, line, position) among the characters the table leaves undecided and
    the later steps decide."""
    cells = [(k, i, p) for k, t in enumerate(table_only) for i, line in enumerate(t)
             for p, code in enumerate(line) if code == EITHER and settled[k][0][i][p] != EITHER]
    return random.Random(seed).sample(cells, n)


@dataclass
class Accuracy:
    """The hand-checked sample read again: ``by_step`` {step: [right, counted]}; ``either``: both
    readings right for the sense (not counted); ``undecided``: left ○ (not counted)."""

    rows: int
    by_step: dict[str, list[int]]
    either: int
    undecided: int


def accuracy(poems, settled, checked: Path) -> Accuracy:
    """Each character of the hand-checked TSV at ``checked`` read again, by the step that decided
    it. ``ValueError`` when a row no longer names the character it was checked for."""
    checked = Path(checked)
    with checked.open(encoding="utf-8", newline="") as stream:
        rows = list(csv.DictReader(stream, delimiter="\t"))
    by_step: dict[str, list[int]] = {}
    either = undecided = 0
    for row in rows:
        k, i, p = int(row["poem"]), int(row["line"]) - 1, int(row["pos"]) - 1
        if poems[k][i][p] != row["char"]:
            raise ValueError(f"{checked.name}: poem {k} line {i + 1} char {p + 1} is no longer {row['char']}")
        shown, how = settled[k]
        if shown[i][p] == EITHER:
            undecided += 1
        elif row["checked"] == EITHER:
            either += 1
        else:
            hit = by_step.setdefault(STEPS[how[i][p]], [0, 0])
            hit[0] += shown[i][p] == row["checked"]
            hit[1] += 1
    return Accuracy(len(rows), by_step, either, undecided)
