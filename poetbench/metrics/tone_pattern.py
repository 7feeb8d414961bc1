"""平仄 of 近体诗: the four base line patterns, 粘对 between couplets, 孤平, 三平尾 and 拗救.

Base patterns of a five-character line (seven-character lines put the opposite pair in front):

====  ===========  ==============  ==========================
kind  5 chars      7 chars         role
====  ===========  ==============  ==========================
a     仄仄平平仄   平平仄仄平平仄  out-line (出句), ends 仄
b     平平仄仄平   仄仄平平仄仄平  in-line (对句), rhymes
c     平平平仄仄   仄仄平平平仄仄  out-line, ends 仄
d     仄仄仄平平   平平仄仄仄平平  in-line, rhymes
====  ===========  ==============  ==========================

对 pairs a with b and c with d inside a couplet; 粘 makes the next couplet start with the
kind whose second character matches the line before (b → c, d → a). A first line that rhymes
uses d instead of a, or b instead of c. That gives four templates (平起/仄起 × 首句入韵 or not),
and the poem is measured against the one it fits best.

**Lenient** (default): only the even positions and the last character are constrained (一三五不论;
for five-character lines 一三不论), but

* 孤平 is a violation: a b-line whose only 平 besides the rhyme is its second-to-last 平
  (5: 仄平仄仄平; 7: x仄仄平仄仄平);
* 三平尾 is a violation: a rhyming line ending in three 平;
* these 拗救 forms are accepted:
  1. 孤平拗救 (本句自救): 仄平平仄平 / x仄仄平平仄平 — passes the 孤平 check by itself;
  2. 特拗: a c-line as 平平仄平仄 / x仄平平仄平仄 (third-from-last and second-to-last swapped,
     the character before them 平);
  3. 对句相救 (大拗/小拗): an a-line whose second-to-last is 仄 (仄仄平仄仄, 仄仄仄仄仄), rescued
     by 平 in the third-from-last position of the b-line that follows (平平平仄平).

**Strict**: every position must follow the pattern; nothing is excused.

Tone codes: P 平, Z 仄, A undecided (fits either), ? unknown (not checked, and the verdict is
then ``None`` rather than a guess).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from poetbench import cache
from poetbench.phonology.modern import EITHER, PING, UNKNOWN, ZE

BASE5 = {"a": "ZZPPZ", "b": "PPZZP", "c": "PPPZZ", "d": "ZZZPP"}
FIRST_COUPLETS = (("a", "b"), ("d", "b"), ("c", "d"), ("b", "d"))
NEXT_COUPLET = {"b": ("c", "d"), "d": ("a", "b")}
RHYMING = ("b", "d")

# Rule names used in violations.
PATTERN, NIAN, DUI, GU_PING, SAN_PING_WEI = "pattern", "nian", "dui", "gu_ping", "san_ping_wei"
TE_AO, DUIJU_JIU = "te_ao", "duiju_jiu"  # accepted 拗救 forms


def base_pattern(kind: str, size: int) -> str:
    """The P/Z pattern of a line of ``kind`` (a-d) and ``size`` (5 or 7) characters."""
    five = BASE5[kind]
    return five if size == 5 else ("PP" if five[0] == ZE else "ZZ") + five


def template_name(first_kind: str, size: int) -> str:
    start = "平起" if base_pattern(first_kind, size)[1] == PING else "仄起"
    return start + ("首句入韵" if first_kind in RHYMING else "首句不入韵")


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
    positions = range(size) if strict else [p for p in range(1, size, 2)] + [size - 1]
    checks, unknown = 0, 0
    fails: list[tuple[int, str]] = []
    excused: list[tuple[int, str]] = []
    for pos in positions:
        if codes[pos] == UNKNOWN:
            unknown += 1
        elif not _fits(codes[pos], want[pos]):
            checks += 1
            fails.append((pos, PATTERN))
        else:
            checks += 1
    if strict:
        return LineCheck(checks, tuple(fails), (), unknown)
    if kind == "c" and (size - 2, PATTERN) in fails and codes[size - 3] in (ZE, EITHER) \
            and _fits(codes[size - 5], PING):
        fails.remove((size - 2, PATTERN))
        excused.append((size - 2, TE_AO))
    if kind == "b":
        checks += 1
        if codes[size - 5] == ZE and codes[size - 3] == ZE:
            fails.append((size - 5, GU_PING))
    if kind in RHYMING:
        checks += 1
        if codes[-3:] == PING * 3:
            fails.append((size - 3, SAN_PING_WEI))
    return LineCheck(checks, tuple(sorted(fails)), tuple(excused), unknown)


def rescues(out_line: LineCheck, out_kind: str, in_codes: str) -> bool:
    """对句相救: an a-line broken at its second-to-last position, saved by 平 in the next line."""
    size = len(in_codes)
    return out_kind == "a" and (size - 2, PATTERN) in out_line.fails and _fits(in_codes[size - 3], PING)


@lru_cache(maxsize=None)
def _kinds(template: int, n_lines: int) -> tuple[str, ...]:
    """The base kind of every line under template ``template`` (an index of FIRST_COUPLETS)."""
    kinds = list(FIRST_COUPLETS[template])
    while len(kinds) < n_lines:
        kinds.extend(NEXT_COUPLET[kinds[-1]])
    return tuple(kinds)


# Which base kind each of the four templates (in FIRST_COUPLETS order) gives a line, by the
# line's place: lines 3, 4, 5, … by their index modulo 4 (places 0-3), then line 1 (place 4)
# and line 2 (place 5). The pattern repeats every four lines from line 5 (index 4).
_PLACES = tuple("".join(_kinds(t, 8)[i] for t in range(len(FIRST_COUPLETS))) for i in (4, 5, 2, 3, 0, 1))
# Places x templates where the line is an a-line: a rescued couplet (对句相救) takes one fail off.
_IS_A = np.array([[kind == "a" for kind in kinds] for kinds in _PLACES], dtype=np.int32)
_CODE_DIGIT = np.full(256, 3, dtype=np.int64)  # tone code byte -> base-4 digit (P Z A ?)
for _digit, _code in enumerate((PING, ZE, EITHER, UNKNOWN)):
    _CODE_DIGIT[ord(_code)] = _digit


def _decode(key: int, size: int) -> str:
    return "".join((PING, ZE, EITHER, UNKNOWN)[(key >> (2 * (size - 1 - k))) & 3] for k in range(size))


class LineTable:
    """Every line of one size, as a base-4 key of its tone codes, with what it adds to each
    template's (checks, fails) at every place. Built whole (4**size lines) and cached on disk."""

    def __init__(self, size: int, strict: bool):
        self.size, self.strict = size, strict
        rows = 4 ** size
        self.counts = np.zeros((rows, len(_PLACES), 4, 2), dtype=np.int32)  # place, template, (checks, fails)
        self.unknown = np.zeros(rows, dtype=np.int32)
        self.broken_a = np.zeros(rows, dtype=bool)  # an a-line broken at its second-to-last position…
        self.rescues = np.zeros(rows, dtype=bool)  # …and a next line that can rescue it (平 third from last)
        for key in range(rows):
            self._fill(key)

    def keys(self, flat_codes: str) -> np.ndarray:
        """The key of every line in ``flat_codes`` (lines of this size, back to back)."""
        digits = _CODE_DIGIT[np.frombuffer(flat_codes.encode("ascii"), dtype=np.uint8)].reshape(-1, self.size)
        return digits @ (4 ** np.arange(self.size - 1, -1, -1, dtype=np.int64))

    def _fill(self, key: int) -> None:
        codes = _decode(key, self.size)
        lines = {kind: check_line(codes, kind, self.strict) for kind in "abcd"}
        for place, kinds in enumerate(_PLACES):
            self.counts[key, place] = [(lines[k].checks, len(lines[k].fails)) for k in kinds]
        self.unknown[key] = lines["a"].unknown
        self.broken_a[key] = not self.strict and (self.size - 2, PATTERN) in lines["a"].fails
        self.rescues[key] = _fits(codes[self.size - 3], PING)


