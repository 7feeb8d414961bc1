"""押韵 of 近体诗: the even lines end in 平声 characters of one rhyme group.

* ``rhyme_rate``: the share of even-line endings that fall in the majority group;
* ``rhyme_group``: that group (平水韵 e.g. 下平七阳, or 中华新韵 e.g. 十唐);
* ``rhyme_ok``: every even line rhymes in that group, and a first line that ends in 平 rhymes
  too, in the same group or a neighbouring one (首句借邻韵, 平水韵 only).

A rhyming position whose character reads 仄 in context cannot rhyme. Non-regulated forms get
``None`` for all three keys.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from poetbench.phonology.book import RhymeBook
from poetbench.phonology.modern import ZE


@dataclass
class RhymeResult:
    ok: bool
    rate: float
    group: str | None
    rhyming_lines: list[int]  # 1-based lines whose ending rhymes in ``group``
    borrowed: bool  # the first line rhymes in a neighbouring group
    reasons: list[str]


def _groups(book: RhymeBook, line: str, codes: str) -> tuple[str, ...]:
    return () if codes[-1] == ZE else book.level_groups(line[-1])


def check(lines: list[str], codes: list[str], book: RhymeBook) -> RhymeResult:
    """Rhyme of lines already known to be regulated (even count, one length)."""
    even = list(range(1, len(lines), 2))
    endings = {i: _groups(book, lines[i], codes[i]) for i in even}
    votes = Counter(g for i in even for g in endings[i])
    group = None
    if votes:
        top = max(votes.values())
        group = next(g for i in even for g in endings[i] if votes[g] == top)
    rhyming = [i + 1 for i in even if group in endings[i]]
    reasons = [f"line {i + 1} ending {lines[i][-1]} is not in {group or 'any 平 group'}" for i in even
               if group not in endings[i]]
    borrowed = False
    first = _groups(book, lines[0], codes[0])
    if first and group:
        if group in first:
            rhyming.insert(0, 1)
        elif book.neighbours(group).intersection(first):
            rhyming.insert(0, 1)
            borrowed = True
        elif codes[0][-1] != "A":
            reasons.append(f"line 1 ends in 平 ({lines[0][-1]}) but does not rhyme with {group}")
    return RhymeResult(
        ok=not reasons,
        rate=len([i for i in even if group in endings[i]]) / len(even),
        group=group,
        rhyming_lines=rhyming,
        borrowed=borrowed,
        reasons=reasons,
    )
