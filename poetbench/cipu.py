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
SHAPE_OVERLAP = 0.7  # a poem read by its shape alone shares this much of its breaks with the form's


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
def _data() -> dict:
    return json.loads(gzip.decompress(RESOURCE.read_bytes()).decode("utf-8"))


def calibration() -> dict[str, list[float]]:
    """(median, robust spread) of the raw fluency and coherence of real Song ci, by metric
    (``language/model.py`` puts a 词 against them)."""
    return _data()["calibration"]


@lru_cache(maxsize=None)
def tunes() -> dict[str, Tune]:
    """Every tune of the 词谱, by name, commonest first."""
    out = {}
    for row in _data()["tunes"]:
        forms = tuple(form_from_row(row["name"], f) for f in row["forms"])
        out[row["name"]] = Tune(row["name"], tuple(row["aliases"]), row["n"], forms)
    return out


def form_from_row(tune_name: str, row: dict) -> CiForm:
    """A form of ``tune_name`` from its row in the resource (``cipu_derive.form_of`` makes one)."""
    return CiForm(tune_name, row["length"], row["n"], tuple(row["lines"]), tuple(row["soft"]), row["marks"],
                  tuple(row["level_share"]),
                  tuple(RhymeSet(tuple(s["lines"]), s["tone"], tuple(s["tones"]), tuple(s["required"]))
                        for s in row["rhyme_sets"]),
                  tuple((line, kind) for line, kind in row["repeats"]))


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


_LABEL = re.compile(r"^(?:(?:词牌名?|调寄|调名|词调)\s*[:：]?|(?:填词|词)\s*[:：])\s*")


def clean_name(name: str) -> str:
    """A tune name without 《》, a label (词牌：, 调寄), notes in brackets, a title after · and a
    trailing 其N or number (rule 5): ``《浣溪沙·春景》`` and ``词牌：浣溪沙`` -> ``浣溪沙``."""
    name = _LABEL.sub("", name.strip().strip("*#《》〈〉<>\"“”「」 "))
    name = _NOTE.sub("", name.strip().strip("《》〈〉<>\"“”「」*# "))
    name = re.split(r"[·・•‧．.]", name)[0] if not name.startswith(("·", "・")) else name
    return _NUMBERED.sub("", name.strip()).strip()


@lru_cache(maxsize=4096)
def tune(name: str) -> Tune | None:
    """The tune called ``name`` or one of its other names (rule 5); None for no tune of the 词谱."""
    key = _names().get(clean_name(name))
    return tunes()[key] if key else None


def corpus_name(rhythmic: str) -> str:
    """The tune a corpus row names: ``A・B`` is B (A is its other name), a plain name itself."""
    return clean_name(rhythmic.split("・")[-1]) if "・" in rhythmic else clean_name(rhythmic)


@dataclass(frozen=True)
class CiMatch:
    """A poem read as a form of a tune: the poem's text cut into the form's lines, the lines whose
    length differs from the form's, and how the tune was found."""

    form: CiForm
    lines: tuple[str, ...]  # the poem's characters, one string per line of the form
    off: tuple[tuple[int, int, int], ...]  # (1-based form line, the poem's characters, the form's) where they differ
    by: str  # how the tune was found: "title", "request" or "shape"
    also: tuple[str, ...] = ()  # other tunes with a form of this shape (read by shape only)

    @property
    def exact(self) -> bool:
        return not self.off

    @property
    def broken_repeats(self) -> tuple[int, ...]:
        """The 1-based lines of the form's 叠句 that do not repeat what they should (rule 4)."""
        out = []
        for line, kind in self.form.repeats:
            mine, before = self.lines[line - 1], self.lines[line - 2]
            if not mine or (mine != before if kind == SAME else not before.endswith(mine)):
                out.append(line)
        return tuple(out)


