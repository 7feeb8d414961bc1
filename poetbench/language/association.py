"""Whether a poem's lines belong together: association statistics of the training corpus.

The rules:

* **Topic.** Characters that share poems share topics (山/云/猿, 酒/醉/杯). Each character has
  a vector: the top ``DIM`` dimensions of the SVD of its positive pointwise mutual information
  (PPMI) with every other character, counted over the poems that contain both (context
  distribution smoothed with exponent 0.75, Levy et al. 2015). Two lines' association is the
  dot product of their characters' mean vectors (≈ their mean PMI). Two features: the mean over
  all pairs of lines (``topic``), and over the two lines of each couplet (``couplet``), which
  belong together most closely.
* **Parallelism** (``parallel``). The two lines of a couplet answer each other character by
  character (对仗: 山/水, 红/绿, 三/万, 来/去). The PPMI of the character at position k of a
  couplet's first line with the character at position k of its second line, counted over the
  training couplets, is factorised the same way into ``PARALLEL_DIM`` dimensions: a left
  vector for the first line's character and a right vector for the second's. Their dot
  product scores a pair never seen together by the classes the two belong to (colour against
  colour, number against number). A poem's parallelism is the mean over its couplets'
  aligned pairs.
* **Repeats** (``repeats``): the share of characters already used in an earlier line. 近体诗
  avoids 重字: a poet composing one poem rarely reuses a character, while lines taken from
  different poems reuse the common ones (不, 人, 山, 风) by chance.
* **Combination.** ``weights`` are a logistic regression of real poems against the same poems
  with their lines shuffled among poems of the same form (the four features, standardised),
  fitted on a tenth of the training poems that the statistics used for the fit left out; the
  log-odds that the lines belong together is the raw coherence. ``metrics/coherence.py`` maps
  it to 0–1.

Characters outside the vocabulary (fewer than ``MIN_POEMS`` training poems) are left out.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

DIM = 256
PARALLEL_DIM = 64
MIN_POEMS = 5


@dataclass
class Association:
    chars: dict[str, int]
    vectors: np.ndarray  # (vocabulary, DIM): topic vectors
    left: np.ndarray  # (vocabulary, PARALLEL_DIM): a character in a couplet's first line
    right: np.ndarray  # (vocabulary, PARALLEL_DIM): a character in its second line
    weights: np.ndarray  # (topic, couplet, parallel, repeats, bias) on standardised features
    scale: np.ndarray  # (means, standard deviations) of the features of the fitting poems, 2 × 4

    def features(self, poems: list[list[str]]) -> np.ndarray:
        """(topic, couplet, parallel, repeats) of each poem's lines, one row per poem; NaN
        below two lines."""
        out = np.full((len(poems), 4), np.nan)
        get = self.chars.get
        zero = np.zeros(self.vectors.shape[1], dtype=self.vectors.dtype)
        first, second, owner = [], [], []
        for number, poem in enumerate(poems):
            if len(poem) < 2:
                continue
            ids = [[i for i in map(get, line) if i is not None] for line in poem]
            means = np.array([self.vectors[i].mean(axis=0) if i else zero for i in ids], dtype=float)
            dots = means @ means.T
            out[number, 0] = dots[np.triu_indices(len(poem), 1)].mean()
            out[number, 1] = np.mean([dots[k, k + 1] for k in range(0, len(poem) - 1, 2)])
            out[number, 3] = _repeats(poem)
            for a, b in zip(poem[0::2], poem[1::2]):
                if len(a) == len(b):
                    for x, y in zip(a, b):
                        i, j = get(x), get(y)
                        if i is not None and j is not None:
                            first.append(i)
                            second.append(j)
                            owner.append(number)
        owner = np.array(owner, dtype=np.intp)
        pairs = np.einsum("ij,ij->i", self.left[first].astype(float), self.right[second].astype(float)) if first else np.zeros(0)
        n = np.bincount(owner, minlength=len(poems))
        sums = np.bincount(owner, weights=pairs, minlength=len(poems))
        has_lines = ~np.isnan(out[:, 0])
        out[has_lines, 2] = sums[has_lines] / np.maximum(n[has_lines], 1)
        return out

    def log_odds(self, poems: list[list[str]]) -> np.ndarray:
        """The raw coherence of each poem: log-odds that its lines belong together (NaN below
        two lines)."""
        return _log_odds(self.features(poems), self.scale, self.weights)


def _repeats(poem: list[str]) -> float:
    """The share of a poem's characters that an earlier line already used (each once per line)."""
    seen: set[str] = set()
    repeated = 0
    for line in poem:
        chars = set(line)
        repeated += len(chars & seen)
        seen |= chars
    return repeated / max(sum(map(len, poem)), 1)


