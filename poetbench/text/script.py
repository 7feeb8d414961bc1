"""繁/简 conversion through OpenCC.

Scoring never changes the text it reports: these helpers give a Simplified (or Traditional)
view used for lookups only. Two kinds:

* ``to_simplified``: OpenCC's phrase-aware conversion (乾坤 stays 乾坤), for single texts;
* ``simplify_points``: character by character through a code-point table made from OpenCC's
  conversion of each character alone, for arrays of many poems at once. The classical lexicon
  and the copy index are built with it too, so both sides of every lookup agree.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

import numpy as np
import opencc


@lru_cache(maxsize=None)
def _converter(config: str) -> opencc.OpenCC:
    return opencc.OpenCC(config)


def to_simplified(text: str) -> str:
    """Traditional -> Simplified (OpenCC ``t2s``); Simplified text passes through unchanged."""
    return _converter("t2s").convert(text)


def to_traditional(text: str) -> str:
    """Simplified -> Traditional (OpenCC ``s2t``)."""
    return _converter("s2t").convert(text)


def words_to_traditional(words) -> dict[str, str]:
    """{word: ``to_traditional(word)``} for a fixed vocabulary (a module's phrase tables), kept
    in the disk cache by the words and OpenCC's version: starting OpenCC takes 0.1 s, more than
    any other table a run loads. Keep one vocabulary per program: a new one replaces the
    cached entry."""
    from poetbench import cache

    words = sorted(set(words))
    digest = hashlib.sha256("\n".join(words).encode()).hexdigest()[:8]
    key = f"{cache.fingerprint([Path(__file__)], ['opencc'])}-{digest}"
    return cache.cached("s2t-words", key, lambda: {word: to_traditional(word) for word in words})


def _chars(convert, chars: list[str]) -> list[str]:
    out = convert("\n".join(chars)).split("\n")
    if len(out) != len(chars):  # OpenCC never merges lines; guard anyway
        out = [convert(c) for c in chars]
    return out


def chars_to_simplified(chars: list[str]) -> list[str]:
    """Convert single characters one by one, in one OpenCC call (no phrase context)."""
    return _chars(to_simplified, chars)


def chars_to_traditional(chars: list[str]) -> list[str]:
    return _chars(to_traditional, chars)


# Code points the character table covers: the CJK blocks (basic, extension A, compatibility,
# extensions B and beyond).
_CJK = ((0x3400, 0xA000), (0xF900, 0xFB00), (0x20000, 0x32000))


def _build_char_table() -> np.ndarray:
    table = np.arange(_CJK[-1][1], dtype=np.uint32)
    chars = [chr(c) for lo, hi in _CJK for c in range(lo, hi)]
    for char, simple in zip(chars, chars_to_simplified(chars)):
        if len(simple) == 1:
            table[ord(char)] = ord(simple)
    return table


@lru_cache(maxsize=None)
def _char_table() -> np.ndarray:
    from poetbench import cache

    key = cache.fingerprint([Path(__file__)], ["opencc", "numpy"])
    return cache.cached("t2s-chars", key, _build_char_table)


def simplify_points(points: np.ndarray) -> np.ndarray:
    """Code points with every Traditional character replaced by its Simplified form."""
    table = _char_table()
    inside = points < len(table)
    return np.where(inside, table[np.where(inside, points, 0)], points).astype(points.dtype)


def code_points(text: str) -> np.ndarray:
    """The code points of ``text`` as uint64 (lone surrogates kept as they are)."""
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.uint64)


def from_points(points: np.ndarray) -> str:
    """The text of ``points``: the inverse of ``code_points``."""
    return points.astype(np.uint32).tobytes().decode("utf-32-le", "surrogatepass")


@lru_cache(maxsize=None)
def _char_map() -> dict[int, int]:
    """The character table as a ``str.translate`` map: only the characters it changes."""
    table = _char_table()
    changed = np.flatnonzero(table != np.arange(len(table), dtype=table.dtype))
    return dict(zip(changed.tolist(), table[changed].tolist()))


def simplify_chars(text: str) -> str:
    """``text`` converted character by character (see ``simplify_points``; the same table, as a
    translation map, which is faster on short text)."""
    return text.translate(_char_map())
