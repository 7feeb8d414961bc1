"""``fluency_bpc`` and ``fluency``: how plausible the lines are as classical verse.

* ``fluency_bpc``: bits per character of the poem's lines under the character 4-gram model of
  the training corpus (``language/ngram.py``): ``-Σ log2 p`` over every character and every
  line end, divided by their number. Lower is more fluent. Each line is scored on its own,
  from ``<s>``.
* ``fluency`` (0–1) is calibrated from the bits the context saves: the bits per character
  under the model's unigram distribution (each character on its own) minus ``fluency_bpc``.
  This is SLOR (Lau, Clark & Lappin 2017), an acceptability measure: it discounts how rare
  the characters are in themselves, so that a poem of rare but well-joined characters is not
  penalised, and common characters in random order (a tone-matched salad) gain nothing.
  With ``z`` its distance below the median of the held-out poems of the same form, in robust
  standard deviations (``language/model.py``): ``fluency = exp(-z² / 8)`` below the median,
  1 at or above it. A poem two deviations worse than the median real poem scores 0.61, four
  worse 0.14. The cap at 1 means a memorised line cannot score above a novel poem of ordinary
  fluency.

Both are ``None`` for an output with no verse.
"""

from __future__ import annotations

import numpy as np

from poetbench.language.model import LanguageModel, shape_of
from poetbench.language import model as language
from poetbench.language.ngram import NgramModel
from poetbench.metrics.context import Poems
from poetbench.text.batch import TextBatch


CHUNK = 1000  # poems per pass of table lookups


def poem_bits(model: NgramModel, poems: list[list[str]] | TextBatch) -> tuple[np.ndarray, np.ndarray]:
    """(bits per character, bits per character saved by the context) of each poem; NaN for a
    poem without lines. Lists go ``CHUNK`` poems a pass; a ``TextBatch`` in one pass."""
    if isinstance(poems, TextBatch):
        return _poem_bits(model, poems)
    parts = [_poem_bits(model, TextBatch(poems[start:start + CHUNK])) for start in range(0, len(poems), CHUNK)]
    if not parts:
        return np.zeros(0), np.zeros(0)
    return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])


def _poem_bits(model: NgramModel, batch: TextBatch) -> tuple[np.ndarray, np.ndarray]:
    if not batch.lines:
        empty = np.full(batch.n, np.nan)
        return empty, empty.copy()
    bits, unigram, tokens = model.line_bits(batch.lines, batch.points)
    total = [np.bincount(batch.poem_of_line, weights=x, minlength=batch.n) for x in (bits, unigram, tokens)]
    with np.errstate(invalid="ignore", divide="ignore"):
        bpc = np.where(total[2] > 0, total[0] / total[2], np.nan)
        saved = np.where(total[2] > 0, (total[1] - total[0]) / total[2], np.nan)
    return bpc, saved


WIDTH = 2.0  # fluency = exp(-z² / (2 · WIDTH²)) below the median of real poems


def calibrated(z: np.ndarray, width: float = WIDTH) -> np.ndarray:
    """0-1 from a distance ``z`` (robust standard deviations worse than the real median):
    1 at or above the median, a half-Gaussian of standard deviation ``width`` below it."""
    return np.exp(-np.maximum(z, 0.0) ** 2 / (2.0 * width ** 2))


def score_many(model: LanguageModel, poems: list[list[str]] | TextBatch, forms: list[str | None]) -> dict[str, list]:
    """Columns ``fluency_bpc`` and ``fluency`` for Simplified ``poems`` (lists of lines, or
    the scorer's ``TextBatch``) of the given forms."""
    bpc, saved = poem_bits(model.ngram, poems)
    median, spread = model.centre("fluency", [shape_of(f) for f in forms])
    fluency = calibrated((median - saved) / spread)
    return {"fluency_bpc": _column(bpc, 3), "fluency": _column(fluency, 3)}


def _column(values: np.ndarray, digits: int) -> list[float | None]:
    return [None if v != v else round(v, digits) for v in values.tolist()]  # v != v: NaN


def measure(poems: Poems) -> dict[str, list]:
    """``fluency_bpc`` and ``fluency`` under the shipped model; ``lm_bpc`` too with a neural
    model (``--lm``)."""
    columns = score_many(language.load(), poems.simplified, poems.column("form"))
    if poems.neural:
        columns["lm_bpc"] = poems.neural.bpc(poems.simplified.poems)
    return columns
