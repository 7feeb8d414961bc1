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


# Which base kind each of the four templates (in FIRST_COUPLETS order) gives a line, by the
# line's place: the first two lines, then lines 3, 4, 5, … by their index modulo 4.
_PLACES = {"line1": "adcb", "line2": "bbdd", 0: "aacc", 1: "bbdd", 2: "ccaa", 3: "ddbb"}
_FIELD = 1 << 16  # packed counters: (checks, fails) for each of the 4 templates, 16 bits each


def _pack(counts) -> int:
    """Pack (checks, fails) pairs of the four templates into one integer."""
    return sum(c * _FIELD ** (2 * t) + f * _FIELD ** (2 * t + 1) for t, (c, f) in enumerate(counts))


@lru_cache(maxsize=1 << 16)
def line_totals(codes: str, strict: bool) -> tuple[dict, int, bool, bool]:
    """What one line adds to each template's (checks, fails), for every place it can stand in.

    Returns ``(packed, unknown, broken_a, rescues)``: ``packed`` maps a place (see _PLACES) to
    the line's packed counts, so a poem's totals are plain integer sums over its lines;
    ``broken_a`` and ``rescues`` are the two halves of 对句相救, settled per couplet.
    """
    lines = {kind: check_line(codes, kind, strict) for kind in "abcd"}
    packed = {place: _pack((lines[k].checks, len(lines[k].fails)) for k in kinds) for place, kinds in _PLACES.items()}
    size = len(codes)
    broken_a = not strict and (size - 2, PATTERN) in lines["a"].fails
    return packed, lines["a"].unknown, broken_a, _fits(codes[size - 3], PING)


# A rescued couplet takes one fail off every template that makes its first line an a-line.
_RESCUE = {place: _pack((0, 1) if kind == "a" else (0, 0) for kind in kinds) for place, kinds in _PLACES.items()}


@lru_cache(maxsize=None)
def _kinds(template: int, n_lines: int) -> tuple[str, ...]:
    """The base kind of every line under template ``template`` (an index of FIRST_COUPLETS)."""
    kinds = list(FIRST_COUPLETS[template])
    while len(kinds) < n_lines:
        kinds.extend(NEXT_COUPLET[kinds[-1]])
    return tuple(kinds)


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
    n = len(codes)
    if n < 4 or n % 2 or len(codes[0]) not in (5, 7) or len(set(map(len, codes))) != 1:
        return None
    rows = [line_totals(c, strict) for c in codes]
    total = rows[0][0]["line1"] + rows[1][0]["line2"]
    unknown = rows[0][1] + rows[1][1]
    if rows[0][2] and rows[1][3]:
        total -= _RESCUE["line1"]
    for i in range(2, n):
        packed, line_unknown, broken_a, _ = rows[i]
        total += packed[i & 3]
        unknown += line_unknown
        if broken_a and not i & 1 and rows[i + 1][3]:
            total -= _RESCUE[i & 3]
    best = None
    for t in range(4):
        total, checks = divmod(total, _FIELD)
        total, fails = divmod(total, _FIELD)
        key = ((checks - fails) / checks if checks else 0.0, -fails)
        if best is None or key > best[0]:
            best = (key, t, checks, fails)
    _, t, checks, fails = best
    kinds = _kinds(t, n)
    return ToneResult(
        codes=codes,
        kinds=kinds,
        strict=strict,
        conformity=(checks - fails) / checks if checks else None,
        ok=False if fails else (None if unknown or not checks else True),
        violations=_violations(codes, kinds, strict) if fails else [],
    )


def _violations(codes: list[str], kinds: tuple[str, ...], strict: bool) -> list[dict]:
    out = []
    size = len(codes[0])
    for i, (line_codes, kind) in enumerate(zip(codes, kinds)):
        rescued = i % 2 == 0 and kind == "a" and line_totals(line_codes, strict)[2] and line_totals(codes[i + 1], strict)[3]
        label = DUI if i == 0 or i % 2 else NIAN
        for pos, rule in _line_violations(line_codes, kind, strict, label):
            if not (rescued and pos == size - 1 and rule in (PATTERN, label)):
                out.append({"line": i + 1, "pos": pos, "rule": rule})
    return out


@lru_cache(maxsize=1 << 16)
def _line_violations(codes: str, kind: str, strict: bool, label: str) -> tuple[tuple[int, str], ...]:
    """(1-based position, rule) of every violation in one line; ``label`` names a misplaced line."""
    line = check_line(codes, kind, strict)
    rule = _structural_rule(codes, kind, label, strict) if any(r == PATTERN for _, r in line.fails) else PATTERN
    return tuple((pos + 1, rule if r == PATTERN else r) for pos, r in line.fails)


def _structural_rule(codes: str, kind: str, rule: str, strict: bool) -> str:
    """``rule`` (失对 or 失粘) when the line fits another base pattern with the same ending."""
    for other in (("b", "d") if kind in RHYMING else ("a", "c")):
        if other != kind and not any(r == PATTERN for _, r in check_line(codes, other, strict).fails):
            return rule
    return PATTERN
