"""``poetbench calibrate``: how well each metric agrees with human ratings.

Input: a JSONL file, one poem per row, with the text (``text``, or ``--text-field``) and one
numeric rating per ``--field`` (for example expert scores of fluency, coherence, meaning and
overall quality). Every row is scored; then, for every numeric metric of the score record and
for PoetScore, against every rating field:

* Spearman's ρ (Pearson's correlation of average ranks) and Kendall's τ-b (ties counted in
  neither direction);
* a 95% CI for each by the Fisher z transformation, z = atanh(r) ± 1.96·se, back through tanh,
  with se² = (1 + ρ²/2) / (n − 3) for ρ (Bonett & Wright 2000) and 0.437 / (n − 4) for τ
  (Fieller, Hartley & Pearson 1957). Unlike the percentile bootstrap it replaced, the interval
  always holds its own estimate, and it is exact arithmetic (no resampling, no seed); it is
  rough below ``SMALL_N`` poems, and the table says so. A ρ or τ of exactly ±1 gets no width;
* ``n``: the poems where both the metric and the rating are present.

A cell has no correlation (``None``) and says why (``why``) when fewer than ``MIN_POEMS`` poems
have both values (τ's interval needs n > 4), when the rating or the metric is the same for every
one of them, or when the metric has no value for any. A row without a rating for a field is
left out of that field's correlations, and counted: ``ratings[field]`` holds how many rows were
rated, how many were skipped and the first of their lines, and the table's heading says it.
"""

from __future__ import annotations

import math

import numpy as np

from poetbench.jsonl import InputError, read_rows
from poetbench.metrics import registry
from poetbench.scoring import Scorer
from poetbench.stats import average_ranks

MIN_POEMS = 5  # fewest poems with a metric and a rating for ρ, τ and their intervals
SMALL_N = 10  # below this many poems the intervals are rough, and the table says so
Z_95 = 1.959963984540054
SHOWN_LINES = 10  # skipped rows whose lines are listed



def read_ratings(path: str, fields: list[str], text_field: str = "text") -> tuple[list[str], dict[str, np.ndarray], dict]:
    """(texts, {field: ratings}, {field: {rated, skipped, skipped_lines}}) of a ratings file; a
    missing rating is NaN (and counted), a bad one an error."""
    texts, ratings = [], {field: [] for field in fields}
    missing: dict[str, list[int]] = {field: [] for field in fields}
    for row in read_rows(path):
        if row.data is None:
            raise InputError(row.error)
        text = row.data.get(text_field)
        if not isinstance(text, str):
            raise InputError(f"{path}:{row.line}: no text in field {text_field!r}; name it with --text-field")
        texts.append(text)
        for field in fields:
            value = row.data.get(field)
            if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))):
                raise InputError(f"{path}:{row.line}: rating {field!r} is {value!r}, not a number")
            if value is None or not math.isfinite(value):
                missing[field].append(row.line)
                value = None
            ratings[field].append(np.nan if value is None else float(value))
    if not texts:
        raise InputError(f"{path}: no rows; give a JSONL file with a text and a rating per poem")
    for field, values in ratings.items():
        if np.all(np.isnan(values)):
            raise InputError(f"{path}: no row has a rating {field!r}; check the --field name")
    counts = {field: {"rated": len(texts) - len(lines), "skipped": len(lines), "skipped_lines": lines[:SHOWN_LINES]}
              for field, lines in missing.items()}
    return texts, {field: np.array(values) for field, values in ratings.items()}, counts


def spearman(x: np.ndarray, y: np.ndarray) -> float | None:
    rx, ry = average_ranks(x), average_ranks(y)
    if rx.std() == 0 or ry.std() == 0:
        return None
    return float(np.corrcoef(rx, ry)[0, 1])


def _signs(x: np.ndarray) -> np.ndarray:
    return np.sign(x[:, None] - x[None, :])


def kendall(x: np.ndarray, y: np.ndarray) -> float | None:
    """Kendall's τ-b of ``x`` and ``y``."""
    sx, sy = _signs(x), _signs(y)
    concordance, tied_x, tied_y = (sx * sy).sum(), np.abs(sx).sum(), np.abs(sy).sum()
    return None if tied_x == 0 or tied_y == 0 else float(concordance / np.sqrt(tied_x * tied_y))


