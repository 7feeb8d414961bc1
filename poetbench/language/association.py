"""Whether a poem's lines belong together: association statistics of the training corpus.

The rules:

* **Topic.** Characters that share poems share topics (山/云/猿, 酒/醉/杯). Each character has
  a vector: the top ``DIM`` (128) dimensions of the SVD of its positive pointwise mutual information
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

from poetbench.lookup import code_point_table
from poetbench.text.batch import TextBatch

DIM = 128
PARALLEL_DIM = 64
MIN_POEMS = 5
CHUNK = 1000  # poems per array pass


@dataclass
class Association:
    chars: dict[str, int]
    vectors: np.ndarray  # (vocabulary, DIM): topic vectors
    left: np.ndarray  # (vocabulary, PARALLEL_DIM): a character in a couplet's first line
    right: np.ndarray  # (vocabulary, PARALLEL_DIM): a character in its second line
    weights: np.ndarray  # (topic, couplet, parallel, repeats, bias) on standardised features
    scale: np.ndarray  # (means, standard deviations) of the features of the fitting poems, 2 × 4

    def __post_init__(self):
        # one character's vector in consecutive memory: the lookups gather rows (an SVD factor
        # comes out column-major, and np.load keeps a stored array's order)
        for name in ("vectors", "left", "right"):
            setattr(self, name, np.ascontiguousarray(getattr(self, name), dtype=np.float32))

    def features(self, poems: list[list[str]] | TextBatch) -> np.ndarray:
        """(topic, couplet, parallel, repeats) of each poem's lines, one row per poem; NaN
        below two lines. Array operations over all poems, ``CHUNK`` poems at a time; a
        ``TextBatch`` (the scorer's, already encoded) in one pass."""
        if isinstance(poems, TextBatch):
            return self._features(poems)
        out = np.full((len(poems), 4), np.nan)
        for start in range(0, len(poems), CHUNK):
            out[start:start + CHUNK] = self._features(TextBatch(poems[start:start + CHUNK]))
        return out

    def _padded(self) -> np.ndarray:
        """The topic vectors and a zero row after them (for characters out of the vocabulary)."""
        if getattr(self, "_zero_padded", None) is None:
            self._zero_padded = np.vstack([self.vectors, np.zeros((1, self.vectors.shape[1]), dtype=self.vectors.dtype)])
        return self._zero_padded

    def _lookup(self) -> np.ndarray:
        """The vocabulary id of every code point (-1: not in the vocabulary), built once."""
        if getattr(self, "_ids", None) is None:
            self._ids = code_point_table(self.chars, -1)
        return self._ids

    def _features(self, batch: TextBatch) -> np.ndarray:
        n_poems, n_lines = batch.n, len(batch.lines)
        out = np.full((n_poems, 4), np.nan)
        if not n_lines:
            return out
        table = self._lookup()
        chars = ~batch.is_break
        ids = np.where(chars, table[np.minimum(batch.points, len(table) - 1).astype(np.intp)], -1)
        poem_of_line = batch.poem_of_line
        lines_in_poem = np.bincount(poem_of_line, minlength=n_poems)
        index_in_poem = np.arange(n_lines) - (np.cumsum(lines_in_poem) - lines_in_poem)[poem_of_line]
        line_length = np.bincount(batch.line_of[chars], minlength=n_lines)
        line_start = np.concatenate(([0], np.flatnonzero(batch.is_break) + 1))[:n_lines]
        letters = np.bincount(poem_of_line, weights=line_length, minlength=n_poems).astype(np.intp)
        has_two = lines_in_poem >= 2

        # each line's mean vector (zero when no character is known), and the sum S of each
        # poem's line means
        known = ids >= 0
        counts = np.bincount(batch.line_of[known], minlength=n_lines)
        rows = np.where(known, ids, len(self.vectors))[chars]  # the row after the vectors is zero
        means = _segment_sums(self._padded(), rows, line_length)
        means /= np.maximum(counts, 1)[:, None].astype(np.float32)
        total = _segment_sums(means, np.arange(n_lines), lines_in_poem)
        # topic: the mean over pairs of lines of their dot products, from the poem's sum S and the
        # sum Q of squared norms: Σ_{i<j} v_i·v_j = (|S|² - Q) / 2
        squares = np.bincount(poem_of_line, weights=np.einsum("ij,ij->i", means, means), minlength=n_poems)
        n = lines_in_poem.astype(float)
        with np.errstate(invalid="ignore", divide="ignore"):
            out[:, 0] = np.where(has_two, (np.einsum("ij,ij->i", total, total) - squares) / (n * (n - 1)), np.nan)
        # couplet: the dot product of the two lines of each couplet
        first = np.flatnonzero((index_in_poem % 2 == 0) & (index_in_poem + 1 < lines_in_poem[poem_of_line]))
        second = first + 1
        owner = poem_of_line[first]
        dots = _row_dots(means, first, means, second)
        with np.errstate(invalid="ignore", divide="ignore"):
            out[:, 1] = np.where(has_two, np.bincount(owner, weights=dots, minlength=n_poems)
                                 / np.bincount(owner, minlength=n_poems), np.nan)

        # parallel: the two lines of each couplet, character by character
        same = line_length[first] == line_length[second]
        first, second, size = first[same], second[same], line_length[first[same]]
        offsets = np.arange(size.sum()) - np.repeat(np.cumsum(size) - size, size)
        left = ids[np.repeat(line_start[first], size) + offsets]
        right = ids[np.repeat(line_start[second], size) + offsets]
        pair_owner = np.repeat(poem_of_line[first], size)
        both = (left >= 0) & (right >= 0)
        pairs = _row_dots(self.left, left[both], self.right, right[both])
        n_pairs = np.bincount(pair_owner[both], minlength=n_poems)
        sums = np.bincount(pair_owner[both], weights=pairs, minlength=n_poems)
        out[:, 2] = np.where(has_two, sums / np.maximum(n_pairs, 1), np.nan)

        # repeats: Σ over a poem's characters of (lines using it - 1) = its distinct (line,
        # character) pairs less its distinct characters
        points = batch.points[chars]
        in_lines = _distinct(batch.line_of[chars], points, n_lines)
        repeated = np.bincount(poem_of_line, weights=in_lines, minlength=n_poems) - _distinct(batch.poem_of[chars], points, n_poems)
        out[:, 3] = np.where(has_two, repeated / np.maximum(letters, 1), np.nan)
        return out

    def log_odds(self, poems: list[list[str]] | TextBatch) -> np.ndarray:
        """The raw coherence of each poem: log-odds that its lines belong together (NaN below
        two lines)."""
        return _log_odds(self.features(poems), self.scale, self.weights)


def _segment_sums(table: np.ndarray, rows: np.ndarray, lengths: np.ndarray, block: int = 256) -> np.ndarray:
    """Σ ``table[rows[k]]`` over consecutive segments of ``rows``, ``lengths[i]`` in segment i.
    Segments of one length go together, ``block`` at a time, so that each pass is one
    fixed-shape gather and sum that stays in the processor's caches."""
    starts = np.cumsum(lengths) - lengths
    out = np.zeros((len(lengths), table.shape[1]), dtype=table.dtype)
    for size in np.unique(lengths[lengths > 0]):
        segments = np.flatnonzero(lengths == size)
        index = rows[starts[segments, None] + np.arange(size)]
        for at in range(0, len(segments), block):
            out[segments[at:at + block]] = np.take(table, index[at:at + block], axis=0).sum(axis=1)
    return out


def _row_dots(a: np.ndarray, a_rows: np.ndarray, b: np.ndarray, b_rows: np.ndarray, block: int = 2048) -> np.ndarray:
    """``a[a_rows[k]] · b[b_rows[k]]`` for every k, ``block`` rows a pass (in the caches)."""
    out = np.empty(len(a_rows), dtype=np.result_type(a, b))
    for at in range(0, len(a_rows), block):
        out[at:at + block] = np.einsum("ij,ij->i", np.take(a, a_rows[at:at + block], axis=0),
                                       np.take(b, b_rows[at:at + block], axis=0))
    return out


def _distinct(group: np.ndarray, points: np.ndarray, n_groups: int) -> np.ndarray:
    """The number of distinct code points in each group (``group`` numbers each position)."""
    keys = np.sort((group.astype(np.uint64) << np.uint64(21)) | points)
    new = np.ones(len(keys), dtype=bool)
    new[1:] = keys[1:] != keys[:-1]
    return np.bincount((keys[new] >> np.uint64(21)).astype(np.intp), minlength=n_groups)


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
