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


_KINDS = "abcd"
_PAIRS = (("a", "b"), ("c", "d"), ("d", "b"), ("b", "d"))  # every kind pair a couplet can take
# The pair each template gives a couplet: the first one, then couplets 2, 4, … and 3, 5, ….
_TEMPLATE_PAIRS = {"first": (0, 2, 1, 3), "odd": (1, 1, 0, 0), "even": (0, 0, 1, 1)}
_FIELD = 1 << 16  # packed counters: (checks, fails) for each of the 4 templates, 16 bits each


@lru_cache(maxsize=1 << 18)
def couplet_totals(out_codes: str, in_codes: str, strict: bool) -> tuple[int, int, int, int]:
    """What one couplet adds to each template's (checks, fails), by its place in the poem.

    Returns ``(first, odd, even, unknown)``: the first three are the couplet's counts when it
    opens the poem, or stands at an odd or even place after that, packed for the four
    templates into 16-bit fields, so a poem's totals are plain integer sums over couplets.
    """
    counts = []
    for out_kind, in_kind in _PAIRS:
        first, second = check_line(out_codes, out_kind, strict), check_line(in_codes, in_kind, strict)
        fails = len(first.fails) + len(second.fails) - (not strict and rescues(first, out_kind, in_codes))
        counts.append((first.checks + second.checks, fails))
        unknown = first.unknown + second.unknown  # the same for every pair
    packed = []
    for role in ("first", "odd", "even"):
        value = 0
        for t, pair in enumerate(_TEMPLATE_PAIRS[role]):
            checks, fails = counts[pair]
            value += checks * _FIELD ** (2 * t) + fails * _FIELD ** (2 * t + 1)
        packed.append(value)
    return packed[0], packed[1], packed[2], unknown


def _kinds(first: tuple[str, str], n_lines: int) -> list[str]:
    kinds = list(first)
    while len(kinds) < n_lines:
        kinds.extend(NEXT_COUPLET[kinds[-1]])
    return kinds


@dataclass
class ToneResult:
    codes: list[str]  # tone codes the poem was measured on
    kinds: list[str]  # base kind (a-d) of every line in the best-fitting template
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
    size = len(codes[0]) if codes else 0
    if n < 4 or n % 2 or size not in (5, 7) or any(len(c) != size for c in codes):
        return None
    first, _, _, unknown = couplet_totals(codes[0], codes[1], strict)
    total = first
    for j, i in enumerate(range(2, n, 2)):
        couplet = couplet_totals(codes[i], codes[i + 1], strict)
        total += couplet[1] if j % 2 == 0 else couplet[2]
        unknown += couplet[3]
    best = None
    for t in range(4):
        total, checks = divmod(total, _FIELD)
        total, fails = divmod(total, _FIELD)
        key = ((checks - fails) / checks if checks else 0.0, -fails)
        if best is None or key > best[0]:
            best = (key, t, checks, fails)
    _, t, checks, fails = best
    kinds = _kinds(FIRST_COUPLETS[t], n)
    return ToneResult(
        codes=codes,
        kinds=kinds,
        strict=strict,
        conformity=(checks - fails) / checks if checks else None,
        ok=False if fails else (None if unknown or not checks else True),
        violations=_violations(codes, kinds, strict) if fails else [],
    )


def _violations(codes: list[str], kinds: list[str], strict: bool) -> list[dict]:
    return [{"line": i + 1 + line, "pos": pos, "rule": rule}
            for i in range(0, len(codes), 2)
            for line, pos, rule in _couplet_violations(codes[i], codes[i + 1], kinds[i], kinds[i + 1], strict, i == 0)]


@lru_cache(maxsize=1 << 16)
def _couplet_violations(out_codes: str, in_codes: str, out_kind: str, in_kind: str, strict: bool,
                        opens_poem: bool) -> tuple[tuple[int, int, str], ...]:
    """(line 0/1, 1-based position, rule) of every violation in one couplet."""
    out = []
    size = len(out_codes)
    for j, (line_codes, kind) in enumerate(((out_codes, out_kind), (in_codes, in_kind))):
        line = check_line(line_codes, kind, strict)
        rescued = j == 0 and not strict and rescues(line, kind, in_codes)
        for pos, rule in line.fails:
            if rescued and (pos, rule) == (size - 2, PATTERN):
                continue
            if rule == PATTERN:
                rule = _structural_rule(line_codes, kind, DUI if j or opens_poem else NIAN, strict)
            out.append((j, pos + 1, rule))
    return tuple(out)


def _structural_rule(codes: str, kind: str, rule: str, strict: bool) -> str:
    """``rule`` (失对 or 失粘) when the line fits another base pattern with the same ending."""
    for other in (("b", "d") if kind in RHYMING else ("a", "c")):
        if other != kind and not any(r == PATTERN for _, r in check_line(codes, other, strict).fails):
            return rule
    return PATTERN
