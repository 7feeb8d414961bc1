"""PoetScore (0-100): one weighted composite, reported next to its parts, never instead of them.

=================  ======  ===================================================================
part               weight  why
=================  ======  ===================================================================
form               20      the first thing a reader sees; 1 for the requested (or a regulated)
                           form, else half the line-length regularity
tone_conformity    20      平仄 is what separates 近体诗 from lines of equal length
rhyme_rate         15      rhyme is audible, but one rhyme group is easier to hit than 平仄
classical_ratio    20      the seed's failure was modern diction in correct shapes
no chatter         5       wrapping is stripped before scoring; it costs little but is counted
originality        10      1 - copy_overlap: reciting 《静夜思》 is not writing (with a reference)
repetition_ok      5       loops and repeated lines are rare but fatal when they occur
adherence          5       doing what the prompt asked (when the prompt says)
=================  ======  ===================================================================

A part that is ``None`` for the poem (no reference corpus, a free prompt) is left out and the
other weights are scaled up to 100. 平仄 and rhyme of a poem that is not 近体诗 count as 0: the
benchmark asks for regulated verse.
"""

from __future__ import annotations

import numpy as np

WEIGHTS = {
    "form": 20, "tone": 20, "rhyme": 15, "classical": 20, "no_chatter": 5, "originality": 10,
    "repetition": 5, "adherence": 5,
}


def _values(record: dict) -> tuple:
    """Each part of PoetScore in 0-1 (None where it does not apply), in the order of WEIGHTS."""
    copied, repeats = record["copy_overlap"], record["repetition_ok"]
    return (
        1.0 if record["form_ok"] else 0.5 * (record["length_regularity"] or 0.0),
        record["tone_conformity"] or 0.0,
        record["rhyme_rate"] or 0.0,
        record["classical_ratio"] or 0.0,
        0.0 if record["chatter"] else 1.0,
        None if copied is None else 1.0 - copied,
        None if repeats is None else float(repeats),
        record["adherence"],
    )


def poetscores(records: list[dict]) -> list[float | None]:
    """The weighted composite of each record, 0-100; None for an output with no verse at all."""
    if not records:
        return []
    values = np.array([[np.nan if v is None else v for v in _values(r)] for r in records], dtype=float)
    weights = np.array(list(WEIGHTS.values()), dtype=float) * ~np.isnan(values)
    scores = np.round(100 * np.nansum(values * weights, axis=1) / weights.sum(axis=1), 2)
    return [float(x) if r["n_lines"] else None for x, r in zip(scores, records)]
