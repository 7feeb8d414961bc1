"""Plain-text views of a poem for people: the 平仄 line and the `check` report."""

from __future__ import annotations

from poetbench.metrics import form
from poetbench.metrics.poetscore import crafts, gates
from poetbench.phonology.book import RhymeBook
from poetbench.phonology.modern import EITHER, PING, UNKNOWN, ZE
from poetbench.scoring import Analysis
from poetbench.text.lines import is_han

TONE_MARK = {PING: "平", ZE: "仄", EITHER: "○", UNKNOWN: "○"}
BROKEN, RHYME = "●", "◎"
FORM_NAMES = {**form.FORM_NAMES, "other": "not verse of a known form"}
RULE_NAMES = {
    "pattern": "平仄 off the pattern", "nian": "失粘 (breaks 粘 with the couplet before)",
    "dui": "失对 (does not oppose its pair line)", "gu_ping": "孤平", "san_ping_wei": "三平尾",
}
ACCEPTED_NAMES = {"te_ao": "特拗", "duiju_jiu": "对句相救"}
DROPPED_NAMES = {"preamble": "开场白 preamble", "title": "标题 title", "commentary": "评注 commentary",
                 "notes": "注 notes", "reasoning": "思考 reasoning", "candidate": "另一候选 other candidate"}
WARNING_NAMES = {"several_candidates": "多个候选 several_candidates", "unclosed_think": "思考未闭合 unclosed_think",
                 "mixed_line_lengths": "句长不一 mixed_line_lengths", "no_verse": "无诗 no_verse"}


GATE_NAMES = {"fluency": "流畅 fluency", "coherence": "连贯 coherence", "linkage": "粘对 linkage",
              "repetition": "重复 repetition"}


def tone_line(line: str, book: RhymeBook) -> str:
    """``line`` with every Han character replaced by 平 or 仄 (○ when undecidable)."""
    codes = book.line_tones(line)
    return "".join(TONE_MARK[code] if is_han(char) else char for char, code in zip(line, codes))


def check_report(analysis: Analysis, signature: str, book: RhymeBook) -> str:
    """The human view behind `poetbench check`: tones, broken positions, rhymes and verdict."""
    record = analysis.record
    lines = analysis.extraction.lines
    out = []
    n = record["n_lines"]
    shape = f"{n} line{'s' * (n != 1)}" + (f" of {record['line_lengths'][0]}" if record["length_regularity"] == 1 else "")
    out.append(f"form     {record['form']} ({FORM_NAMES[record['form']]}), {shape}")
    tone, rhyme = analysis.tone, analysis.rhyme
    if tone:
        out.append(f"template {tone.template}")
    out.append("")
    broken = {(v["line"], v["pos"]) for v in record["tone_violations"] or []}
    rhyming = set(rhyme.rhyming_lines) if rhyme else set()
    for n, line in enumerate(lines, start=1):
        codes = analysis.codes[n - 1] if analysis.codes else None
        out.append(f"{n:>3}  " + " ".join(_wide(ch) for ch in line) + (f"  {RHYME}" if n in rhyming else ""))
        if codes:
            marks = [TONE_MARK[c] + (BROKEN if (n, p) in broken else " ") for p, c in enumerate(codes, start=1)]
            out.append("     " + "".join(marks).rstrip() + f"    pattern {_zh(tone.expected[n - 1])}")
    out.append("")
    out.extend(_verdict(analysis))
    out.extend(_language_lines(record))
    fallback = sorted({ch for line in lines for ch in line if ch in book.fallback})
    if fallback:
        out.append(f"fallback {' '.join(fallback)}: not in the {book.name} table; their modern tone is used")
    out.extend(_extraction_lines(analysis))
    out.append(f"legend   平/仄 tone, ○ undecided, {BROKEN} breaks the pattern, {RHYME} rhymes")
    out.append(f"signature {signature}")
    return "\n".join(out)


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
        want = tone.expected[v["line"] - 1][v["pos"] - 1]
        out.append(f"         line {v['line']} char {v['pos']}: {RULE_NAMES[v['rule']]}, pattern wants {_zh(want)}")
    for a in tone.accepted:
        out.append(f"         line {a['line']} char {a['pos']}: accepted as {ACCEPTED_NAMES[a['form']]}")
    if rhyme:
        out.append(f"rhyme ok {_yes(rhyme.ok)} ({rhyme.group or 'no 平 rhyme'}, rate {rhyme.rate:.2f}"
                   + (", first line borrows a neighbouring group" if rhyme.borrowed else "") + ")")
        out.extend(f"         {reason}" for reason in rhyme.reasons)
    return out


def _yes(value) -> str:
    return "unknown" if value is None else "yes" if value else "NO"


def _zh(pattern: str) -> str:
    return "".join(TONE_MARK.get(c, c) for c in pattern)


def _wide(ch: str) -> str:
    """Pad half-width characters so columns line up under full-width ones."""
    return ch if is_han(ch) or ord(ch) > 0x2E80 else ch + " "
