"""``poetbench calibrate``: how well each metric agrees with human ratings.

Input: a JSONL file, one poem per row, with the text (``text``, or ``--text-field``) and one
numeric rating per ``--field`` (for example expert scores of fluency, coherence, meaning and
overall quality). Every row is scored; then, for every numeric metric of the score record and
for PoetScore, against every rating field:

* Spearman's ρ (Pearson's correlation of average ranks) and Kendall's τ-b (ties counted in
  neither direction);
* a 95% percentile-bootstrap CI for each, resampling poems (``stats.N_RESAMPLES`` resamples,
  seed ``stats.SEED``). Kendall's τ of a resample is computed from the full sample's pairwise
  sign matrices weighted by how often each poem was drawn, which is exact and needs no re-sort;
* ``n``: the poems where both the metric and the rating are present.

A metric that is the same for every poem has no correlation (``None``).
"""

from __future__ import annotations

import numpy as np

from poetbench.jsonl import InputError, read_rows
from poetbench.scoring import Scorer
from poetbench.stats import N_RESAMPLES, SEED, average_ranks

METRICS = ("length_regularity", "form_ok", "tone_conformity", "tone_ok", "rhyme_ok", "rhyme_rate", "classical_ratio",
           "vernacular_markers", "fluency_bpc", "fluency", "coherence", "chatter", "distinct_2", "repeated_lines",
           "loop_bigram_max", "char_overuse", "repetition_ok", "copy_overlap", "copy_span", "verbatim_lines",
           "adherence", "poetscore")


def read_ratings(path: str, fields: list[str], text_field: str = "text") -> tuple[list[str], dict[str, np.ndarray]]:
    """(texts, {field: ratings}) of a ratings file; a missing rating is NaN, a bad one an error."""
    texts, ratings = [], {field: [] for field in fields}
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
            ratings[field].append(np.nan if value is None else float(value))
    if not texts:
        raise InputError(f"{path}: no rows; give a JSONL file with a text and a rating per poem")
    for field, values in ratings.items():
        if np.all(np.isnan(values)):
            raise InputError(f"{path}: no row has a rating {field!r}; check the --field name")
    return texts, {field: np.array(values) for field, values in ratings.items()}


def spearman(x: np.ndarray, y: np.ndarray) -> float | None:
    rx, ry = average_ranks(x), average_ranks(y)
    if rx.std() == 0 or ry.std() == 0:
        return None
    return float(np.corrcoef(rx, ry)[0, 1])


def _signs(x: np.ndarray) -> np.ndarray:
    return np.sign(x[:, None] - x[None, :])


def kendall(x: np.ndarray, y: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray | float | None:
    """Kendall's τ-b of ``x`` and ``y``; with ``weights`` (resamples × n counts of each poem
    drawn), the τ-b of every resample at once."""
    sx, sy = _signs(x), _signs(y)
    if weights is None:
        concordance, tied_x, tied_y = (sx * sy).sum(), np.abs(sx).sum(), np.abs(sy).sum()
        return None if tied_x == 0 or tied_y == 0 else float(concordance / np.sqrt(tied_x * tied_y))
    quadratic = lambda m: np.einsum("bi,ij,bj->b", weights, m, weights)  # noqa: E731
    denominator = np.sqrt(quadratic(np.abs(sx)) * quadratic(np.abs(sy)))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(denominator > 0, quadratic(sx * sy) / denominator, np.nan)


def correlate(x: np.ndarray, y: np.ndarray, resamples: int = N_RESAMPLES, seed: int = SEED) -> dict:
    """Spearman and Kendall of the pairs where both are present, with bootstrap CIs."""
    keep = ~(np.isnan(x) | np.isnan(y))
    x, y = x[keep], y[keep]
    out = {"n": int(len(x))}
    rho, tau = (spearman(x, y), kendall(x, y)) if len(x) >= 3 else (None, None)
    if rho is None or tau is None:
        return {**out, "spearman": None, "spearman_ci": None, "kendall": None, "kendall_ci": None}
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, len(x), size=(resamples, len(x)))
    rhos = np.array([spearman(x[d], y[d]) for d in draws], dtype=float)
    weights = np.stack([np.bincount(d, minlength=len(x)) for d in draws]).astype(float)
    taus = kendall(x, y, weights)
    return {**out, "spearman": round(rho, 4), "spearman_ci": _ci(rhos), "kendall": round(tau, 4), "kendall_ci": _ci(taus)}


def _ci(values: np.ndarray) -> list[float] | None:
    values = values[~np.isnan(values)]
    return [round(float(np.percentile(values, 2.5)), 4), round(float(np.percentile(values, 97.5)), 4)] if len(values) else None


def calibrate(path: str, fields: list[str], scorer: Scorer, text_field: str = "text") -> dict:
    """``{signature, n, fields: {field: {metric: correlation}}}`` for a ratings file."""
    texts, ratings = read_ratings(path, fields, text_field)
    records = scorer.score_many(texts)
    columns = {m: np.array([np.nan if r[m] is None else float(r[m]) for r in records]) for m in METRICS}
    return {"signature": scorer.signature, "n": len(texts),
            "fields": {field: {m: correlate(columns[m], ratings[field]) for m in METRICS} for field in fields}}


def format_table(result: dict) -> str:
    """One markdown table per rating field: ρ and τ with their CIs, strongest |ρ| first."""
    out = [f"`{result['signature']}`, {result['n']} poems"]
    for field, table in result["fields"].items():
        out += ["", f"rating: {field}", "", "| metric | n | Spearman ρ [95% CI] | Kendall τ-b [95% CI] |", "|---|---|---|---|"]
        order = sorted(table, key=lambda m: -abs(table[m]["spearman"] or 0))
        for metric in order:
            c = table[metric]
            if c["spearman"] is None:
                out.append(f"| {metric} | {c['n']} | — | — |")
                continue
            out.append(f"| {metric} | {c['n']} | {c['spearman']:+.3f} [{c['spearman_ci'][0]:+.3f}, {c['spearman_ci'][1]:+.3f}] "
                       f"| {c['kendall']:+.3f} [{c['kendall_ci'][0]:+.3f}, {c['kendall_ci'][1]:+.3f}] |")
    return "\n".join(out)
