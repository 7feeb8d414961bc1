"""The 词谱: each 词牌 (tune) with its forms (又一体), read from ``resources/cipu-v1.json.gz``,
which ``tools/build_cipu.py`` derives from the 全宋词 (``docs/ci.md`` says how and with which
thresholds).

Rules:

1. **A tune** has one name (the corpus's: ``A・B`` there makes A an alias of B), its other
   names, and one or more forms, commonest first: the first is its main form (正体 here means
   the shape most Song poets wrote, which need not be 钦定词谱's).
2. **A form** is a total length in characters, its lines (lengths, in order; a break that
   fewer than nine in ten poets wrote is soft, ``soft``), one mark per position — 平, 仄 or 中
   (可平可仄) — its rhyme sets and its 叠句.
3. **A rhyme set** is the lines whose last characters rhyme together (1-based, as a 词 book
   counts them), the set's tone class (平, 上去, 入, 仄 where poets took either 上去 or 入, or
   平仄通叶 as in 西江月, whose positions then say which), and for each line whether the rhyme
   is required (an optional one is 可韵). A tune that changes rhyme (换韵: 菩萨蛮) has several.
4. **叠句**: (line, kind) where ``same`` repeats the line before it (如梦令's 依旧，依旧) and
   ``tail`` repeats its last characters (忆秦娥's 秦楼月).
5. **Names.** ``tune(name)`` finds a tune by its name or another name, after stripping 《》,
   a title after ·, and 其N. Names are Simplified; callers simplify what a person typed.
6. **Ground floor:** it reads one resource file and imports nothing from poetbench.
"""

from __future__ import annotations

import gzip
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

VERSION = "v1"
RESOURCE = Path(__file__).parent / "resources" / f"cipu-{VERSION}.json.gz"
LEVEL, OBLIQUE, EITHER = "平", "仄", "中"
SAME, TAIL = "same", "tail"


@dataclass(frozen=True)
class RhymeSet:
    lines: tuple[int, ...]  # 1-based line numbers whose last character rhymes in this set
    tone: str  # 平, 上去, 入, 仄 (上去 or 入) or 平仄通叶
    tones: tuple[str, ...]  # each line's tone class: 平 or 仄 (they differ only in 平仄通叶)
    required: tuple[bool, ...]  # each line: the rhyme is required (else 可韵)


@dataclass(frozen=True)
class CiForm:
    tune: str
    length: int
    n: int  # Song ci of this form in the corpus
    lines: tuple[int, ...]  # line lengths, in order
    soft: tuple[bool, ...]  # the break after each line but the last is soft (often not written)
    marks: str  # one of 平 仄 中 per position
    level_share: tuple[int, ...]  # per position, the percent of poets' decided characters that are 平
    rhyme_sets: tuple[RhymeSet, ...]
    repeats: tuple[tuple[int, str], ...]  # 叠句: (1-based line, SAME or TAIL)

    @property
    def name(self) -> str:
        """The form as a 词 book names it: ``95字``."""
        return f"{self.length}字"

    def line_marks(self) -> list[str]:
        """The marks cut into the form's lines."""
        out, start = [], 0
        for size in self.lines:
            out.append(self.marks[start:start + size])
            start += size
        return out

    def rhyme_of(self, line: int) -> tuple[RhymeSet, int] | None:
        """(the set, the index in it) of a 1-based line that ends in a rhyme; None elsewhere."""
        for rhyme_set in self.rhyme_sets:
            if line in rhyme_set.lines:
                return rhyme_set, rhyme_set.lines.index(line)
        return None


@dataclass(frozen=True)
class Tune:
    name: str
    aliases: tuple[str, ...]
    n: int  # Song ci of this tune in the corpus (any length)
    forms: tuple[CiForm, ...]  # commonest first


@lru_cache(maxsize=None)
def tunes() -> dict[str, Tune]:
    """Every tune of the 词谱, by name, commonest first."""
    data = json.loads(gzip.decompress(RESOURCE.read_bytes()).decode("utf-8"))
    out = {}
    for row in data["tunes"]:
        forms = tuple(CiForm(row["name"], f["length"], f["n"], tuple(f["lines"]), tuple(f["soft"]), f["marks"],
                             tuple(f["level_share"]),
                             tuple(RhymeSet(tuple(s["lines"]), s["tone"], tuple(s["tones"]), tuple(s["required"]))
                                   for s in f["rhyme_sets"]),
                             tuple((line, kind) for line, kind in f["repeats"]))
                      for f in row["forms"])
        out[row["name"]] = Tune(row["name"], tuple(row["aliases"]), row["n"], forms)
    return out


@lru_cache(maxsize=None)
def _names() -> dict[str, str]:
    names = {}
    for tune in tunes().values():
        for alias in tune.aliases:
            names.setdefault(alias, tune.name)
    names.update((name, name) for name in tunes())  # a tune's own name wins over another's alias
    return names


_NOTE = re.compile(r"[（(【\[〔].*?[）)】\]〕]")
_NUMBERED = re.compile(r"(其[一二三四五六七八九十百]+|[0-9０-９]+|[一二三四五六七八九十]+首)$")


def clean_name(name: str) -> str:
    """A tune name without 《》, notes in brackets, a title after · and a trailing 其N or number
    (rule 5): ``《浣溪沙·春景》`` -> ``浣溪沙``."""
    name = _NOTE.sub("", name.strip().strip("《》〈〉<>\"“”「」 "))
    name = re.split(r"[·・•‧．.]", name)[0] if not name.startswith(("·", "・")) else name
    return _NUMBERED.sub("", name.strip()).strip()


def tune(name: str) -> Tune | None:
    """The tune called ``name`` or one of its other names (rule 5); None for no tune of the 词谱."""
    key = _names().get(clean_name(name))
    return tunes()[key] if key else None


def corpus_name(rhythmic: str) -> str:
    """The tune a corpus row names: ``A・B`` is B (A is its other name), a plain name itself."""
    return clean_name(rhythmic.split("・")[-1]) if "・" in rhythmic else clean_name(rhythmic)
