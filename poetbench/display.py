"""Plain-text views of a poem for people: the 平仄 line and the `check` report."""

from __future__ import annotations

from poetbench.forms import DISPLAY_NAMES
from poetbench.metrics import ci_meter
from poetbench.metrics import tone_pattern as tp
from poetbench.metrics.poetscore import crafts, gates
from poetbench.phonology import cilin, inference
from poetbench.phonology.book import RhymeBook
from poetbench.phonology.modern import EITHER, PING, UNKNOWN, ZE
from poetbench.scoring import Analysis
from poetbench.text.lines import is_han, split_lines

TONE_MARK = {PING: "平", ZE: "仄", EITHER: "○", UNKNOWN: "○"}
RHYME = "◎"
DIM, RED, PLAIN = "\x1b[2m", "\x1b[31m", "\x1b[0m"  # inferred tones and broken cells, on a terminal
RULES = {  # each rule's textbook name and its English gloss
    tp.PATTERN: ("犯律", "breaks its line pattern"), tp.NIAN: ("失粘", "does not follow the line before"),
    tp.DUI: ("失对", "does not oppose its pair line"), tp.GU_PING: ("孤平", "lone 平"),
    tp.SAN_PING_WEI: ("三平尾", "three 平 at the end"),
    ci_meter.TONE: ("犯谱", "breaks the 词谱"), ci_meter.LENGTH: ("字数不合", "a line of another length than the 词谱's"),
    ci_meter.RHYME: ("失韵", "misses a rhyme the 词谱 requires"),
}
RULE_NAMES = {rule: f"{zh} ({en})" for rule, (zh, en) in RULES.items()}
ACCEPTED_NAMES = {tp.GU_PING_JIU: "孤平拗救", tp.TE_AO: "特拗", tp.DUIJU_JIU: "对句相救"}
INFERRED_NAMES = {inference.POSITION: "position", inference.USUAL: "usual reading"}
DROPPED_NAMES = {"preamble": "开场白 preamble", "title": "标题 title", "commentary": "评注 commentary",
                 "notes": "注 notes", "reasoning": "思考 reasoning", "candidate": "另一候选 other candidate"}
WARNING_NAMES = {"several_candidates": "多个候选 several_candidates", "unclosed_think": "思考未闭合 unclosed_think",
                 "mixed_line_lengths": "句长不一 mixed_line_lengths", "no_verse": "无诗 no_verse"}


GATE_NAMES = {"fluency": "流畅 fluency", "coherence": "连贯 coherence", "linkage": "粘对 linkage",
              "repetition": "重复 repetition"}


def tone_lines(lines: list[str], book: RhymeBook, color: bool = False) -> list[str]:
    """Every line with its Han characters replaced by their tones, read as one poem: a block of
    verse lines of a regulated shape settles its 多音字 by position (inferred tones are dim when
    ``color``). Each output line keeps its input line's length."""
    verses = [split_lines(line) for line in lines]
    flat = [verse for pieces in verses for verse in pieces]
    if tp.regulated_shape(flat):
        [codes], _, [tone] = tp.read_meter(book, [flat])
    else:
        codes, tone = book.poem_tones(flat), None
    shown, how = inference.settle(flat, codes, tone)
    marks = iter([(c, h) for line_codes, line_how in zip(shown, how) for c, h in zip(line_codes, line_how)])
    out = []
    for line, pieces in zip(lines, verses):
        kept = iter("".join(pieces))
        row, want = [], next(kept, None)
        for char in line:
            if char == want:
                code, found = next(marks)
                row.append(_tone(code, found, color) if is_han(char) else char)
                want = next(kept, None)
            else:
                row.append(char)
        out.append("".join(row))
    return out


def _cell(text: str, broken: bool, color: bool) -> str:
    """One character's cell in `check`: bracketed (and red on a terminal) where a rule breaks."""
    if not broken:
        return f" {text} "
    return f"{RED}[{text}]{PLAIN}" if color else f"[{text}]"


def _tone(code: str, how: str, color: bool) -> str:
    mark = TONE_MARK[code]
    return f"{DIM}{mark}{PLAIN}" if color and how != inference.DECIDED else mark


def check_report(analysis: Analysis, signature: str, book: RhymeBook, color: bool = False, explain: bool = False) -> str:
    """The human view behind `poetbench check`: tones, broken positions, rhymes and verdict."""
    record = analysis.record
    lines = analysis.extraction.lines
    if analysis.ci is not None:
        return _finish(analysis, signature, book, color, explain, ci_view(analysis, color))
    out = []
    n = record["n_lines"]
    shape = f"{n} line{'s' * (n != 1)}" + (f" of {record['line_lengths'][0]}" if record["length_regularity"] == 1 else "")
    out.append(f"form     {record['form']} ({DISPLAY_NAMES[record['form']]}), {shape}")
    tone, rhyme = analysis.tone, analysis.rhyme
    if tone:
        out.append(f"template {tone.template}")
    out.append("")
    broken = {(v["line"], v["pos"]) for v in record["tone_violations"] or []}
    rhyming = set(rhyme.rhyming_lines) if rhyme else set()
    for n, line in enumerate(lines, start=1):
        cells = "".join(_cell(_wide(ch), (n, p) in broken, color) for p, ch in enumerate(line, start=1))
        out.append(f"{n:>3} " + cells.rstrip() + (f"  {RHYME}" if n in rhyming else ""))
        if n <= len(analysis.shown):
            marks = [_cell(_tone(c, h, color), (n, p) in broken, color)
                     for p, (c, h) in enumerate(zip(analysis.shown[n - 1], analysis.how[n - 1]), start=1)]
            pattern = f"    pattern {_zh(tone.expected[n - 1])}" if tone else ""
            out.append("    " + "".join(marks).rstrip() + pattern)
    out.append("")
    out.extend(_verdict(analysis))
    return _finish(analysis, signature, book, color, explain, out)