def align(lengths: tuple[int, ...], form: CiForm) -> tuple[tuple[tuple[int, int], ...], int] | None:
    """The poem's lines grouped into the form's (consecutive lines merged: a break a poet added,
    or a 、), with the fewest characters off in all: (per form line the poem's lines [start,
    end), characters off), or None when the poem has fewer lines than the form."""
    n, m = len(lengths), len(form.lines)
    if n < m or n > 3 * m:
        return None
    prefix = [0]
    for size in lengths:
        prefix.append(prefix[-1] + size)
    inf = float("inf")
    cost = [[inf] * (n + 1) for _ in range(m + 1)]
    back = [[0] * (n + 1) for _ in range(m + 1)]
    cost[0][0] = 0
    for j in range(1, m + 1):
        for i in range(j, n - (m - j) + 1):
            for k in range(max(j - 1, i - 3), i):  # at most three poem lines make one form line
                if cost[j - 1][k] < inf:
                    c = cost[j - 1][k] + abs(prefix[i] - prefix[k] - form.lines[j - 1])
                    if c < cost[j][i]:
                        cost[j][i], back[j][i] = c, k
    if cost[m][n] == inf:
        return None
    groups, i = [], n
    for j in range(m, 0, -1):
        groups.append((back[j][i], i))
        i = back[j][i]
    return tuple(reversed(groups)), int(cost[m][n])


def cut(text: str, sizes) -> tuple[str, ...]:
    """``text`` cut into pieces of ``sizes`` characters (the last ones short when it is)."""
    out, start = [], 0
    for size in sizes:
        out.append(text[start:start + size])
        start += size
    return tuple(out)


def read_as(lines: list[str], form: CiForm, by: str, also: tuple[str, ...] = ()) -> CiMatch:
    """``lines`` read as ``form``: of the form's length, cut at its breaks (a 词's breaks are the
    tune's, wherever the poet put commas); else grouped line by line (``align``), and where even
    that fails, cut in order."""
    text = "".join(lines)
    if len(text) == form.length:
        return CiMatch(form, cut(text, form.lines), (), by, also)  # cut at the form's breaks: no line off
    aligned = align(tuple(map(len, lines)), form)
    pieces = (tuple("".join(lines[a:b]) for a, b in aligned[0]) if aligned is not None
              else cut(text, form.lines))
    off = tuple((j + 1, len(piece), size) for j, (piece, size) in enumerate(zip(pieces, form.lines))
                if len(piece) != size)
    return CiMatch(form, pieces, off, by, also)


def _off_by(lines: list[str], form: CiForm) -> int | None:
    """Characters the poem is off the form: 0 at its length, else by ``align`` (None: no reading)."""
    if sum(map(len, lines)) == form.length:
        return 0
    aligned = align(tuple(map(len, lines)), form)
    return aligned[1] if aligned is not None else None


def match(lines: list[str], name: str | None = None, by: str = "title") -> CiMatch | None:
    """The form ``lines`` have: of the tune ``name`` (found ``by`` its title or the request), the
    form they are fewest characters off, the commoner on a tie; with no name, a form of any tune
    whose length they have and whose line breaks are nearly theirs (``SHAPE_OVERLAP`` of the
    breaks of either are shared: a comma left out, added or moved), the closest and then the
    commonest; the other tunes it fits are in ``also``."""
    if not lines:
        return None
    if name is not None:
        found = tune(name)
        if found is None:
            return None
        length = sum(map(len, lines))
        exact = next((form for form in found.forms if form.length == length), None)
        if exact is not None:  # no other form is 0 characters off
            return read_as(lines, exact, by)
        scored = [(off, index) for index, form in enumerate(found.forms)
                  if (off := _off_by(lines, form)) is not None]
        index = min(scored)[1] if scored else 0
        return read_as(lines, found.forms[index], by)
    breaks = _breaks(map(len, lines))
    overlap = {id(form): len(breaks & _breaks(form.lines)) / len(breaks | _breaks(form.lines))
               for form in _by_length().get(sum(map(len, lines)), ())}
    fits = sorted((form for form in _by_length().get(sum(map(len, lines)), ()) if overlap[id(form)] >= SHAPE_OVERLAP),
                  key=lambda form: (-overlap[id(form)], -form.n))
    if not fits:
        return None
    return read_as(lines, fits[0], "shape", tuple(dict.fromkeys(f.tune for f in fits[1:] if f.tune != fits[0].tune)))


def _breaks(sizes) -> frozenset[int]:
    out, at = set(), 0
    for size in sizes:
        at += size
        out.add(at)
    return frozenset(out)


@lru_cache(maxsize=None)
def _by_length() -> dict[int, tuple[CiForm, ...]]:
    """Every form by its length in characters, commonest first."""
    out: dict[int, list[CiForm]] = {}
    for found in tunes().values():
        for form in found.forms:
            out.setdefault(form.length, []).append(form)
    return {length: tuple(sorted(forms, key=lambda f: -f.n)) for length, forms in out.items()}
