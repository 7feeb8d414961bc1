"""Diversity across one label's outputs: does the model write many poems, or one poem many times?

Repetition inside a poem is ``metrics/repetition.py``'s business; this module looks across all
the poems a label wrote for an eval set (Simplified script, as the metrics read it):

* ``distinct_1``, ``distinct_2``, ``distinct_3``: distinct character n-grams (inside lines)
  over all n-grams of all poems (Li et al. 2016, "distinct-n", over the whole set);
* ``shared_first_line``: the share of poems whose first line is also the first line of another
  poem of the label;
* ``top_lines``: the most repeated lines (at most ``TOP``, each in at least two poems), with
  the number of poems that hold them;
* ``mode_collapse``: ``shared_first_line`` at or above ``COLLAPSE`` — a quarter of the poems
  open with a line another poem also opens with.

``RUN_METRICS`` are the two numbers the gate compares with a tolerance, like any metric.
"""

from __future__ import annotations

from collections import Counter

COLLAPSE = 0.25
TOP = 5
RUN_METRICS = {"run_distinct_2": "distinct_2", "shared_first_line": "shared_first_line"}


def diversity(poems: list[list[str]]) -> dict:
    """The diversity of a label's poems (each a list of Simplified lines; empty: no verse)."""
    poems = [p for p in poems if p]
    out: dict = {"poems": len(poems)}
    for n in (1, 2, 3):
        grams = [line[k:k + n] for poem in poems for line in poem for k in range(len(line) - n + 1)]
        out[f"distinct_{n}"] = round(len(set(grams)) / len(grams), 4) if grams else None
    firsts = Counter(poem[0] for poem in poems)
    shared = sum(count for count in firsts.values() if count > 1)
    out["shared_first_line"] = round(shared / len(poems), 4) if poems else None
    holders = Counter(line for poem in poems for line in set(poem))
    out["top_lines"] = [{"line": line, "poems": count} for line, count in holders.most_common(TOP) if count > 1]
    out["mode_collapse"] = bool(poems) and out["shared_first_line"] >= COLLAPSE
    return out
