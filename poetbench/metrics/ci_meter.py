"""平仄 and rhyme of a 词, position by position against the form of its tune (``cipu.py``).

``metrics/form.py`` reads the poem as a form of a tune and cuts its text into the form's lines;
this module checks that reading. ``tone_pattern`` and ``rhyme`` hand its results out under the
keys they give 近体诗, with the same meaning, so PoetScore, compare, the gate, the report and the
rewards need no special case.

1. **平仄.** Each character is read in context by the scorer's rhyme book (平水韵: 入声 = 仄).
   A line of the form's length is compared position by position; a line off the form by a few
   characters is compared from its end (where the meter and the rhyme are), and reported once as
   ``ci_length``. A position the form marks 平 or 仄 holds when the character fits it (an
   undecided character fits either; an unknown one is not counted); 中 is free. Each break is a
   ``ci_tone`` violation at its line and position.
2. **Lenient** (default): a position that fewer than ``FIRM`` of the Song poets kept (its
   ``level_share`` in the 词谱) is excused when broken, and a character the book lists in both
   tones (多音字: 看, 忘, 教, 凭) fits either, whatever reading its words suggest today (Song
   poets took 看 as 平 where we say kàn); **strict** counts every fixed position, each character
   in its reading in context.
3. **Rhyme** under 词林正韵 (``phonology/cilin.py``): each rhyme set's 部 is the one most of its
   lines' last characters share (lenient: with its neighbours, 通押; strict: that 部 alone); a
   line rhymes when its last character reads in that 部 in the tone its place wants (平, or 仄:
   上 去 入; a set of 入 wants 入 in strict mode). A required rhyme that fails is a ``ci_rhyme``
   violation; an optional one (可韵) is never a fault. A line end the 平水韵 table does not hold
   (盏, 做, 袜: their tone is the modern one, their 部 unknown) is not counted, never guessed.
4. **The keys.** ``tone_conformity``: the share of fixed positions kept. ``tone_ok``: no
   ``ci_tone`` or ``ci_length`` break (None when a character is unknown and nothing broke).
   ``rhyme_rate``: the share of required rhyme lines that rhyme. ``rhyme_ok``: every one does.
   ``rhyme_group``: the 部 of the longest set (第七部). ``tone_violations``: the breaks, rhyme
   and length included.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from poetbench import cipu
from poetbench.metrics.context import Poems
from poetbench.phonology import cilin
from poetbench.phonology.modern import EITHER, PING, UNKNOWN, ZE

FIRM = 95  # percent of Song poets who kept a fixed position, below which lenient mode excuses it
TONE, LENGTH, RHYME = "ci_tone", "ci_length", "ci_rhyme"  # violation rules (names: display.RULES)


@dataclass
class CiResult:
    codes: list[str]  # tone codes of each form line's text
    conformity: float | None
    ok: bool | None
    rhyme_ok: bool
    rhyme_rate: float | None
    rhyme_group: str | None
    violations: list[dict] = field(default_factory=list)
    rhymes: list[dict] = field(default_factory=list)  # per set: 部, the lines that rhyme, those that do not


_PER_FORM: dict[tuple, tuple] = {}  # (what, id(form), strict) -> (form, value): made once per form


def _cached(make, form: cipu.CiForm, strict: bool):
    """``make(form, strict)``, kept for the life of ``form`` (the 词谱's forms live as long as the process)."""
    kept = _PER_FORM.get((make.__name__, id(form), strict))
    if kept is not None and kept[0] is form:
        return kept[1]
    value = make(form, strict)
    _PER_FORM[(make.__name__, id(form), strict)] = (form, value)
    return value


def fixed_positions(form: cipu.CiForm, strict: bool) -> tuple[tuple[tuple[int, bool], ...], ...]:
    """Per line of the form, (k from the line's end, whether 平 is wanted) of every position
    checked (rules 1 and 2)."""
    out, start = [], 0
    for marks in form.line_marks():
        shares = form.level_share[start:start + len(marks)]
        start += len(marks)
        out.append(tuple((k, marks[-k] == cipu.LEVEL) for k in range(1, len(marks) + 1)
                         if marks[-k] != cipu.EITHER and (strict or max(shares[-k], 100 - shares[-k]) >= FIRM)))
    return tuple(out)


def check_tones(reading: cipu.CiMatch, codes: list[str], strict: bool) -> tuple[int, int, int, list[dict]]:
    """(fixed positions checked, kept, unknown, violations) of one 词 (rules 1 and 2)."""
    form, checked, kept, unknown, violations = reading.form, 0, 0, 0, []
    for j, (text, line_codes, fixed) in enumerate(zip(reading.lines, codes, _cached(fixed_positions, form, strict))):
        width = len(text)
        if width != form.lines[j]:
            violations.append({"line": j + 1, "pos": 0, "rule": LENGTH})
        for k, level in fixed:
            if k > width:
                break
            code = line_codes[-k]
            if code == UNKNOWN:
                unknown += 1
            elif code == EITHER or (code == PING) == level:
                checked += 1
                kept += 1
            else:
                checked += 1
                violations.append({"line": j + 1, "pos": width - k + 1, "rule": TONE})
    return checked, kept, unknown, violations


_LEVEL_ONLY = frozenset((cilin.LEVEL,))
_OBLIQUE_ANY = frozenset((cilin.OBLIQUE, cilin.ENTERING))


def _wanted(tone: str, set_tone: str, strict: bool) -> frozenset[str]:
    if tone == cilin.LEVEL:
        return _LEVEL_ONLY
    if strict and set_tone in (cilin.ENTERING, cilin.OBLIQUE):
        return frozenset((set_tone,))
    return _OBLIQUE_ANY


@lru_cache(maxsize=65536)
def _end_readings(char: str, wanted: frozenset[str], heard: str) -> frozenset[int] | None:
    """The 部 a line's last character rhymes in, in the tone its place wants and, where the poem's
    context decided its tone, in that tone; None for a character the table lacks (not counted)."""
    readings = cilin.rhymes(char)
    if not readings:
        return None
    return frozenset(part for part, cls in readings
                     if cls in wanted and not (heard == ZE and cls == cilin.LEVEL) and not (heard == PING and cls != cilin.LEVEL))


def rhyme_places(form: cipu.CiForm, strict: bool) -> tuple[tuple[cipu.RhymeSet, tuple[tuple[int, frozenset, bool], ...]], ...]:
    """Per rhyme set of the form, (0-based line, the tone classes wanted, required) of its lines."""
    return tuple((rhyme_set, tuple((line - 1, _wanted(tone, rhyme_set.tone, strict), required)
                                   for line, tone, required in zip(rhyme_set.lines, rhyme_set.tones, rhyme_set.required)))
                 for rhyme_set in form.rhyme_sets)


def check_rhymes(reading: cipu.CiMatch, codes: list[str], strict: bool) -> list[dict]:
    """Each rhyme set: its 部, and which of its lines rhyme (rule 3)."""
    mode = "strict" if strict else "lenient"
    lines, out = reading.lines, []
    for rhyme_set, places in _cached(rhyme_places, reading.form, strict):
        ends, votes = [], {}
        for j, wanted, required in places:
            text = lines[j]
            readings = _end_readings(text[-1], wanted, codes[j][-1]) if text else None
            ends.append(readings)
            if required and readings:
                for part in readings:
                    votes[part] = votes.get(part, 0) + 1
        part = max(votes, key=votes.__getitem__) if votes else None  # the first of the commonest
        family = cilin.family(part, mode) if part else frozenset()
        rhyming = [line for line, readings in zip(rhyme_set.lines, ends) if readings and not readings.isdisjoint(family)]
        counted = [line for line, readings, required in zip(rhyme_set.lines, ends, rhyme_set.required)
                   if required and readings is not None]
        out.append({"part": part, "lines": list(rhyme_set.lines), "rhyming": rhyming,
                    "missed": [line for line in counted if line not in rhyming], "required": len(counted)})
    return out


def check(reading: cipu.CiMatch, codes: list[str], strict: bool = False) -> CiResult:
    checked, kept, unknown, violations = check_tones(reading, codes, strict)
    sets = check_rhymes(reading, codes, strict)
    for rhymed in sets:
        violations += [{"line": line, "pos": len(reading.lines[line - 1]), "rule": RHYME}
                       for line in rhymed["missed"]]
    violations.sort(key=lambda v: (v["line"], v["pos"]))
    broken = any(v["rule"] != RHYME for v in violations)
    required = sum(s["required"] for s in sets)
    missed = sum(len(s["missed"]) for s in sets)
    longest = max(sets, key=lambda s: len(s["lines"]), default=None)
    return CiResult(codes=codes, conformity=kept / checked if checked else None,
                    ok=False if broken else (None if unknown or not checked else True),
                    rhyme_ok=required > 0 and missed == 0, rhyme_rate=(required - missed) / required if required else None,
                    rhyme_group=cilin.name(longest["part"]) if longest and longest["part"] else None,
                    violations=violations, rhymes=sets)


def results(poems: Poems) -> dict[int, CiResult]:
    """The 词 of a scoring pass checked (by position in the pass), made on first call and kept;
    the forms must be scored already (``metrics/form.py`` keeps the readings)."""
    if "ci_meter" not in poems.shared:
        readings = poems.shared.get("ci", {})
        order = sorted(readings)
        codes = poems.book.many_poem_tones([list(readings[i].lines) for i in order], settle=poems.strict)
        poems.shared["ci_meter"] = {i: check(readings[i], c, poems.strict) for i, c in zip(order, codes)}
    return poems.shared["ci_meter"]


def overlay(poems: Poems, values: list, key: str) -> list:
    """``values`` (one per poem, None for a non-regulated one) with each 词's ``key`` put in."""
    for i, result in results(poems).items():
        values[i] = getattr(result, key)
    return values
