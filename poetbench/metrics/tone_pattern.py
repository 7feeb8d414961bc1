"""平仄 of 近体诗: each line against its own line pattern, then 对 and 粘 between lines.

Each line is measured against one of four base patterns, a to d (``phonology/patterns.py``, where
the table is): a and c are out-lines (出句) ending 仄, b and d in-lines (对句) that rhyme; a
five-character a-line is 仄仄平平仄, and a seven-character line puts the opposite pair in front.

The check has two steps.

1. **Each line against its own pattern.** Every even line rhymes, so it is a b- or d-line; every
   odd line after the first is an a- or c-line; the first line may be any of the four (a first
   line that rhymes is b or d). A line is measured against the allowed pattern it breaks least.
2. **Relations between lines**, on the second character of each line's pattern (the 4th and 6th
   follow from it):

   * 对: the two lines of a couplet oppose (a with b, c with d; a first line that rhymes pairs
     d with b or b with d). A break is reported as 失对 on the couplet's second line.
   * 粘: a couplet's first line follows the line before it (b → c, d → a). A break is reported
     as 失粘 on that line: the 折腰体 quatrain breaks 粘 once, at line 3, and nothing else.

   When a line fits two patterns equally well, the one that keeps 粘 and 对 is taken; after
   that, for the first line, the one that agrees with whether it rhymes (``first_rhymes``).

Each break is reported once, at the line and position where it happens, with its rule:

* 犯律 (``pattern``): a constrained position that breaks the line's own pattern;
* 失对 (``dui``) and 失粘 (``nian``): at the line's second character;
* 孤平 (``gu_ping``): a b-line ending in 平 with a single other 平, the one its pattern fixes
  (5: 仄平仄仄平; 7: x仄仄平仄仄平);
* 三平尾 (``san_ping_wei``): a rhyming line ending in three 平.

**Lenient** (default): only the even positions and the last character are constrained (一三五不论;
for five-character lines 一三不论), and these 拗救 forms are accepted:

1. 孤平拗救 (``gu_ping_jiu``, 本句自救): 仄平平仄平 / x仄仄平平仄平: the 平 third from the end
   saves the line from 孤平;
2. 特拗 (``te_ao``): a c-line as 平平仄平仄 / x仄平平仄平仄 (third-from-last and second-to-last
   swapped, the character before them 平);
3. 对句相救 (``duiju_jiu``, 大拗/小拗): an a-line whose second-to-last is 仄 (仄仄平仄仄,
   仄仄仄仄仄), rescued by 平 in the third-from-last position of the line that follows
   (平平平仄平).

**Strict**: every position must follow the line's pattern; nothing is excused.

``conformity`` is the share of checks that hold: every constrained position, every 孤平 and
三平尾 check, and every 对 and 粘 relation; each failed check is one entry of ``violations``.

Tone codes: P 平, Z 仄, A undecided (fits either), ? unknown (not checked, and the verdict is
then ``None`` rather than a guess).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from poetbench import cache
from poetbench.metrics import ci_meter, rhyme
from poetbench.metrics.context import Poems
from poetbench.phonology import patterns
from poetbench.phonology.book import RhymeBook
from poetbench.phonology.modern import EITHER, PING, UNKNOWN, ZE
from poetbench.phonology.patterns import KINDS, RHYMING, base_pattern, constrained

RELATION_POS = 2  # 1-based position where 失对 and 失粘 are reported

# Rule names used in violations (Chinese names: display.RULE_NAMES).
PATTERN, NIAN, DUI, GU_PING, SAN_PING_WEI = "pattern", "nian", "dui", "gu_ping", "san_ping_wei"
GU_PING_JIU, TE_AO, DUIJU_JIU = "gu_ping_jiu", "te_ao", "duiju_jiu"  # accepted 拗救 forms


def _fits(code: str, want: str) -> bool:
    return code == want or code == EITHER


@dataclass(frozen=True)
class LineCheck:
    checks: int  # constrained positions and rule checks made
    fails: tuple[tuple[int, str], ...]  # (position, rule), 0-based
    excused: tuple[tuple[int, str], ...]  # (position, accepted 拗救 form)
    unknown: int  # constrained positions whose tone is unknown


@lru_cache(maxsize=1 << 16)
def check_line(codes: str, kind: str, strict: bool) -> LineCheck:
    """Check one line's tone codes against base pattern ``kind``."""
    size = len(codes)
    want = base_pattern(kind, size)
    checks, unknown = 0, 0
    fails: list[tuple[int, str]] = []
    excused: list[tuple[int, str]] = []
    for pos in constrained(size, strict):
        if codes[pos] == UNKNOWN:
            unknown += 1
            continue
        checks += 1
        if not _fits(codes[pos], want[pos]):
            fails.append((pos, PATTERN))
    if strict:
        return LineCheck(checks, tuple(fails), (), unknown)
    if kind == "c" and (size - 2, PATTERN) in fails and codes[size - 3] in (ZE, EITHER) \
            and _fits(codes[size - 5], PING):
        fails.remove((size - 2, PATTERN))
        excused.append((size - 2, TE_AO))
    if kind == "b" and _fits(codes[-1], PING):  # 孤平 is about a line that does end in 平
        checks += 1
        if codes[size - 5] == ZE and codes[size - 3] == ZE:
            fails.append((size - 5, GU_PING))
        elif codes[size - 5] == ZE and codes[size - 3] == PING:
            excused.append((size - 3, GU_PING_JIU))
    if kind in RHYMING:
        checks += 1
        if codes[-3:] == PING * 3:
            fails.append((size - 3, SAN_PING_WEI))
    return LineCheck(checks, tuple(sorted(fails)), tuple(excused), unknown)


