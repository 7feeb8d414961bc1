"""繁/简 conversion through OpenCC.

Scoring never changes the text it reports: these helpers give a Simplified (or Traditional)
view used for lookups only.
"""

from __future__ import annotations

from functools import lru_cache

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
