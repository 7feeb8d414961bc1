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

from poetbench.phonology import modern, pingshui
from poetbench.phonology.modern import EITHER, PING, UNKNOWN, ZE
from poetbench.phonology.tables import PINGSHUI_NEIGHBOURS, XINYUN_APICAL_INITIALS, XINYUN_GROUPS
from poetbench.text.script import to_simplified

BOOKS = ("pingshui", "xinyun")
_TONE_CODES = frozenset((PING, ZE, EITHER))
_CODES_AND_BREAK = _TONE_CODES | {"\n"}


class RhymeBook:
    """Tone classes and rhyme groups of one rhyme book; every lookup is a precomputed table."""

    name: str

    def __init__(self, classes: dict[str, str], default: dict[str, str], fallback: frozenset[str],
                 entering: frozenset[str]):
        self._translate = str.maketrans(classes)
        self._default = default  # class to use when no word decides an undecided character
        self.fallback = fallback  # characters whose tone is the modern one (pingshui only)
        self._entering = entering  # characters with a 入声 reading: modern tone 1-2 decides nothing
        self._words = modern.word_tones(classical=self.name == "pingshui")

    def line_tones(self, line: str) -> str:
        """One tone code per character of ``line``: P 平, Z 仄, A undecided, ? unknown."""
        return self.poem_tones([line])[0]

    def poem_tones(self, lines: list[str]) -> list[str]:
        """Tone codes of every line; undecided characters are settled by the words they are in."""
        text = "\n".join(lines)
        codes = text.translate(self._translate)
        if not (_TONE_CODES.isdisjoint(text) and _CODES_AND_BREAK.issuperset(codes)):
            codes = "".join(c if c != o or c == "\n" else UNKNOWN for o, c in zip(text, codes))
        if EITHER in codes:
            codes = self._settle(text, codes)
        return codes.split("\n")

    def _settle(self, text: str, codes: str) -> str:
        out = list(codes)
        tone_in_word = self._words.tone
        i = codes.find(EITHER)
        while i >= 0:
            tone = tone_in_word(text, i)
            if tone == 3 or tone == 4:
                out[i] = ZE
            elif (tone == 1 or tone == 2) and text[i] not in self._entering:
                out[i] = PING
            else:
                out[i] = self._default.get(text[i], EITHER)
            i = codes.find(EITHER, i + 1)
        return "".join(out)

    def level_groups(self, char: str) -> tuple[str, ...]:
        """The 平声 rhyme groups ``char`` can rhyme in; empty when it has no 平 reading."""
        raise NotImplementedError

    def neighbours(self, group: str) -> frozenset[str]:
        """Groups a first line may borrow from (首句借邻韵); always includes ``group``."""
        return frozenset((group,))


class Pingshui(RhymeBook):
    name = "pingshui"

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
        self._groups = {c: tuple(dict.fromkeys(r.group for r in rs if r.level)) for c, rs in readings.items()}
        self._neighbours: dict[str, frozenset[str]] = {}
        for family in PINGSHUI_NEIGHBOURS:
            for group in family:
                self._neighbours[group] = self._neighbours.get(group, frozenset()) | frozenset(family)

    def level_groups(self, char: str) -> tuple[str, ...]:
        return self._groups.get(char, ())

    def neighbours(self, group: str) -> frozenset[str]:
        return self._neighbours.get(group, frozenset()) | {group}


class Xinyun(RhymeBook):
    name = "xinyun"
    _by_final = {final: group for group, finals in XINYUN_GROUPS.items() for final in finals}

    def __init__(self):
        super().__init__(*modern.modern_classes(), frozenset(), frozenset())

    @lru_cache(maxsize=None)
    def level_groups(self, char: str) -> tuple[str, ...]:
        groups = []
        for initial, final in modern.level_finals(to_simplified(char)):
            if final == "i" and initial in XINYUN_APICAL_INITIALS:
                final = "-i"
            group = self._by_final.get(final)
            if group:
                groups.append(group)
        return tuple(dict.fromkeys(groups))


@lru_cache(maxsize=None)
def get_book(name: str) -> RhymeBook:
    """The rhyme book called ``name`` (``pingshui`` or ``xinyun``), built once per process."""
    if name == "pingshui":
        return Pingshui()
    if name == "xinyun":
        return Xinyun()
    raise ValueError(f"unknown rhyme book {name!r}: choose one of {', '.join(BOOKS)}")
