"""Line splitting and character classes.

A poem line is the text between two line breaks or punctuation marks, full- or half-width:
``床前明月光，疑是地上霜。`` has two lines. Whitespace, quotes, brackets and control characters
inside a line do not count towards its length.
"""

from __future__ import annotations

import re

# Full- and half-width marks that end a line of verse, plus newlines.
LINE_BREAKS = "，。？！、；：,.?!;:\n\r·…—"
# Characters dropped from lines: whitespace, controls, zero-width marks, quotes and brackets.
DROPPED = (
    "".join(chr(c) for c in range(0x20) if chr(c) not in "\n\r")
    + " \u00a0\u3000\u007f" + "".join(chr(c) for c in range(0x80, 0xa0))
    + "\u200b\u200c\u200d\u200e\u200f\u2028\u2029\ufeff\u2002\u2003\u2009"
    + "\"'“”‘’「」『』《》〈〉()（）[]【】"
)
_SPLIT_RE = re.compile("[" + re.escape(LINE_BREAKS) + "]+")
_DROP_RE = re.compile("[" + re.escape(DROPPED) + "]+")
_HAN_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")


def split_lines(text: str, clean: bool = False) -> list[str]:
    """Split a poem into lines on punctuation and newlines; drop empty pieces and spaces.
    ``clean``: the caller knows ``text`` holds none of the dropped characters."""
    if not clean and _DROP_RE.search(text):
        text = _DROP_RE.sub("", text)
    return [piece for piece in _SPLIT_RE.split(text) if piece]


def is_han(char: str) -> bool:
    """True for a CJK ideograph (basic block, extension A-G, compatibility)."""
    return bool(_HAN_RE.match(char))


def has_han(text: str) -> bool:
    return _HAN_RE.search(text) is not None


def han_count(text: str) -> int:
    return len(_HAN_RE.findall(text))
