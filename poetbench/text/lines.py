"""Line splitting and character classes.

A poem line is the text between two line breaks or punctuation marks, full- or half-width:
``床前明月光，疑是地上霜。`` has two lines.
"""

from __future__ import annotations

import re

# Full- and half-width marks that end a line of verse, plus newlines.
LINE_BREAKS = "，。？！、；：,.?!;:\n\r·…—"
_SPLIT_RE = re.compile("[" + re.escape(LINE_BREAKS) + "]+")
# Characters that never count towards a line's length: whitespace, quotes, brackets, controls.
_STRIP_RE = re.compile(r"[^\S\n\r]|[\u0000-\u0009\u000b\u000c\u000e-\u001f\u007f-\u009f\u200b-\u200f\ufeff\"'“”‘’「」『』《》〈〉()（）\[\]【】]")
_HAN_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")


def split_lines(text: str) -> list[str]:
    """Split a poem into lines on punctuation and newlines; drop empty pieces and spaces."""
    return [piece for piece in _SPLIT_RE.split(_STRIP_RE.sub("", text)) if piece]


def is_han(char: str) -> bool:
    """True for a CJK ideograph (basic block, extension A-G, compatibility)."""
    return bool(_HAN_RE.match(char))


def han_count(text: str) -> int:
    return len(_HAN_RE.findall(text))
