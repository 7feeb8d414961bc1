"""The 平仄 line patterns of 近体诗: what each line of a regulated poem should be.

Base patterns of a five-character line (seven-character lines put the opposite pair in front):

====  ===========  ==============  ==========================
kind  5 chars      7 chars         role
====  ===========  ==============  ==========================
a     仄仄平平仄   平平仄仄平平仄  out-line (出句), ends 仄
b     平平仄仄平   仄仄平平仄仄平  in-line (对句), rhymes
c     平平平仄仄   仄仄平平平仄仄  out-line, ends 仄
d     仄仄仄平平   平平仄仄仄平平  in-line, rhymes
====  ===========  ==============  ==========================

Every even line rhymes, so it is a b- or d-line; every odd line after the first is an a- or
c-line; the first line may be any of the four (``FIRST_KINDS``, ``IN_KINDS``, ``OUT_KINDS``). The
first line's pattern names the poem's template (``template_name``: 平起 or 仄起, 首句入韵 or not).
Lenient reading constrains the even positions and the last character only (一三五不论; 一三不论
for five characters), strict reading every position (``constrained``).

These are facts of the form, shared by the 平仄 check (``metrics/tone_pattern.py``) and the
reading of 多音字 by position (``phonology/inference.py``). Tone codes are those of
``phonology/modern.py``: P 平, Z 仄.
"""

from __future__ import annotations

from poetbench.phonology.modern import PING, ZE

BASE5 = {"a": "ZZPPZ", "b": "PPZZP", "c": "PPPZZ", "d": "ZZZPP"}
KINDS = "abcd"
RHYMING = ("b", "d")
# Which kinds a line may take, by its place: the first line, an even (rhyming) line, an odd line.
FIRST_KINDS, IN_KINDS, OUT_KINDS = "abcd", "bd", "ac"


def base_pattern(kind: str, size: int) -> str:
    """The P/Z pattern of a line of ``kind`` (a-d) and ``size`` (5 or 7) characters."""
    five = BASE5[kind]
    return five if size == 5 else ("PP" if five[0] == ZE else "ZZ") + five


def template_name(first_kind: str, size: int) -> str:
    """e.g. 平起首句入韵: the template a first line of ``first_kind`` opens."""
    start = "平起" if base_pattern(first_kind, size)[1] == PING else "仄起"
    return start + ("首句入韵" if first_kind in RHYMING else "首句不入韵")


def constrained(size: int, strict: bool) -> list[int]:
    """0-based positions a line pattern constrains: all (strict), else the even ones and the last."""
    return list(range(size)) if strict else [p for p in range(1, size, 2)] + [size - 1]
