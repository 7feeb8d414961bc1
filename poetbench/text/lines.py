"""Line splitting and character classes.

A poem line is the text between two line breaks or punctuation marks, full- or half-width:
``床前明月光，疑是地上霜。`` has two lines. Whitespace, quotes, brackets and control characters
inside a line do not count towards its length.

The verse extracted from a reply (``verse_lines``) drops symbols too: a symbol or an emoji is
not a character of the poem (``白日依山尽🌞，`` is a line of five). A symbol is

* a code point of a Unicode symbol category — So (emoji, ☆, ♪), Sk (the skin-tone modifiers),
  Sm (～, →, +), Sc (¥) — in this Python's Unicode tables;
* any code point of the emoji blocks U+1F000–U+1FBFF, assigned or not (emoji added to Unicode
  after this Python's tables are symbols too);
* the marks that build emoji out of other characters: variation selectors (U+FE00–U+FE0F,
  U+E0100–U+E01EF), tag characters (U+E0020–U+E007F, flags of regions), the zero-width joiner,
  and a whole keycap (``1️⃣``: digit, U+FE0F, U+20E3);
* ‼ ⁉ 〰 〽, punctuation by category that chat writes as emoji.

Kept, because each stands for a character: □ ○ ● 〓 (全唐诗 marks a lost character so), the CJK
radicals and Kangxi radicals (U+2E80–U+2FDF, which look like the character) and the ideographic
description characters (U+2FF0–U+2FFF, ⿰ builds a character that has no code point).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

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


def join(lines: list[str] | tuple[str, ...]) -> str:
    """Lines as a punctuated poem: ``，`` inside a couplet, ``。`` at its end."""
    return "".join(line + ("，" if i % 2 == 0 else "。") for i, line in enumerate(lines))


def is_han(char: str) -> bool:
    """True for a CJK ideograph (basic block, extension A-G, compatibility)."""
    return bool(_HAN_RE.match(char))


def has_han(text: str) -> bool:
    return _HAN_RE.search(text) is not None


def han_count(text: str) -> int:
    return len(_HAN_RE.findall(text))


# Symbols that stand for a character, and so count (module docstring).
CHARACTER_SYMBOLS = "□○●〓"
_CJK_PARTS = (0x2E80, 0x2FFF)  # CJK radicals, Kangxi radicals, ideographic description characters
_EMOJI_BLOCKS = (0x1F000, 0x1FBFF)
_EMOJI_MARKS = ((0xFE00, 0xFE0F), (0xE0100, 0xE01EF), (0xE0020, 0xE007F), (0x200D, 0x200D), (0x20E3, 0x20E3))
_EMOJI_PUNCTUATION = "‼⁉〰〽"


@lru_cache(maxsize=1)
def _symbol_res() -> tuple[re.Pattern, re.Pattern]:
    """(the symbols below U+10000, all of them with keycaps) as patterns, built on first use
    (0.03 s). Most text holds no code point above U+FFFF and no keycap, and the first pattern,
    a plain table lookup, is five times faster on it."""
    ranges = [_EMOJI_BLOCKS, *_EMOJI_MARKS, *((ord(c), ord(c)) for c in _EMOJI_PUNCTUATION)]
    start = None
    for point in range(_EMOJI_BLOCKS[0] + 1):  # the planes with symbols; the blocks above are whole
        symbol = (unicodedata.category(chr(point))[0] == "S" and chr(point) not in CHARACTER_SYMBOLS
                  and not _CJK_PARTS[0] <= point <= _CJK_PARTS[1])
        if symbol and start is None:
            start = point
        elif not symbol and start is not None:
            ranges.append((start, point - 1))
            start = None

    def members(spans) -> str:
        return "".join(re.escape(chr(lo)) + ("-" + re.escape(chr(hi)) if hi > lo else "") for lo, hi in spans)

    basic = re.compile("[" + members((lo, hi) for lo, hi in ranges if hi < 0x10000) + "]+")
    return basic, re.compile(r"[0-9#*]\ufe0f?\u20e3|[" + members(ranges) + "]+")


_ABOVE_BMP_RE = re.compile("[\U00010000-\U0010ffff]")


def is_symbol(char: str) -> bool:
    """True for a symbol or emoji code point, which is no character of a verse line."""
    return _symbol_res()[1].fullmatch(char) is not None


def drop_symbols(text: str) -> str:
    """``text`` without symbols and emoji (module docstring)."""
    basic, every = _symbol_res()
    return (every if "\u20e3" in text or _ABOVE_BMP_RE.search(text) else basic).sub("", text)


def verse_lines(text: str) -> list[str]:
    """The lines of extracted verse: ``split_lines`` of ``text`` without symbols and emoji."""
    return split_lines(drop_symbols(text))