def fisher_ci(r: float, se: float) -> list[float]:
    """The 95% interval of a correlation ``r`` whose Fisher z has standard error ``se``."""
    if abs(r) >= 1:
        return [round(r, 4), round(r, 4)]
    z = math.atanh(r)
    return [round(math.tanh(z - Z_95 * se), 4), round(math.tanh(z + Z_95 * se), 4)]


def correlate(x: np.ndarray, y: np.ndarray) -> dict:
    """Spearman and Kendall of the pairs where both are present, with Fisher z CIs, or ``why``
    there is none."""
    keep = ~(np.isnan(x) | np.isnan(y))
    x, y = x[keep], y[keep]
    n = int(len(x))
    none = {"n": n, "spearman": None, "spearman_ci": None, "kendall": None, "kendall_ci": None}
    if n == 0:
        return {**none, "why": "the metric has no value for any rated poem"}
    if n < MIN_POEMS:
        return {**none, "why": f"too few poems with both values ({n}; needs {MIN_POEMS})"}
    if np.all(y == y[0]):
        return {**none, "why": f"the rating is the same ({y[0]:g}) for every poem"}
    if np.all(x == x[0]):
        return {**none, "why": f"the metric is the same ({x[0]:g}) for every rated poem"}
    rho, tau = spearman(x, y), kendall(x, y)
    return {"n": n, "spearman": round(rho, 4), "spearman_ci": fisher_ci(rho, math.sqrt((1 + rho ** 2 / 2) / (n - 3))),
            "kendall": round(tau, 4), "kendall_ci": fisher_ci(tau, math.sqrt(0.437 / (n - 4)))}


def calibrate(path: str, fields: list[str], scorer: Scorer, text_field: str = "text") -> dict:
    """``{signature, n, ratings: {field: counts}, fields: {field: {metric: correlation}}}`` for a
    ratings file."""
    texts, ratings, counts = read_ratings(path, fields, text_field)
    records = scorer.score_many(texts)
    metrics = registry.shown_in("calibrate")
    columns = {m: np.array([np.nan if r[m] is None else float(r[m]) for r in records]) for m in metrics}
    return {"signature": scorer.signature, "n": len(texts), "method": "Spearman ρ and Kendall τ-b, 95% Fisher z intervals",
            "ratings": counts, "fields": {field: {m: correlate(columns[m], ratings[field]) for m in metrics} for field in fields}}


def format_table(result: dict) -> str:
    """One markdown table per rating field: ρ and τ with their CIs, strongest |ρ| first; an empty
    cell says why, and the heading how many rows had no rating."""
    out = [f"`{result['signature']}`, {result['n']} poems; 95% CIs by the Fisher z transformation"]
    for field, table in result["fields"].items():
        counts = result["ratings"][field]
        heading = f"rating: {field}"
        if counts["skipped"]:
            lines = ", ".join(map(str, counts["skipped_lines"])) + (", …" if counts["skipped"] > len(counts["skipped_lines"]) else "")
            heading += (f" ({counts['rated']} of {result['n']} rows rated; {counts['skipped']} without a rating skipped: "
                        f"line{'s' if counts['skipped'] > 1 else ''} {lines})")
        out += ["", heading, "", "| metric | n | Spearman ρ [95% CI] | Kendall τ-b [95% CI] |", "|---|---|---|---|"]
        order = sorted(table, key=lambda m: -abs(table[m]["spearman"] or 0))
        for metric in order:
            c = table[metric]
            if c["spearman"] is None:
                out.append(f"| {metric} | {c['n']} | — ({c['why']}) | — |")
                continue
            out.append(f"| {metric} | {c['n']} | {c['spearman']:+.3f} [{c['spearman_ci'][0]:+.3f}, {c['spearman_ci'][1]:+.3f}] "
                       f"| {c['kendall']:+.3f} [{c['kendall_ci'][0]:+.3f}, {c['kendall_ci'][1]:+.3f}] |")
        small = sorted({c["n"] for c in table.values() if c["spearman"] is not None and c["n"] < SMALL_N})
        if small:
            out += ["", f"note: n = {', '.join(map(str, small))} is below {SMALL_N}: the intervals are rough there, "
                        "and a ρ or τ of ±1 gets no width"]
    return "\n".join(out)
