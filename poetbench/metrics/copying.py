"""Memorisation: how much of a poem is copied from a reference corpus.

* ``copy_overlap`` (0-1): the share of the poem's characters covered by a 4-character sequence
  (inside a line) that also occurs in the reference corpus;
* ``copy_span``: the longest copied run in characters (a chain of consecutive corpus 4-grams);
* ``verbatim_lines``: lines (of 4 or more characters) identical to a line of the corpus.

The reference is a corpus given by path: a chinese-poetry directory (its 全唐诗) or a JSONL file
with a ``text`` field (a training split). Its index — the sorted 64-bit hashes of every 4-gram
and of its lines, in Simplified script — is built once (seconds for 57,000 poems) and
cached on disk under the corpus's content hash. For a continuation prompt, the given first line
is left out before measuring. Without a reference all three keys are ``None``.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path

import numpy as np

from poetbench import cache
from poetbench.data.chinese_poetry import tang_files, tang_texts
from poetbench.lookup import HashSet, member
from poetbench.metrics.adherence import drop_given_line
from poetbench.metrics.context import Poems
from poetbench.text.batch import TextBatch
from poetbench.text.lines import split_lines
from poetbench.text.script import code_points, simplify_chars

N = 4  # characters per n-gram
_PRIME = np.uint64(1_000_003)


class ReferenceError(ValueError):
    """The reference corpus cannot be read."""


def _ngram_hashes(points: np.ndarray) -> np.ndarray:
    """A 64-bit hash of every N-gram starting at each position (wrapping arithmetic)."""
    h = np.zeros(max(len(points) - N + 1, 0), dtype=np.uint64)
    for k in range(N):
        h = h * _PRIME + points[k:len(points) - N + 1 + k]
    return h


def _line_hashes(points: np.ndarray, is_break: np.ndarray) -> np.ndarray:
    """A 64-bit hash of every line (the same polynomial as the n-grams, over the whole line)."""
    chars = points[~is_break]
    ends = np.flatnonzero(np.concatenate((is_break, [True])))  # one end per line
    lengths = np.diff(np.concatenate(([-1], ends))) - 1
    if not len(chars):
        return np.zeros(len(lengths), dtype=np.uint64)
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    from_end = np.repeat(starts + lengths - 1, lengths) - np.arange(len(chars))
    powers = np.cumprod(np.concatenate(([np.uint64(1)], np.full(int(lengths.max()), _PRIME))))
    return np.add.reduceat(chars * powers[from_end], np.minimum(starts, len(chars) - 1)) * (lengths > 0)


def _valid_ngrams(points: np.ndarray) -> np.ndarray:
    """True where the N-gram starting there stays inside one line."""
    is_break = points == 10
    inside = np.ones(max(len(points) - N + 1, 0), dtype=bool)
    for k in range(N):
        inside &= ~is_break[k:len(points) - N + 1 + k]
    return inside


@cache.storable
class CopyIndex:
    """The 4-gram hashes and lines of a reference corpus."""

    def __init__(self, texts: list[str], name: str):
        self.name = name  # the corpus hash, as it appears in the signature
        lines = split_lines(simplify_chars("\n".join(texts)))
        points = code_points("\n".join(lines))
        self.lines = np.unique(_line_hashes(points, points == 10))
        self.ngrams = HashSet(_ngram_hashes(points)[_valid_ngrams(points)])

    def covered(self, batch: TextBatch) -> tuple[np.ndarray, np.ndarray]:
        """(n-gram starts found in the corpus, characters inside one) over the batch's positions."""
        points = batch.points
        hit = _valid_ngrams(points) & self.ngrams.contains(_ngram_hashes(points))
        covered = np.zeros(len(points), dtype=bool)
        for k in range(N):
            covered[k:k + len(hit)] |= hit
        return hit, covered

    def score_many(self, batch: TextBatch) -> dict[str, list]:
        """The copy keys, as one list per key over the poems of a batch of Simplified lines."""
        n = batch.n
        hit, covered = self.covered(batch)
        n_chars = batch.per_poem(~batch.is_break)
        n_covered = batch.per_poem(covered & ~batch.is_break)
        # Longest copied span: the longest run of consecutive corpus n-grams, per poem.
        edges = np.diff(np.concatenate(([0], hit.astype(np.int8), [0])))
        run_starts, run_ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
        span = np.zeros(n, dtype=np.int64)
        np.maximum.at(span, batch.poem_of[run_starts], run_ends - run_starts + N - 1)
        # Verbatim lines: lines of N or more characters whose hash is a corpus line's.
        lengths = np.fromiter(map(len, batch.lines), dtype=np.int64, count=len(batch.lines))
        same = member(self.lines, _line_hashes(batch.points, batch.is_break))[0] & (lengths >= N) if batch.lines else []
        verbatim = np.bincount(batch.poem_of_line[same], minlength=n)
        chars = n_chars.tolist()
        return {
            "copy_overlap": [c / t if t else None for c, t in zip(n_covered.tolist(), chars)],
            "copy_span": [x if t else None for x, t in zip(span.tolist(), chars)],
            "verbatim_lines": [x if t else None for x, t in zip(verbatim.tolist(), chars)],
        }


def _corpus_texts(path: Path) -> list[str]:
    if path.is_dir():
        if not tang_files(path):
            raise ReferenceError(f"{path}: no quantangshi/poet.tang.*.json here; give a chinese-poetry "
                                 "directory or a JSONL file with a 'text' field")
        return tang_texts(path)
    texts = []
    with open(path, encoding="utf-8", newline="\n") as stream:  # lines end at \n only
        for number, line in enumerate(stream, start=1):
            if line.strip():
                try:
                    texts.append(json.loads(line)["text"])
                except (ValueError, KeyError, TypeError):
                    raise ReferenceError(f"{path}:{number}: expected a JSON object with a 'text' field") from None
    return texts


def _content_hash(path: Path) -> str:
    digest = hashlib.sha256()
    for file in (tang_files(path) if path.is_dir() else [path]):
        digest.update(file.read_bytes())
    return digest.hexdigest()[:12]


@lru_cache(maxsize=4)
def load_index(path: str) -> CopyIndex:
    """The copy index of the corpus at ``path``, from the disk cache when it was built before."""
    corpus = Path(path)
    if not corpus.exists():
        raise ReferenceError(f"{path}: no such reference corpus; give a chinese-poetry directory or a JSONL file")
    try:
        name = _content_hash(corpus)
    except OSError as exc:
        raise ReferenceError(f"{path}: cannot read ({exc.strerror})") from None
    key = cache.fingerprint([Path(__file__)], ["numpy"])
    return cache.cached(f"copyindex-{name}", key, lambda: CopyIndex(_corpus_texts(corpus), name))


def measure(poems: Poems) -> dict[str, list]:
    """``copy_overlap``, ``copy_span`` and ``verbatim_lines`` against the reference corpus (none
    without one), on the Simplified lines less a continuation's given first line."""
    if poems.reference is None:
        return {}
    batch = poems.simplified
    kept = [drop_given_line(prompt, lines) for prompt, lines in zip(poems.prompts, batch.poems)]
    return poems.reference.score_many(batch if kept == batch.poems else TextBatch(kept))
