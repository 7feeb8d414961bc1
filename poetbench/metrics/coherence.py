"""``coherence`` (0–1): whether the poem's lines belong together.

The raw score is the log-odds that the lines come from one poem rather than from several poems
of the same form (``language/association.py``): the lines' shared topic (mean PMI of their
characters, through character vectors) and the couplets' parallelism (对仗: PMI of the
characters at the same position in the two lines), weighted by a logistic regression fitted
on training poems against their own line shuffles. It is calibrated like ``fluency``, only
narrower: 1 at or above the median of real held-out poems of the same form, ``exp(-z² / 4.5)``
below it (``z`` in robust standard deviations, ``WIDTH`` 1.5: a poem 1.5 deviations below the
median scores 0.61, three below 0.14). The width was chosen with ``poetbench audit``: wider
lets lines of different poems through, narrower punishes real poems (README, "PoetScore v2").

``None`` for fewer than two lines.
"""

from __future__ import annotations

from poetbench.language import model as language
from poetbench.language.model import LanguageModel, shape_of
from poetbench.metrics.context import Poems
from poetbench.metrics.fluency import _column, calibrated
from poetbench.text.batch import TextBatch

WIDTH = 1.5


def score_many(model: LanguageModel, poems: list[list[str]] | TextBatch, forms: list[str | None]) -> list[float | None]:
    """The ``coherence`` column for Simplified ``poems`` (lists of lines, or the scorer's
    ``TextBatch``) of the given forms."""
    odds = model.association.log_odds(poems)
    median, spread = model.centre("coherence", [shape_of(f) for f in forms])
    return _column(calibrated((median - odds) / spread, WIDTH), 3)


def measure(poems: Poems) -> dict[str, list]:
    return {"coherence": score_many(language.load(), poems.simplified, poems.column("form"))}