def rescues(out_line: LineCheck, out_kind: str, in_codes: str) -> bool:
    """对句相救: an a-line broken at its second-to-last position, saved by 平 in the next line."""
    size = len(in_codes)
    return out_kind == "a" and (size - 2, PATTERN) in out_line.fails and _fits(in_codes[size - 3], PING)


def relation(index: int) -> str:
    """The relation between line ``index`` (0-based, > 0) and the line before it: 对 or 粘."""
    return DUI if index % 2 else NIAN


_CODE_DIGIT = np.full(256, 3, dtype=np.int64)  # tone code byte -> base-4 digit (P Z A ?)
for _digit, _code in enumerate((PING, ZE, EITHER, UNKNOWN)):
    _CODE_DIGIT[ord(_code)] = _digit


def _decode(key: int, size: int) -> str:
    return "".join((PING, ZE, EITHER, UNKNOWN)[(key >> (2 * (size - 1 - k))) & 3] for k in range(size))


@cache.storable
class LineTable:
    """Every line of one size, as a base-4 key of its tone codes, with its (checks, fails)
    against each of the four kinds. Built whole (4**size lines) and cached on disk."""

    def __init__(self, size: int, strict: bool):
        self.size, self.strict = size, strict
        rows = 4 ** size
        self.counts = np.zeros((rows, len(KINDS), 2), dtype=np.int32)  # kind, (checks, fails)
        self.unknown = np.zeros(rows, dtype=np.int32)
        self.broken_a = np.zeros(rows, dtype=bool)  # an a-line broken at its second-to-last position…
        self.rescues = np.zeros(rows, dtype=bool)  # …and a next line that can rescue it (平 third from last)
        for key in range(rows):
            codes = _decode(key, size)
            lines = [check_line(codes, kind, strict) for kind in KINDS]
            self.counts[key] = [(line.checks, len(line.fails)) for line in lines]
            self.unknown[key] = lines[0].unknown
            self.broken_a[key] = not strict and (size - 2, PATTERN) in lines[0].fails
            self.rescues[key] = _fits(codes[size - 3], PING)

    def keys(self, flat_codes: str) -> np.ndarray:
        """The key of every line in ``flat_codes`` (lines of this size, back to back)."""
        digits = _CODE_DIGIT[np.frombuffer(flat_codes.encode("ascii"), dtype=np.uint8)].reshape(-1, self.size)
        return digits @ (4 ** np.arange(self.size - 1, -1, -1, dtype=np.int64))


@lru_cache(maxsize=None)
def _line_table(size: int, strict: bool) -> LineTable:
    key = cache.fingerprint([Path(__file__), Path(patterns.__file__)], ["numpy"])
    return cache.cached(f"lines-v2-{size}-{'strict' if strict else 'lenient'}", key, lambda: LineTable(size, strict))


@dataclass(slots=True)
class ToneResult:
    codes: list[str]  # tone codes the poem was measured on
    kinds: tuple[str, ...]  # the pattern (a-d) every line was measured against
    strict: bool
    conformity: float | None
    ok: bool | None
    violations: list[dict]  # {line, pos, rule}, 1-based, in line order

    @property
    def template(self) -> str:
        """e.g. 平起首句入韵: the template the first line opens."""
        return patterns.template_name(self.kinds[0], len(self.codes[0]))

    @property
    def expected(self) -> list[str]:
        """The P/Z pattern of every line's own kind."""
        return [base_pattern(k, len(self.codes[0])) for k in self.kinds]

    @property
    def accepted(self) -> list[dict]:
        """{line, pos, form}: the 拗救 forms that excused a position."""
        out = []
        size = len(self.codes[0])
        for i, (line_codes, kind) in enumerate(zip(self.codes, self.kinds)):
            line = check_line(line_codes, kind, self.strict)
            excused = list(line.excused)
            if i % 2 == 0 and not self.strict and rescues(line, kind, self.codes[i + 1]):
                excused.append((size - 2, DUIJU_JIU))
            out.extend({"line": i + 1, "pos": pos + 1, "form": form} for pos, form in excused)
        return out


