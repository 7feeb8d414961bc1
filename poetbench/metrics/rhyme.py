"""押韵 of 近体诗: the even lines end in 平声 characters of one rhyme group.

* ``rhyme_rate``: the share of even-line endings that fall in the majority group;
* ``rhyme_group``: that group (平水韵 e.g. 下平七阳, or 中华新韵 e.g. 十唐);
* ``rhyme_ok``: every even line rhymes in that group, and a first line that ends in 平 rhymes
  too, in the same group or a neighbouring one (首句借邻韵, 平水韵 only).

A rhyming position whose character reads 仄 in context cannot rhyme. A first line ending in an
undecided character that does not rhyme is read as 仄 (unrhymed). Non-regulated forms get
``None`` for all three keys; a 词 gets its own (``metrics/ci_meter.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from poetbench.forms import REGULATED
from poetbench.metrics import ci_meter
from poetbench.metrics.context import Poems
from poetbench.phonology.book import RhymeBook
from poetbench.phonology.modern import EITHER, ZE


@dataclass(slots=True)
class RhymeResult:
    ok: bool
    rate: float
    group: str | None
    first_rhymes: bool = False  # the first line rhymes, in the group or a neighbouring one
    # The detail below is filled only when asked for (``detail=True``).
    rhyming_lines: list[int] = field(default_factory=list)  # 1-based lines that rhyme in ``group``
    borrowed: bool = False  # the first line rhymes in a neighbouring group
    reasons: list[str] = field(default_factory=list)


def check(lines: list[str], codes: list[str], book: RhymeBook, detail: bool = False) -> RhymeResult:
    """Rhyme of lines already known to be regulated (even count, one length)."""
    groups_of = book.groups
    endings = [() if codes[i][-1] == ZE else groups_of[lines[i][-1]] for i in range(1, len(lines), 2)]
    shared = set(endings[0]).intersection(*endings[1:])
    if shared:  # the usual case: one group holds every even line
        group = [g for g in endings[0] if g in shared][0]
        hits = len(endings)
    else:
        votes: dict[str, int] = {}
        for groups in endings:
            for g in groups:
                votes[g] = votes.get(g, 0) + 1
        group = max(votes, key=votes.get) if votes else None  # ties: the group seen first
        hits = votes.get(group, 0)
    first = () if codes[0][-1] == ZE else groups_of[lines[0][-1]]
    first_rhymes = borrowed = first_breaks = False
    if group and first:
        first_rhymes = group in first
        borrowed = not first_rhymes and not book.neighbours(group).isdisjoint(first)
        first_breaks = not (first_rhymes or borrowed) and codes[0][-1] != EITHER
    result = RhymeResult(ok=hits == len(endings) and not first_breaks, rate=hits / len(endings), group=group,
                         first_rhymes=first_rhymes or borrowed)
    if detail:
        result.borrowed = borrowed
        result.rhyming_lines = [1] * (first_rhymes or borrowed) + [2 * k + 2 for k, g in enumerate(endings) if group in g]
        result.reasons = [f"line {2 * k + 2} ending {lines[2 * k + 1][-1]} is not in {group or 'any 平 group'}"
                          for k, g in enumerate(endings) if group not in g]
        if first_breaks:
            result.reasons.append(f"line 1 ends in 平 ({lines[0][-1]}) but does not rhyme with {group}")
    return result


@dataclass
class Reading:
    """The regulated poems of a scoring pass, read once: which they are, their tone codes, their
    rhyme. ``metrics/tone_pattern.py`` reads the 平仄 from the same reading."""

    regulated: list[int]  # positions of the poems of a regulated form (``forms.REGULATED``)
    codes: list[list[str]]  # their tone codes per character of each line: P 平, Z 仄, A undecided, ? unknown
    rhymes: list[RhymeResult]

    def spread(self, poems: Poems, values: list) -> list:
        """Values of the regulated poems placed at their positions, None elsewhere."""
        out = [None] * len(poems)
        for i, value in zip(self.regulated, values):
            out[i] = value
        return out


def read(poems: Poems) -> Reading:
    """The reading of ``poems`` (made on first call, then kept in ``poems.shared``); their forms
    must be scored already."""
    if "rhyme" not in poems.shared:
        regulated = [i for i, form in enumerate(poems.column("form")) if form in REGULATED]
        lines = [poems.extractions[i].lines for i in regulated]
        codes = poems.book.many_poem_tones(lines)
        rhymes = [check(poem, poem_codes, poems.book, poems.detail) for poem, poem_codes in zip(lines, codes)]
        poems.shared["rhyme"] = Reading(regulated, codes, rhymes)
    return poems.shared["rhyme"]


def measure(poems: Poems) -> dict[str, list]:
    """``rhyme_ok``, ``rhyme_rate`` and ``rhyme_group`` of the regulated poems and of the 词
    (``ci_meter``: 词林正韵, at their tune's rhyme positions), None elsewhere."""
    reading = read(poems)
    return {"rhyme_ok": ci_meter.overlay(poems, reading.spread(poems, [r.ok for r in reading.rhymes]), "rhyme_ok"),
            "rhyme_rate": ci_meter.overlay(poems, reading.spread(poems, [r.rate for r in reading.rhymes]), "rhyme_rate"),
            "rhyme_group": ci_meter.overlay(poems, reading.spread(poems, [r.group for r in reading.rhymes]),
                                            "rhyme_group")}