def _finish(analysis: Analysis, signature: str, book: RhymeBook, color: bool, explain: bool, out: list[str]) -> str:
    """What every `check` report ends with: inferred tones, language, extraction, the legend."""
    record, lines = analysis.record, analysis.extraction.lines
    out = list(out)
    out.extend(_inferred_lines(analysis))
    out.extend(_language_lines(record))
    fallback = sorted({ch for line in lines for ch in line if ch in book.fallback})
    if fallback:
        out.append(f"fallback {' '.join(fallback)}: not in the {book.name} table; their modern tone is used")
    out.extend(_extraction_lines(analysis))
    if explain:
        from poetbench.explain import explain_lines

        out.append("")
        out.extend(explain_lines(analysis, book))
    out.append(f"legend   平/仄 tone, ○ undecided, {_cell('字', True, color)} breaks a rule (the character and its tone), "
               f"{RHYME} rhymes" + (", 谱 the 词谱's line (中 either), 叠 a repeated line" if analysis.ci else "")
               + (", dim: inferred" if color else ""))
    out.append(f"signature {signature}")
    return "\n".join(out)


def ci_view(analysis: Analysis, color: bool = False) -> list[str]:
    """A 词 as a 词 book prints it: the tune and form it was read as (and why), then for each
    line of the form the 词谱's marks (◎ a rhyme, 叠 a 叠句), the poem's line and its tones, the
    broken characters bracketed; then the verdict, rule by rule."""
    record, result, reading = analysis.record, analysis.ci, analysis.ci_match
    form = reading.form
    why = {"title": "named by its title", "request": "named by the request", "shape": "by its length and breaks"}[reading.by]
    out = [f"form     ci (词), 《{form.tune}》 {form.name}, {len(form.lines)} lines ({why}; "
           f"{form.n} Song ci in this form)"]
    if reading.also:
        out.append(f"         the same shape: {'、'.join(reading.also[:5])}")
    out.append("")
    broken = {(v["line"], v["pos"]) for v in record["tone_violations"] or []}
    repeats = dict(form.repeats)
    for j, (text, marks, codes) in enumerate(zip(reading.lines, form.line_marks(), result.codes), start=1):
        rhymes = form.rhyme_of(j)
        tag = (f"  {RHYME}{rhymes[0].tone if rhymes[0].tone != '平仄通叶' else rhymes[0].tones[rhymes[1]]}"
               f"{'' if rhymes[0].required[rhymes[1]] else ' 可韵'}") if rhymes else ""
        tag += "  叠" if j in repeats else ""
        pad = max(len(text) - len(marks), 0)
        out.append("    谱 " + "   " * pad + "".join(f" {m} " for m in marks).rstrip() + tag)
        cells = "".join(_cell(_wide(ch), (j, p) in broken, color) for p, ch in enumerate(text, start=1))
        out.append(f"{j:>3}    " + "   " * max(len(marks) - len(text), 0) + cells.rstrip())
        tones = "".join(_cell(TONE_MARK[c], (j, p) in broken, color) for p, c in enumerate(codes, start=1))
        out.append("       " + "   " * max(len(marks) - len(text), 0) + tones.rstrip())
    out.append("")
    out.append(f"form ok  {_yes(record['form_ok'])}" + "".join(
        f"\n         line {line}: {mine} characters, the form has {size} (字数不合)"
        for line, mine, size in reading.off) + "".join(
        f"\n         line {line}: does not repeat {'the line before' if repeats[line] == 'same' else 'the end of the line before'}"
        f" (叠句)" for line in reading.broken_repeats))
    conformity = "n/a" if result.conformity is None else f"{result.conformity:.2f}"
    out.append(f"tone ok  {_yes(result.ok)} (conformity {conformity}: the positions the 词谱 fixes)")
    for v in record["tone_violations"] or []:
        if v["rule"] == ci_meter.TONE:
            text, marks = reading.lines[v["line"] - 1], form.line_marks()[v["line"] - 1]
            mark = marks[len(marks) - (len(text) - v["pos"] + 1)]  # a line off the form is read from its end
            out.append(f"         line {v['line']} char {v['pos']}: 犯谱 (breaks the 词谱), {text[v['pos'] - 1]} is not {mark}")
    rhyme_ok = record["rhyme_ok"]
    out.append(f"rhyme ok {_yes(rhyme_ok)} (词林正韵, rate {_rate(record['rhyme_rate'])})")
    for number, (rhyme_set, found) in enumerate(zip(form.rhyme_sets, result.rhymes), start=1):
        part = cilin.name(found["part"]) if found["part"] else "no 部"
        missed = (f"; 失韵 on line{'s' * (len(found['missed']) > 1)} {', '.join(map(str, found['missed']))}"
                  if found["missed"] else "")
        out.append(f"         set {number} ({rhyme_set.tone}): lines {', '.join(map(str, rhyme_set.lines))} in {part}"
                   f"{missed}")
    return out