def regulated_shape(lines: list[str]) -> bool:
    """4, 6, 8 … lines, all of 5 or all of 7 characters: the shapes the check measures."""
    return len(lines) >= 4 and not len(lines) % 2 and len(lines[0]) in (5, 7) and len(set(map(len, lines))) == 1


def check(codes: list[str], strict: bool = False, first_rhymes: bool = False) -> ToneResult | None:
    """Measure tone-coded lines line by line and pair by pair; None if not 近体诗-shaped.
    ``first_rhymes``: the first line rhymes (it then prefers b or d where a and c fit as well)."""
    return check_many([codes], strict, [first_rhymes])[0]


def check_many(poems: list[list[str]], strict: bool = False,
               first_rhymes: list[bool] | None = None) -> list[ToneResult | None]:
    """``check`` for many poems at once: the lines of every poem of one line size in one pass of
    array operations."""
    first_rhymes = first_rhymes or [False] * len(poems)
    results: list[ToneResult | None] = [None] * len(poems)
    by_size: dict[int, list[int]] = {5: [], 7: []}
    for k, codes in enumerate(poems):
        if regulated_shape(codes):
            by_size[len(codes[0])].append(k)
    for size, chosen in by_size.items():
        if chosen:
            found = _search([poems[k] for k in chosen], size, strict, np.array([first_rhymes[k] for k in chosen]))
            for k, result in zip(chosen, found):
                results[k] = result
    return results


def _search(poems: list[list[str]], size: int, strict: bool, first_rhymes: np.ndarray) -> list[ToneResult]:
    """Each line's kind, then the counts and violations, for poems of one line size.

    The relations need only the second character of each line's pattern, its *class* (平 or 仄
    opening). Write ``n`` for a line's class flipped on lines 2, 3, 6, 7, …: 对 and 粘 then both
    hold exactly where ``n`` stays the same from one line to the next. So among each line's best
    patterns, a line whose best patterns all share one ``n`` fixes it, and a line with a choice
    takes the ``n`` of the nearest fixed line before it (else after it): the fewest relation
    breaks there can be. The first line then prefers the pattern that agrees with its rhyme.
    """
    table = _line_table(size, strict)
    keys = table.keys("".join("".join(codes) for codes in poems))
    counts = np.array([len(codes) for codes in poems])
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    n = len(keys)
    index = np.arange(n) - np.repeat(starts, counts)  # a line's index in its poem
    line_counts = table.counts[keys]  # line, kind, (checks, fails)
    checks, fails = line_counts[..., 0], line_counts[..., 1].copy()
    # 对句相救: an a-line at an out-position, broken at its second-to-last, saved by the next line.
    following = keys[np.minimum(np.arange(n) + 1, n - 1)]
    rescued = (index % 2 == 0) & table.broken_a[keys] & table.rescues[following]
    fails[:, 0] -= rescued
    place = np.where(index == 0, 0, np.where(index % 2 == 1, 1, 2))
    own = np.where(_ALLOWED[place], fails, 1 << 10)
    best = own == own.min(axis=1, keepdims=True)  # line, kind: the line's best patterns
    flip = np.isin(index % 4, (1, 2))
    class_n = _P_CLASS[size][None, :] ^ flip[:, None]  # line, kind: n of each pattern on this line
    has = [(best & (class_n == v)).any(axis=1) for v in (False, True)]
    fixed = has[0] ^ has[1]
    ends = np.repeat(starts + counts - 1, counts)
    before = np.maximum.accumulate(np.where(fixed, np.arange(n), -1))
    after = np.minimum.accumulate(np.where(fixed, np.arange(n), n)[::-1])[::-1]
    first = np.repeat(starts, counts)
    preferred = best & (_RHYMING[None, :] == np.repeat(first_rhymes, counts)[:, None])
    free_n = class_n[np.arange(n), np.where(preferred.any(axis=1), preferred.argmax(axis=1), best.argmax(axis=1))]
    chosen_n = np.where(fixed, has[1],
                        np.where(before >= first, has[1][np.maximum(before, 0)],
                                 np.where(after <= ends, has[1][np.minimum(after, n - 1)], free_n[first])))
    usable = best & (class_n == chosen_n[:, None])
    kinds = (usable * (2 + ((index == 0)[:, None] & preferred))).argmax(axis=1)
    rows = np.arange(n)
    own_fails = fails[rows, kinds]
    relation_fails = (index > 0) & (chosen_n != np.roll(chosen_n, 1))
    total_checks = np.add.reduceat(checks[rows, kinds], starts) + (counts - 1)
    total_fails = np.add.reduceat(own_fails + relation_fails, starts)
    unknown = np.add.reduceat(table.unknown[keys], starts)
    names = (kinds.astype(np.uint8) + ord("a")).tobytes().decode("ascii")
    out = [ToneResult(codes=codes, kinds=_kind_tuple(names[start:start + len(codes)]), strict=strict,
                      conformity=(n_checks - n_fails) / n_checks if n_checks else None,
                      ok=False if n_fails else (None if n_unknown or not n_checks else True),
                      violations=[])
           for codes, start, n_checks, n_fails, n_unknown in zip(
               poems, starts.tolist(), total_checks.tolist(), total_fails.tolist(), unknown.tolist())]
    # Violations, line by line, for the lines that fail only.
    poem_of_line = np.repeat(np.arange(len(poems)), counts)
    failing = np.flatnonzero(relation_fails | (own_fails > 0))
    for p, i, broken_relation, rescue in zip(poem_of_line[failing].tolist(), index[failing].tolist(),
                                              relation_fails[failing].tolist(), rescued[failing].tolist()):
        result = out[p]
        if broken_relation:
            result.violations.append({"line": i + 1, "pos": RELATION_POS, "rule": relation(i)})
        result.violations += [{"line": i + 1, "pos": pos, "rule": rule}
                              for pos, rule in _line_violations(result.codes[i], result.kinds[i], strict, rescue)]
    return out


