"""`check --explain`: one line per rule the checker applied, what it asks and where it held.

For learners: it names each rule in Chinese first, says in a few words what it requires, and
lists the lines where it held and where it broke, from the same analysis ``check`` prints.
"""

from __future__ import annotations

from poetbench.metrics import tone_pattern as tp
from poetbench.phonology import inference
from poetbench.phonology.book import RhymeBook
from poetbench.phonology.modern import EITHER
from poetbench.phonology.patterns import RHYMING, base_pattern, constrained
from poetbench.scoring import Analysis


# The line patterns the 孤平 and 拗救 lines name, by line size.
RULE_PATTERNS = {
    5: {"b": "平平仄仄平", "gu_ping": "仄平仄仄平", "gu_ping_jiu": "仄平平仄平", "te_ao": "平平仄平仄",
        "duiju": "仄仄平仄仄 saved by 平平平仄平"},
    7: {"b": "仄仄平平仄仄平", "gu_ping": "仄仄仄平仄仄平", "gu_ping_jiu": "仄仄仄平平仄平", "te_ao": "仄仄平平仄平仄",
        "duiju": "平平仄仄平仄仄 saved by 仄仄平平平仄平"},
}


def explain_lines(analysis: Analysis, book: RhymeBook) -> list[str]:
    out = ["rules applied"]
    tone, rhyme = analysis.tone, analysis.rhyme
    if tone is not None:
        out.extend(_tone_rules(tone))
    if rhyme is not None:
        out.append(_rhyme_rule(analysis, book))
    out.append(_polyphone_rule(analysis, book))
    return [out[0]] + [f"  {line}" for line in out[1:]]


def _lines(numbers) -> str:
    numbers = list(numbers)
    return "none" if not numbers else ", ".join(map(str, numbers))


def _tone_rules(tone: tp.ToneResult) -> list[str]:
    size, n = len(tone.codes[0]), len(tone.codes)
    broken: dict[str, set[int]] = {}
    for v in tone.violations:
        broken.setdefault(v["rule"], set()).add(v["line"])
    positions = ", ".join(str(p + 1) for p in constrained(size, tone.strict))
    out = []
    if tone.strict:
        out.append(f"严格 strict: every position follows the line's pattern ({positions})")
    else:
        free = ", ".join(str(p + 1) for p in range(size) if p not in constrained(size, False))
        out.append(f"{'一三五' if size == 7 else '一三'}不论 free positions: positions {free} are free; {positions} follow the pattern")
    lines = range(1, n + 1)
    out.append(f"句式 line pattern: each line against its own pattern ({', '.join(_zh_kind(k, size) for k in tone.kinds)}); "
               f"held on lines {_lines(i for i in lines if i not in broken.get(tp.PATTERN, ()))}, "
               f"犯律 on {_lines(sorted(broken.get(tp.PATTERN, ())))}")
    couplets = [(i, i + 1) for i in range(1, n, 2)]
    out.append("对 opposition: the lines of a couplet open with opposite tones; held in "
               f"{_lines(f'{a}-{b}' for a, b in couplets if b not in broken.get(tp.DUI, ()))}, "
               f"失对 at {_lines(f'{a}-{b}' for a, b in couplets if b in broken.get(tp.DUI, ()))}")
    joints = [(i, i + 1) for i in range(2, n, 2)]
    out.append("粘 adhesion: a couplet's first line opens like the line before it; held at "
               f"{_lines(f'{a}→{b}' for a, b in joints if b not in broken.get(tp.NIAN, ()))}, "
               f"失粘 at {_lines(f'{a}→{b}' for a, b in joints if b in broken.get(tp.NIAN, ()))}")
    rhyming = [i + 1 for i, k in enumerate(tone.kinds) if k in RHYMING]
    b_lines = [i + 1 for i, k in enumerate(tone.kinds) if k == "b"]
    if not tone.strict:
        shown = RULE_PATTERNS[size]
        out.append(f"孤平 lone 平: a {shown['b']} line keeps a 平 besides the one its pattern fixes and the rhyme "
                   f"({shown['gu_ping']} is 孤平); checked on lines {_lines(b_lines)}, "
                   f"broken on {_lines(sorted(broken.get(tp.GU_PING, ())))}")
        out.append(f"三平尾 three-平 ending: a line ending 平 does not end 平平平; checked on lines {_lines(rhyming)}, "
                   f"broken on {_lines(sorted(broken.get(tp.SAN_PING_WEI, ())))}")
        names = {tp.GU_PING_JIU: "孤平拗救", tp.TE_AO: "特拗", tp.DUIJU_JIU: "对句相救"}
        accepted = [f"{names[a['form']]} at line {a['line']} char {a['pos']}" for a in tone.accepted]
        out.append(f"拗救 accepted breaks: 孤平拗救 ({shown['gu_ping_jiu']}), 特拗 ({shown['te_ao']}), 对句相救 "
                   f"({shown['duiju']}); used: {', '.join(accepted) if accepted else 'none'}")
    return out


def _zh_kind(kind: str, size: int) -> str:
    return "".join({"P": "平", "Z": "仄"}[c] for c in base_pattern(kind, size))


def _rhyme_rule(analysis: Analysis, book: RhymeBook) -> str:
    rhyme = analysis.rhyme
    lines = analysis.extraction.lines
    even = list(range(2, len(lines) + 1, 2))
    held = [i for i in even if i in rhyme.rhyming_lines]
    first = ("rhymes" + (" in a neighbouring group (借邻韵)" if rhyme.borrowed else "")) if 1 in rhyme.rhyming_lines \
        else "does not rhyme (allowed)"
    return (f"押韵 rhyme ({book.name}): the even lines end in 平 characters of one group "
            f"({rhyme.group or 'none found'}); held on lines {_lines(held)}, broken on "
            f"{_lines(i for i in even if i not in held)}; the first line {first}")


def _polyphone_rule(analysis: Analysis, book: RhymeBook) -> str:
    lines = analysis.extraction.lines
    by = {"word": [], inference.POSITION: [], inference.USUAL: [], "undecided": []}
    for i, (line, shown, how) in enumerate(zip(lines, analysis.shown, analysis.how)):
        table = book.table_tones(line)
        for p, char in enumerate(line):
            if table[p] != EITHER:
                continue
            where = f"{char}({i + 1})"
            if shown[p] == EITHER:
                by["undecided"].append(where)
            elif how[p] == inference.DECIDED:
                by["word"].append(where)
            else:
                by[how[p]].append(where)
    return ("多音字 two-tone characters (line in brackets): read by the word they are in: "
            f"{_lines(by['word'])}; by position in the pattern (inferred): {_lines(by[inference.POSITION])}; "
            f"by usual reading in Tang verse (inferred): {_lines(by[inference.USUAL])}; "
            f"undecided (○, fits either): {_lines(by['undecided'])}")
