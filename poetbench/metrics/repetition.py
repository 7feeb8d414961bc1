"""Repetition: ``distinct_2``, repeated lines, degenerate loops and overused characters.

* ``distinct_2`` (0-1): distinct character bigrams / all bigrams (inside lines).
* ``repeated_lines``: lines identical to an earlier line of the poem, less a 词's 叠句 (如梦令's
  知否，知否: its tune repeats the line).
* ``loop_bigram_max``: how often the most frequent bigram occurs (degenerate loops repeat one).
* ``char_overuse``: characters used more often than 99% of Tang poems of the same length use
  their most frequent character.
* ``repetition_ok``: no repeated line, no bigram above the Tang 99th percentile, no overuse.

The thresholds are the 99th percentiles over 全唐诗, by poem length in Han characters; run
``python tools/calibrate_repetition.py`` to measure them again.
"""

from __future__ import annotations

import numpy as np

from poetbench import cipu
from poetbench.lookup import BITS
from poetbench.metrics.context import Poems
from poetbench.text.batch import TextBatch

# (longest poem of the bucket in characters, most frequent character q99, most frequent bigram q99)
THRESHOLDS = (
    (20, 3, 2), (28, 3, 2), (40, 4, 2), (56, 5, 3), (80, 7, 4), (120, 9, 5), (200, 13, 6), (400, 24, 13),
    (10 ** 9, 57, 32),
)


def thresholds(n_chars: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(character, bigram) thresholds for poems of ``n_chars`` characters."""
    bucket = np.searchsorted(np.array([t[0] for t in THRESHOLDS]), n_chars)
    return np.array([t[1] for t in THRESHOLDS])[bucket], np.array([t[2] for t in THRESHOLDS])[bucket]


def score_many(batch: TextBatch, excused: list[int] | None = None) -> dict[str, list]:
    """The repetition keys, as one list per key over the poems of ``batch``; ``excused`` lines
    of each poem repeat by rule (a 词's 叠句) and are not counted."""
    n = batch.n
    points, is_char, poem = batch.points, ~batch.is_break, batch.poem_of.astype(np.uint64)
    n_chars = batch.per_poem(is_char)
    char_limit, pair_limit = thresholds(n_chars)

    chars, char_counts = np.unique((poem[is_char] << BITS) | points[is_char], return_counts=True)
    char_poem = (chars >> BITS).astype(np.intp)
    overuse = np.bincount(char_poem[char_counts > char_limit[char_poem]], minlength=n)

    inside = is_char[:-1] & is_char[1:]  # a newline separates lines and poems alike
    pair_keys = (poem[:-1][inside] << BITS << BITS) | (points[:-1][inside] << BITS) | points[1:][inside]
    pairs, pair_counts = np.unique(pair_keys, return_counts=True)
    pair_poem = (pairs >> BITS >> BITS).astype(np.intp)
    total = np.bincount(pair_poem, weights=pair_counts, minlength=n)
    distinct = np.bincount(pair_poem, minlength=n)
    loop = np.zeros(n, dtype=np.int64)
    np.maximum.at(loop, pair_poem, pair_counts)

    repeated = [len(lines) - len(set(lines)) - (excused[i] if excused else 0) for i, lines in enumerate(batch.poems)]
    has_lines = [bool(lines) for lines in batch.poems]
    ok = (np.array(repeated) == 0) & (loop <= pair_limit) & (overuse == 0)
    return {
        "distinct_2": [d / t if t else None for d, t in zip(distinct.tolist(), total.tolist())],
        "repeated_lines": [r if h else None for r, h in zip(repeated, has_lines)],
        "loop_bigram_max": [x if h else None for x, h in zip(loop.tolist(), has_lines)],
        "char_overuse": [x if h else None for x, h in zip(overuse.tolist(), has_lines)],
        "repetition_ok": [x if h else None for x, h in zip(ok.tolist(), has_lines)],
    }


def measure(poems: Poems) -> dict[str, list]:
    excused = [0] * len(poems)
    for i, reading in poems.shared.get("ci", {}).items():  # metrics/form.py's 词 readings
        excused[i] = sum(kind == cipu.SAME and line not in reading.broken_repeats for line, kind in reading.form.repeats)
    return score_many(poems.simplified, excused)