@lru_cache(maxsize=None)
def _line_table(size: int, strict: bool) -> LineTable:
    key = cache.fingerprint([Path(__file__)], ["numpy"])
    return cache.cached(f"lines-{size}-{'strict' if strict else 'lenient'}", key, lambda: LineTable(size, strict))


@dataclass(slots=True)
class ToneResult:
    codes: list[str]  # tone codes the poem was measured on
    kinds: tuple[str, ...]  # base kind (a-d) of every line in the best-fitting template
    strict: bool
    conformity: float | None
    ok: bool | None
    violations: list[dict]  # {line, pos, rule}, 1-based

    @property
    def template(self) -> str:
        """e.g. 平起首句入韵."""
        return template_name(self.kinds[0], len(self.codes[0]))

    @property
    def expected(self) -> list[str]:
        """The P/Z pattern of every line in the template."""
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


def check(codes: list[str], strict: bool = False) -> ToneResult | None:
    """Measure tone-coded lines against the best-fitting template; None if not 近体诗-shaped."""
    return check_many([codes], strict)[0]


def check_many(poems: list[list[str]], strict: bool = False) -> list[ToneResult | None]:
    """``check`` for many poems at once: the template search runs on arrays, one pass per size."""
    results: list[ToneResult | None] = [None] * len(poems)
    for size in (5, 7):
        chosen = [k for k, codes in enumerate(poems) if len(codes) >= 4 and not len(codes) % 2
                  and len(codes[0]) == size and len(set(map(len, codes))) == 1]
        if chosen:
            for k, result in zip(chosen, _search([poems[k] for k in chosen], size, strict)):
                results[k] = result
    return results