# By a line's place (first, even, odd after the first) and kind: whether it may take that kind.
_ALLOWED = np.array([[kind in kinds for kind in KINDS]
                     for kinds in (patterns.FIRST_KINDS, patterns.IN_KINDS, patterns.OUT_KINDS)])
# By line size and kind: whether the pattern opens 平 (its second character).
_P_CLASS = {size: np.array([base_pattern(kind, size)[1] == PING for kind in KINDS]) for size in (5, 7)}
_RHYMING = np.array([kind in RHYMING for kind in KINDS])


@lru_cache(maxsize=1 << 12)
def _kind_tuple(names: str) -> tuple[str, ...]:
    return tuple(names)


@lru_cache(maxsize=1 << 16)
def _line_violations(codes: str, kind: str, strict: bool, rescued: bool) -> tuple[tuple[int, str], ...]:
    """(1-based position, rule) of every fail of one line against its own pattern; ``rescued``:
    the couplet is saved by 对句相救, which excuses an a-line's broken second-to-last character."""
    excused = (len(codes) - 2, PATTERN) if rescued and kind == "a" else None
    return tuple((pos + 1, rule) for pos, rule in check_line(codes, kind, strict).fails if (pos, rule) != excused)


def read_meter(book: RhymeBook, poems: list[list[str]], strict: bool = False, detail: bool = False):
    """(tone codes, rhyme results, tone results) of poems of regulated shape, outside a scoring
    pass (the views, the 多音字 tools). Rhyme comes first: whether the first line rhymes settles
    its pattern where two fit equally (b/d or a/c)."""
    codes = book.many_poem_tones(poems)
    rhymes = [rhyme.check(lines, poem_codes, book, detail) for lines, poem_codes in zip(poems, codes)]
    return codes, rhymes, check_many(codes, strict, [r.first_rhymes for r in rhymes])


def tones(poems: Poems) -> list[ToneResult | None]:
    """The 平仄 results of the regulated poems of a scoring pass, in the order of
    ``rhyme.read(poems).regulated`` (made on first call, then kept)."""
    if "tone_pattern" not in poems.shared:
        reading = rhyme.read(poems)
        poems.shared["tone_pattern"] = check_many(reading.codes, poems.strict,
                                                  [r.first_rhymes for r in reading.rhymes])
    return poems.shared["tone_pattern"]


def measure(poems: Poems) -> dict[str, list]:
    """``tone_conformity``, ``tone_ok`` and ``tone_violations`` of the regulated poems and of the
    词 (``ci_meter``: against their tune's form), None elsewhere."""
    reading, results = rhyme.read(poems), tones(poems)
    return {"tone_conformity": ci_meter.overlay(poems, reading.spread(poems, [t.conformity for t in results]), "conformity"),
            "tone_ok": ci_meter.overlay(poems, reading.spread(poems, [t.ok for t in results]), "ok"),
            "tone_violations": ci_meter.overlay(poems, reading.spread(poems, [t.violations for t in results]),
                                                "violations")}
