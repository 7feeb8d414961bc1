"""A character n-gram language model of classical verse: interpolated Kneser–Ney, order 4.

The rules, in the order the model applies them:

* **Tokens.** One token per Simplified Han character (converted character by character, as
  scoring does). A line is ``<s> c1 … cn </s>``, with one boundary token for both ends; a
  line never sees the line before it (that is ``coherence``'s business). A character the model
  never saw is ``<unk>``.
* **Smoothing.** Interpolated Kneser–Ney (Chen & Goodman 1998, §3): at every order n,
  ``p(w|h) = max(c(hw) - D_n, 0) / c(h·) + γ(h) · p(w|h')`` with ``h'`` the history less its
  first token. The highest order counts n-grams; lower orders count *continuations*, the number
  of distinct tokens seen before the n-gram (an n-gram that starts at ``<s>`` keeps its count,
  as it cannot be continued to the left). One discount per order, ``D_n = n1 / (n1 + 2·n2)``
  from the counts of counts. The unigram level is interpolated with the uniform distribution
  over the vocabulary and ``<unk>``.
* **Training text**: the distinct lines of the training poems, each counted once, so that a
  line copied into many poems (variants, 集句) weighs no more than any other.
* **Pruning** (no line is memorised). An n-gram of order 2 or more is kept only when it
  occurs in at least ``MIN_LINES`` distinct lines. A line seen once in training therefore
  scores close to a novel line built of the same common phrases; its lost mass goes to the
  backoff weight ``γ(h) = 1 - Σ_kept max(c(hw) - D, 0) / c(h·)``, so every distribution still
  sums to one.
* **Storage.** Per order, the sorted n-gram keys (``BITS`` bits per token, packed in 64), the
  discounted term and the backoff weight of the n-gram used as a history. A query looks up,
  for every character at once (``np.searchsorted``), the n-gram of each order that ends at
  it; the history of order n is the (n-1)-gram found one order down for the character
  before, and an n-gram is looked up only when its history was found (pruning never keeps
  an n-gram whose history it dropped).

``tools/build_language_model.py`` builds ``resources/lm-v1.npz`` from the train split.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from poetbench.lookup import code_point_table, member
from poetbench.text.script import code_points

ORDER = 4
MIN_LINES = 2
BITS = 15  # bits per token in a key: 2 ** 15 tokens, four tokens in 60 bits
UNK, BOUNDARY = 0, 1  # token ids; characters start at 2


@dataclass
class NgramModel:
    """The model's tables; ``chars`` maps a character to its token id."""

    chars: dict[str, int]
    unigram: np.ndarray  # p(w) for every token id, <unk> included
    keys: list[np.ndarray]  # keys[n - 1]: sorted keys of the kept n-grams, n = 1 … ORDER
    discounted: list[np.ndarray]  # the discounted term of each kept n-gram (orders 2 …)
    backoff: list[np.ndarray]  # γ of each kept n-gram as a history (orders 1 … ORDER - 1)

    @property
    def order(self) -> int:
        return len(self.keys)

    # ---- queries ------------------------------------------------------------------------

    def encode(self, lines: list[str], points: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Token ids of ``lines`` as one array (``<s>`` before each line, ``</s>`` after the
        last), and the line each predicted token (every token but the first) belongs to.
        ``points``: the code points of the lines joined by newlines, when the caller has them."""
        if getattr(self, "_ids", None) is None:  # token id of every code point, built once
            self._ids = code_point_table(self.chars, UNK, np.uint64)
            self._ids[ord("\n")] = BOUNDARY
        if not lines:
            return np.array([BOUNDARY], dtype=np.uint64), np.zeros(0, dtype=np.intp)
        points = code_points("\n".join(lines)) if points is None else points
        inside = points < len(self._ids)
        ids = np.full(len(points) + 2, BOUNDARY, dtype=np.uint64)
        ids[1:-1] = np.where(inside, self._ids[np.where(inside, points, 0).astype(np.intp)], UNK)
        ends = ids[1:] == BOUNDARY  # a line's tokens end with its boundary
        return ids, np.cumsum(ends) - ends

    def log2probs(self, ids: np.ndarray) -> np.ndarray:
        """log2 p of every token of ``ids`` but the first, given up to ORDER - 1 tokens
        before it; a history stops at a boundary token."""
        n = len(ids) - 1
        if n <= 0:
            return np.zeros(0)
        target = ids[1:]
        prob = self.unigram[target.astype(np.intp)].astype(float)
        # length of the usable history at each position: tokens back to the last boundary
        position = np.arange(1, len(ids))
        is_boundary = ids == BOUNDARY
        last_boundary = np.maximum.accumulate(np.where(is_boundary, np.arange(len(ids)), 0))
        history = position - last_boundary[:-1]  # tokens from the boundary (included) to t-1
        key = target.copy()
        shift = np.uint64(BITS)
        # the history of order n is the (n-1)-gram that ends one token earlier: its entry was
        # found one order down; the one-token history of order 2 is read from a table by token
        if getattr(self, "_unigram_index", None) is None:
            self._unigram_index = np.full(len(self.unigram), -1, dtype=np.intp)
            self._unigram_index[self.keys[0].astype(np.intp)] = np.arange(len(self.keys[0]))
        index = self._unigram_index[ids[:-1].astype(np.intp)]
        found = index >= 0
        for order in range(2, self.order + 1):
            usable = history >= order - 1
            gamma = np.ones(n)
            hit = usable & found
            gamma[hit] = self.backoff[order - 2][index[hit]]
            before = np.zeros(n, dtype=np.uint64)
            before[order - 2:] = ids[:n - order + 2]  # the token order-1 places before the target
            key = key | (before << (shift * np.uint64(order - 1)))
            # an n-gram is kept only if its history is (it occurs in at least as many lines)
            found, index = np.zeros(n, dtype=bool), np.zeros(n, dtype=np.intp)
            found[hit], index[hit] = member(self.keys[order - 1], key[hit])
            term = np.zeros(n)
            term[found] = self.discounted[order - 1][index[found]]
            prob = np.where(usable, term + gamma * prob, prob)
            # shift: entry t now describes the n-gram ending at target t, the history of t + 1
            found, index = np.concatenate(([False], found[:-1])), np.concatenate(([0], index[:-1]))
        return np.log2(prob)

    def line_bits(self, lines: list[str], points: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(bits, unigram bits, tokens) of each line: -Σ log2 p over its characters and its
        ``</s>``, under the model and under its unigram distribution alone (``points``: as
        for ``encode``)."""
        ids, line_of = self.encode(lines, points)
        bits = -self.log2probs(ids)
        unigram = -np.log2(self.unigram[ids[1:].astype(np.intp)])
        return (np.bincount(line_of, weights=bits, minlength=len(lines)),
                np.bincount(line_of, weights=unigram, minlength=len(lines)),
                np.bincount(line_of, minlength=len(lines)))

    # ---- storage ------------------------------------------------------------------------

    def arrays(self) -> dict[str, np.ndarray]:
        chars = "".join(sorted(self.chars, key=self.chars.get))
        out = {"chars": np.array([chars]), "unigram": self.unigram.astype(np.float32)}
        for n in range(1, self.order + 1):
            keys = self.keys[n - 1]
            out[f"delta{n}"] = np.diff(keys, prepend=np.uint64(0))  # sorted keys compress as gaps
            if n > 1:
                out[f"discounted{n}"] = self.discounted[n - 1].astype(np.float32)
            if n < self.order:
                out[f"backoff{n}"] = self.backoff[n - 1].astype(np.float32)
        return out

    @classmethod
    def from_arrays(cls, data) -> NgramModel:
        chars = {c: i + 2 for i, c in enumerate(str(data["chars"][0]))}
        order = sum(1 for name in data.files if name.startswith("delta"))
        keys = [np.cumsum(data[f"delta{n}"], dtype=np.uint64) for n in range(1, order + 1)]
        discounted = [np.zeros(0)] + [data[f"discounted{n}"] for n in range(2, order + 1)]
        backoff = [data[f"backoff{n}"] for n in range(1, order)] + [np.zeros(0)]
        return cls(chars, data["unigram"], keys, discounted, backoff)


# ---- estimation ---------------------------------------------------------------------------


def build(lines: list[str], order: int = ORDER, min_lines: int = MIN_LINES,
          min_char_count: int = 2, prune_from: int = 2) -> NgramModel:
    """Estimate the model from distinct Simplified ``lines``; see the module rules."""
    lines = sorted(set(lines))
    counts: dict[str, int] = {}
    for line in lines:
        for c in line:
            counts[c] = counts.get(c, 0) + 1
    vocab = sorted((c for c, k in counts.items() if k >= min_char_count), key=lambda c: (-counts[c], c))
    if len(vocab) + 2 > 1 << BITS:
        raise ValueError(f"{len(vocab)} characters do not fit in {BITS}-bit token ids")
    chars = {c: i + 2 for i, c in enumerate(vocab)}
    model = NgramModel(chars, np.zeros(0), [], [], [])
    ids, _ = model.encode(lines)
    line_of = np.cumsum(ids == BOUNDARY)  # the line each n-gram starts in
    size = len(chars) + 2

    # Every n-gram that does not cross a boundary (one may open or close it), with its line.
    grams: list[tuple[np.ndarray, np.ndarray]] = []  # (keys, line) per order; keys hold n tokens
    for n in range(1, order + 1):
        keys = np.zeros(len(ids) - n + 1, dtype=np.uint64)
        ok = np.ones(len(ids) - n + 1, dtype=bool)
        for k in range(n):
            token = ids[k:len(ids) - n + 1 + k]
            keys = (keys << np.uint64(BITS)) | token
            if 0 < k < n - 1:
                ok &= token != BOUNDARY  # a boundary opens (<s>) or closes (</s>) an n-gram
        grams.append((keys[ok], line_of[:len(ok)][ok]))

    # Raw counts and, for pruning, the number of lines each n-gram occurs in.
    raw, lines_with = [], []
    for keys, line in grams:
        unique, count = np.unique(keys, return_counts=True)
        raw.append((unique, count))
        pairs = np.unique(np.stack([keys, line.astype(np.uint64)], axis=1), axis=0)
        lines_with.append(np.unique(pairs[:, 0], return_counts=True)[1])

    # Kneser–Ney counts: raw at the top order and for n-grams opening at <s>; below the top,
    # the number of distinct tokens seen before the n-gram.
    kn = []
    for n in range(1, order + 1):
        unique, count = raw[n - 1]
        if n < order:
            longer = raw[n][0]
            suffix = longer & np.uint64((1 << (BITS * n)) - 1)
            continuation = np.unique(suffix, return_counts=True)
            found, index = member(continuation[0], unique)
            first = unique >> np.uint64(BITS * (n - 1))
            opens = (first == BOUNDARY) & (n > 1)
            count = np.where(opens, count, np.where(found, continuation[1][index], 0))
        kn.append(count.astype(float))

    keys_out, discounted_out, backoff_out = [], [], []
    # unigram: discounted continuation counts plus the uniform share
    uni_keys, _ = raw[0]
    c1 = kn[0]
    d1 = _discount(c1)
    total = c1.sum()
    unigram = np.zeros(size)
    unigram[uni_keys.astype(np.intp)] = np.maximum(c1 - d1, 0) / total
    unigram += (1.0 - unigram.sum()) / size
    keys_out.append(uni_keys)
    discounted_out.append(np.zeros(0))
    for n in range(2, order + 1):
        unique, _ = raw[n - 1]
        count = kn[n - 1]
        history = unique >> np.uint64(BITS)
        hist_keys, hist_index = np.unique(history, return_inverse=True)
        hist_total = np.bincount(hist_index, weights=count)
        d = _discount(count)
        term = np.maximum(count - d, 0) / hist_total[hist_index]
        keep = np.ones(len(unique), dtype=bool) if n < prune_from else lines_with[n - 1] >= min_lines
        kept_mass = np.bincount(hist_index[keep], weights=term[keep], minlength=len(hist_keys))
        gamma = 1.0 - kept_mass  # = D·N1+(h·)/c(h·) without pruning, plus the pruned mass
        # the backoff weight lives on the history's own entry one order down
        lower_keys = keys_out[n - 2]
        found, index = member(hist_keys, lower_keys)
        backoff_out.append(np.where(found, gamma[index], 1.0))
        keys_out.append(unique[keep])
        discounted_out.append(term[keep])
    backoff_out.append(np.zeros(0))
    return NgramModel(chars, unigram, keys_out, discounted_out, backoff_out)


def _discount(counts: np.ndarray) -> float:
    n1 = float(np.sum(counts == 1))
    n2 = float(np.sum(counts == 2))
    return n1 / (n1 + 2 * n2) if n1 + n2 else 0.5