def _search(poems: list[list[str]], size: int, strict: bool) -> list[ToneResult]:
    table = _line_table(size, strict)
    keys = table.keys("".join("".join(codes) for codes in poems))
    counts = np.array([len(codes) for codes in poems])
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    index = np.arange(len(keys)) - np.repeat(starts, counts)  # a line's index in its poem
    place = np.where(index < 2, index + 4, index & 3)
    lines = table.counts[keys, place]  # line, template, (checks, fails)
    following = keys[np.minimum(np.arange(len(keys)) + 1, len(keys) - 1)]  # pairs stay in one poem
    rescued = (index % 2 == 0) & table.broken_a[keys] & table.rescues[following]
    lines[:, :, 1] -= rescued[:, None] * _IS_A[place]
    totals = np.add.reduceat(lines, starts, axis=0)  # poem, template, (checks, fails)
    unknown = np.add.reduceat(table.unknown[keys], starts)
    checks, fails = totals[:, :, 0], totals[:, :, 1]
    # Best template: highest share of passing checks, then fewest fails, then the first.
    passing, base = np.where(checks > 0, checks - fails, 0), np.maximum(checks, 1)
    rows = np.arange(len(poems))
    best = np.zeros(len(poems), dtype=np.intp)
    for t in range(1, 4):
        mine, theirs = passing[:, t] * base[rows, best], passing[rows, best] * base[:, t]
        best = np.where((mine > theirs) | ((mine == theirs) & (fails[:, t] < fails[rows, best])), t, best)
    out = []
    for codes, t, n_checks, n_fails, n_unknown in zip(
            poems, best.tolist(), checks[rows, best].tolist(), fails[rows, best].tolist(), unknown.tolist()):
        out.append(ToneResult(
            codes=codes,
            kinds=_kinds(t, len(codes)),
            strict=strict,
            conformity=(n_checks - n_fails) / n_checks if n_checks else None,
            ok=False if n_fails else (None if n_unknown or not n_checks else True),
            violations=[],
        ))
    # Violations, for the lines that fail under their poem's template only.
    poem_of_line = np.repeat(rows, counts)
    failing = np.flatnonzero(lines[np.arange(len(keys)), best[poem_of_line], 1] > 0)
    for poem, i, rescue in zip(poem_of_line[failing].tolist(), index[failing].tolist(), rescued[failing].tolist()):
        result = out[poem]
        result.violations += [{"line": i + 1, "pos": pos, "rule": rule} for pos, rule in
                              _line_violations(result.codes[i], result.kinds[i], strict, i == 0 or i % 2 == 1, rescue)]
    return out


@lru_cache(maxsize=1 << 16)
def _line_violations(codes: str, kind: str, strict: bool, pair_line: bool, rescued: bool) -> tuple[tuple[int, str], ...]:
    """(1-based position, rule) of every violation in one line.

    ``pair_line``: the line is measured against its pair (失对) rather than the couplet before it
    (失粘); ``rescued``: the couplet is saved by 对句相救, which excuses this line's broken
    second-to-last character.
    """
    line = check_line(codes, kind, strict)
    label = DUI if pair_line else NIAN
    rule = _structural_rule(codes, kind, label, strict) if any(r == PATTERN for _, r in line.fails) else PATTERN
    excused = (len(codes) - 2, PATTERN) if rescued and kind == "a" else None
    return tuple((pos + 1, rule if r == PATTERN else r) for pos, r in line.fails if (pos, r) != excused)


def _structural_rule(codes: str, kind: str, rule: str, strict: bool) -> str:
    """``rule`` (失对 or 失粘) when the line fits another base pattern with the same ending."""
    for other in (("b", "d") if kind in RHYMING else ("a", "c")):
        if other != kind and not any(r == PATTERN for _, r in check_line(codes, other, strict).fails):
            return rule
    return PATTERN