def _standardise(x: np.ndarray, scale: np.ndarray) -> np.ndarray:
    return (x - scale[0]) / scale[1]


def _log_odds(x: np.ndarray, scale: np.ndarray, weights: np.ndarray) -> np.ndarray:
    return _standardise(x, scale) @ weights[:-1] + weights[-1]


# ---- estimation ---------------------------------------------------------------------------


def build(poems: list[list[str]], seed: int = 0) -> Association:
    """Estimate the statistics from training ``poems`` (Simplified lines); ``fit`` the weights."""
    counts: dict[str, int] = {}
    for poem in poems:
        for c in set("".join(poem)):
            counts[c] = counts.get(c, 0) + 1
    vocab = sorted((c for c, k in counts.items() if k >= MIN_POEMS), key=lambda c: (-counts[c], c))
    chars = {c: i for i, c in enumerate(vocab)}
    size = len(vocab)

    incidence = np.zeros((len(poems), size), dtype=np.float32)
    aligned = np.zeros((size, size), dtype=np.float32)
    for row, poem in enumerate(poems):
        incidence[row, [chars[c] for c in set("".join(poem)) if c in chars]] = 1.0
        for a, b in zip(poem[0::2], poem[1::2]):
            if len(a) == len(b):
                for x, y in zip(a, b):
                    if x in chars and y in chars:
                        aligned[chars[x], chars[y]] += 1.0
    together = incidence.T @ incidence
    np.fill_diagonal(together, 0.0)
    rng = np.random.default_rng(seed)
    vectors, _ = _factorise(_ppmi(together), DIM, rng)
    left, right = _factorise(_ppmi(aligned), PARALLEL_DIM, rng)
    return Association(chars, vectors.astype(np.float32), left.astype(np.float32), right.astype(np.float32),
                       np.array([1.0, 1.0, 1.0, -1.0, 0.0]), np.array([np.zeros(4), np.ones(4)]))


def _ppmi(counts: np.ndarray) -> np.ndarray:
    """Positive PMI of a count matrix, the context (column) distribution smoothed by ^0.75."""
    total = counts.sum()
    rows = counts.sum(axis=1)
    context = counts.sum(axis=0) ** 0.75
    context /= context.sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        pmi = np.log(counts / total) - np.log(rows / total)[:, None] - np.log(context)[None, :]
    return np.maximum(np.nan_to_num(pmi, nan=0.0, neginf=0.0), 0.0).astype(np.float32)


def _factorise(matrix: np.ndarray, dim: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Left and right factors ``U√S`` and ``V√S`` of a truncated SVD (randomised, Halko et al.
    2011: three power iterations)."""
    basis = np.linalg.qr(matrix @ rng.standard_normal((matrix.shape[1], dim + 20)).astype(np.float32))[0]
    for _ in range(3):
        basis = np.linalg.qr(matrix @ (matrix.T @ basis))[0]
    u, s, vt = np.linalg.svd(basis.T @ matrix, full_matrices=False)
    root = np.sqrt(s[:dim])
    return (basis @ u)[:, :dim] * root, vt[:dim].T * root


def fit(model: Association, real: list[list[str]], shuffled: list[list[str]]) -> tuple[np.ndarray, np.ndarray]:
    """(scale, weights) of a logistic regression of ``real`` poems (1) against ``shuffled``
    ones (0) on ``model``'s features. Fit on poems the statistics never saw: their own
    co-occurrences would make every training poem look coherent."""
    real_x, fake_x = model.features(real), model.features(shuffled)
    real_x, fake_x = real_x[~np.isnan(real_x[:, 0])], fake_x[~np.isnan(fake_x[:, 0])]
    x = np.vstack([real_x, fake_x])
    scale = np.array([x.mean(axis=0), x.std(axis=0)])
    weights = _fit_logistic(_standardise(x, scale), np.r_[np.ones(len(real_x)), np.zeros(len(fake_x))])
    return scale, weights


def _fit_logistic(x: np.ndarray, y: np.ndarray, steps: int = 50) -> np.ndarray:
    """Weights and bias of a logistic regression by Newton's method (four features: no library)."""
    design = np.hstack([x, np.ones((len(x), 1))])
    w = np.zeros(design.shape[1])
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-design @ w))
        gradient = design.T @ (y - p)
        hessian = (design * (p * (1 - p))[:, None]).T @ design + 1e-6 * np.eye(len(w))
        w += np.linalg.solve(hessian, gradient)
    return w
