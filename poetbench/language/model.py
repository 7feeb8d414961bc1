"""The shipped language resource: the n-gram model, the association statistics and their
calibration, in one versioned file (``resources/language-v1.npz``, signature ``lm=v1``).

``tools/build_language_model.py`` writes it from the train split of ``poetbench data prepare``
(default corpus, seed and fraction); the held-out poems of that split calibrate it and never go
into it. Scoring needs only this file, never the corpus.

Calibration: for every shape (``SHAPES``: the four regulated forms, and ``other`` for the rest),
the median and the spread (1.4826 × the median absolute deviation, a robust standard
deviation) of the held-out poems' bits per character saved by the context (``fluency``) and of
their coherence log-odds. A 词 (shape ``ci``) is put against the Song ci of the 词谱, whose
calibration the 词谱 resource carries (``tools/build_cipu.py``, ``cipu=v1``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from poetbench import cipu
from poetbench.forms import CI
from poetbench.language.association import Association
from poetbench.language.ngram import NgramModel

VERSION = "v1"
RESOURCE = Path(__file__).resolve().parents[1] / "resources" / f"language-{VERSION}.npz"
SHAPES = ("wujue", "qijue", "wulv", "qilv", "other")
CALIBRATED = ("fluency", "coherence")


@dataclass
class LanguageModel:
    ngram: NgramModel
    association: Association
    calibration: dict[str, dict[str, tuple[float, float]]]  # metric -> shape -> (median, spread)

    def centre(self, metric: str, shapes: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """(median, spread) of the held-out poems of each shape (``other`` for an unknown one)."""
        table = self.calibration[metric]
        pairs = [table.get(shape, table["other"]) for shape in shapes]
        return np.array([p[0] for p in pairs]), np.array([p[1] for p in pairs])


def shape_of(form: str | None) -> str:
    return form if form in SHAPES or form == CI else "other"


def robust_centre(values: np.ndarray) -> tuple[float, float]:
    """(median, 1.4826 × median absolute deviation) of ``values``."""
    median = float(np.median(values))
    return median, float(1.4826 * np.median(np.abs(values - median)))


def save(model: LanguageModel, path: Path) -> None:
    arrays = {f"ngram_{k}": v for k, v in model.ngram.arrays().items()}
    a = model.association
    arrays.update({
        "assoc_chars": np.array(["".join(sorted(a.chars, key=a.chars.get))]),
        "assoc_vectors": a.vectors.astype(np.float16),
        "assoc_left": a.left.astype(np.float16), "assoc_right": a.right.astype(np.float16),
        "assoc_weights": a.weights, "assoc_scale": a.scale,
    })
    for metric in CALIBRATED:
        arrays[f"calibration_{metric}"] = np.array([model.calibration[metric][s] for s in SHAPES])
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, **arrays)


@lru_cache(maxsize=4)
def load(path: Path = RESOURCE, with_ci: bool = True) -> LanguageModel:
    """The language model at ``path``, with the 词 calibration of the 词谱 unless ``with_ci`` is
    false (``tools/build_cipu.py``, which makes it)."""
    with np.load(path) as data:
        ngram = NgramModel.from_arrays(_Prefixed(data, "ngram_"))
        chars = {c: i for i, c in enumerate(str(data["assoc_chars"][0]))}
        association = Association(
            chars, data["assoc_vectors"].astype(np.float32), data["assoc_left"].astype(np.float32),
            data["assoc_right"].astype(np.float32), data["assoc_weights"], data["assoc_scale"])
        calibration = {metric: {s: tuple(map(float, row)) for s, row in zip(SHAPES, data[f"calibration_{metric}"])}
                       for metric in CALIBRATED}
    if with_ci:
        for metric, centre in cipu.calibration().items():
            calibration[metric][CI] = tuple(centre)
    return LanguageModel(ngram, association, calibration)


class _Prefixed:
    """The arrays of an npz file whose names start with ``prefix``, without it."""

    def __init__(self, data, prefix: str):
        self._data, self._prefix = data, prefix
        self.files = [name[len(prefix):] for name in data.files if name.startswith(prefix)]

    def __getitem__(self, name: str):
        return self._data[self._prefix + name]