def _rate(value) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def _inferred_lines(analysis: Analysis) -> list[str]:
    """The 多音字 whose tone is inferred (position or usual reading), not read from book or word."""
    found = [f"{line[p]} {TONE_MARK[shown[p]]} (line {i + 1}, {INFERRED_NAMES[how[p]]})"
             for i, (line, shown, how) in enumerate(zip(analysis.extraction.lines, analysis.shown, analysis.how))
             for p in range(len(how)) if how[p] != inference.DECIDED]
    return ["inferred " + ", ".join(found)] if found else []


def _extraction_lines(analysis: Analysis) -> list[str]:
    """What extraction dropped and why, which candidate it chose, and its warnings."""
    extraction = analysis.extraction
    out = [f"dropped  {DROPPED_NAMES[piece.kind]}: {_short(piece.text)} ({piece.reason})" for piece in extraction.dropped]
    if len(extraction.candidates) > 1 and extraction.chosen is not None:
        out.append(f"chosen   candidate {extraction.chosen + 1} of {len(extraction.candidates)}: {extraction.choice}")
    if extraction.warnings:
        out.append("warnings " + ", ".join(WARNING_NAMES[w] for w in extraction.warnings))
    return out


def _language_lines(record: dict) -> list[str]:
    """流畅 fluency, 连贯 coherence, and PoetScore as its craft and its gates."""
    out = []
    if record["fluency"] is not None:
        out.append(f"流畅 fluency   {record['fluency']:.2f} ({record['fluency_bpc']:.2f} bits per character)")
    if record["coherence"] is not None:
        out.append(f"连贯 coherence {record['coherence']:.2f}")
    if record["poetscore"] is not None:
        factors = " × ".join(f"{GATE_NAMES[name]} {value:.2f}" for name, value in gates(record).items())
        out.append(f"PoetScore {record['poetscore']:.1f} = 100 × craft {crafts([record])[0]:.2f} × {factors}")
    return out


def _short(text: str, size: int = 40) -> str:
    text = " / ".join(part.strip() for part in text.splitlines() if part.strip())
    return text if len(text) <= size else text[:size] + "…"


def _verdict(analysis: Analysis) -> list[str]:
    record, tone, rhyme = analysis.record, analysis.tone, analysis.rhyme
    out = [f"form ok  {_yes(record['form_ok'])}"]
    if tone is None:
        out.append("平仄/韵  not checked: they apply to 近体诗 (4, 8 or 10+ lines of 5 or 7 characters)")
        return out
    conformity = "n/a" if tone.conformity is None else f"{tone.conformity:.2f}"
    out.append(f"tone ok  {_yes(tone.ok)} (conformity {conformity})")
    for v in record["tone_violations"]:
        out.append(f"         line {v['line']} char {v['pos']}: {RULE_NAMES[v['rule']]}, {_why(v, tone)}")
    for a in tone.accepted:
        out.append(f"         line {a['line']} char {a['pos']}: accepted as {ACCEPTED_NAMES[a['form']]}")
    if rhyme:
        out.append(f"rhyme ok {_yes(rhyme.ok)} ({rhyme.group or 'no 平 rhyme'}, rate {rhyme.rate:.2f}"
                   + (", first line borrows a neighbouring group" if rhyme.borrowed else "") + ")")
        out.extend(f"         {reason}" for reason in rhyme.reasons)
    return out


def _why(violation: dict, tone: tp.ToneResult) -> str:
    """What a violation breaks, in the words of the rule."""
    line, pos, rule = violation["line"], violation["pos"], violation["rule"]
    own, before = tone.expected[line - 1], tone.expected[line - 2] if line > 1 else ""
    if rule == tp.NIAN:
        return f"opens {_zh(own[1])} after line {line - 1}'s {_zh(before[1])} (粘 wants the same)"
    if rule == tp.DUI:
        return f"opens {_zh(own[1])} like line {line - 1} (对 wants the opposite)"
    if rule == tp.GU_PING:
        return "its only 平 besides the rhyme is the one before last"
    if rule == tp.SAN_PING_WEI:
        return "the line ends 平平平"
    return f"its pattern {_zh(own)} wants {_zh(own[pos - 1])}"


def _yes(value) -> str:
    return "unknown" if value is None else "yes" if value else "NO"


def _zh(pattern: str) -> str:
    return "".join(TONE_MARK.get(c, c) for c in pattern)


def _wide(ch: str) -> str:
    """Pad half-width characters so columns line up under full-width ones."""
    return ch if is_han(ch) or ord(ch) > 0x2E80 else ch + " "
