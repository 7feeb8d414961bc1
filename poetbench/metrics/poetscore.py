"""PoetScore v2 (0-100): craft, gated by language. Reported next to its parts, never instead.

    PoetScore = 100 × craft × fluency × coherence × linkage × repetition

**Craft** is a weighted mean of what a reader checks on the page:

=================  ======  ===================================================================
part               weight  why
=================  ======  ===================================================================
form               20      1 for the requested (or a regulated) form, else half the line-length
                           regularity
tone_conformity    20      律句: each line's 平仄 against the template
rhyme_rate         15      rhyme is audible, but one rhyme group is easier to hit than 平仄
classical_ratio    15      the seed's failure was modern diction in correct shapes
originality        15      1 - copy_overlap: reciting 《静夜思》 is not writing (with a reference)
adherence          15      doing what the prompt asked (when the prompt says)
=================  ======  ===================================================================

A part that is ``None`` for the poem (no reference corpus, a free prompt) is left out and the
other weights scaled up. 平仄 and rhyme of a poem that is not 近体诗 count as 0.

**The gates** multiply: they are 1 for a real poem of ordinary quality and fall towards 0 for
text that has the shape and no sense, so that form and meter earn nothing without language.

* ``fluency`` and ``coherence`` (0-1, calibrated on real held-out poems: 1 at their median or
  better);
* ``linkage`` (粘对): the share of lines after the first that keep 粘 and 对 with the line before
  (from ``tone_violations``), a line that breaks its own pattern aside (craft has counted it,
  and its relation to the line before is then ill-defined). It is how a regulated poem chains
  its lines in sound; good lines pulled from different poems break it. 1 when 平仄 is not
  measured (craft has already counted that);
* ``repetition``: 1, or 0.2 when ``repetition_ok`` is false (loops, repeated lines).

A gate that is ``None`` (no lines to measure) counts as 1. ``chatter`` is no part of PoetScore:
the same poem scores the same inside a chat reply or bare (chatter is reported on its own).
``poetbench audit`` measures how well this separates real poems from controls (README,
"PoetScore v2").
"""

from __future__ import annotations

import math

import numpy as np

from poetbench.metrics.context import Poems

VERSION = "v2"
CRAFT_WEIGHTS = {"form": 20, "tone": 20, "rhyme": 15, "classical": 15, "originality": 15, "adherence": 15}
REPETITION_GATE = 0.2
LINKAGE_RULES = ("nian", "dui")


def _craft_values(record: dict) -> tuple:
    """Each craft part in 0-1 (None where it does not apply), in the order of CRAFT_WEIGHTS."""
    copied = record["copy_overlap"]
    return (
        1.0 if record["form_ok"] else 0.5 * (record["length_regularity"] or 0.0),
        record["tone_conformity"] or 0.0,
        record["rhyme_rate"] or 0.0,
        record["classical_ratio"] or 0.0,
        None if copied is None else 1.0 - copied,
        record["adherence"],
    )


def linkage(record: dict) -> float | None:
    """粘对: the share of lines after the first with no 粘 or 对 violation, among those that keep
    their own pattern (None: not measured)."""
    violations = record["tone_violations"]
    if violations is None or record["n_lines"] < 2:
        return None
    own = {v["line"] for v in violations if v["rule"] not in LINKAGE_RULES}
    broken = {v["line"] for v in violations if v["rule"] in LINKAGE_RULES} - own
    return 1.0 - len(broken) / (record["n_lines"] - 1)


def gates(record: dict) -> dict[str, float]:
    """The four gates of one record, each in 0-1."""
    repeats = record["repetition_ok"]
    values = {
        "fluency": record["fluency"],
        "coherence": record["coherence"],
        "linkage": linkage(record),
        "repetition": None if repeats is None else (1.0 if repeats else REPETITION_GATE),
    }
    return {name: 1.0 if value is None else value for name, value in values.items()}


def crafts(records: list[dict]) -> np.ndarray:
    """The craft part of each record, 0-1: the weighted mean of the parts that apply."""
    values = np.array([[np.nan if v is None else v for v in _craft_values(r)] for r in records], dtype=float)
    weights = np.array(list(CRAFT_WEIGHTS.values()), dtype=float) * ~np.isnan(values)
    return np.nansum(values * weights, axis=1) / weights.sum(axis=1)


def poetscores(records: list[dict]) -> list[float | None]:
    """PoetScore of each record, 0-100; None for an output with no verse at all."""
    if not records:
        return []
    products = np.array([math.prod(gates(r).values()) for r in records])
    scores = np.round(100 * crafts(records) * products, 2)
    return [float(x) if r["n_lines"] else None for x, r in zip(scores, records)]


def measure(poems: Poems) -> dict[str, list]:
    """``poetscore``, from every other key of the records (the last producer)."""
    return {"poetscore": poetscores(poems.records)}
