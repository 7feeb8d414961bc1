"""The data behind the report's per-prompt A/B viewer: for every label and prompt, the poem's
lines with each character's tone (and whether it is inferred), the broken positions, the rhyming lines, what extraction
removed (chatter), and the characters found in the reference corpus (copied).

A page must open, whatever a model wrote: each of the three texts of a sample — the raw
output, the poem's lines (with their tones) and what extraction removed — carries at most
``SHOWN_CHARS`` characters, and where more were cut the page says so with the full length,
``… (10,485,760 characters; truncated)``. The scores are always those of the whole output. A
truncated output also carries a digest of the whole (``d``), so "only where they differ"
still compares whole outputs.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np

from poetbench.display import RULES
from poetbench.forms import DISPLAY_NAMES
from poetbench.metrics import registry
from poetbench.metrics.adherence import Prompt
from poetbench.rundir import read_samples
from poetbench.scoring import Scorer
from poetbench.text.batch import TextBatch

SHOWN_CHARS = 10_000  # characters of a sample's raw output, poem, and removed text the page carries, each


def samples(run_dir: Path, labels: list[str], prompts: list[dict], reference: str | None,
            keys: dict[str, set] | None = None) -> dict:
    """{label: {prompt_id: sample view}} for the first sample of every prompt (``keys``: for a
    label it names, only the samples with these keys, those its scores were made from)."""
    scorer = Scorer(reference=reference)
    by_id = {p["id"]: p for p in prompts}
    out = {}
    for label in labels:
        rows = {}
        for row in read_samples(Path(run_dir) / label / "samples.jsonl").values():
            if keys is not None and label in keys and row["key"] not in keys[label]:
                continue
            if row["sample_index"] == 0 and row["prompt_id"] in by_id and not row.get("missing"):
                rows[row["prompt_id"]] = row
        ids = list(rows)
        analyses = scorer.analyse_many([rows[i]["output"] for i in ids], [Prompt.from_row(by_id[i]) for i in ids])
        copied = _copied(scorer, analyses)
        views = {}
        for prompt_id, analysis, copy_mask in zip(ids, analyses, copied):
            record = analysis.record
            output = rows[prompt_id]["output"]
            lines, more = _shown_lines(analysis.extraction.lines)
            shown = {(line, pos) for line, length in enumerate(map(len, lines), 1) for pos in range(1, length + 1)}
            violations = [v for v in record["tone_violations"] or [] if (v["line"], v["pos"]) in shown]
            views[prompt_id] = {
                "o": cut(output),
                "l": lines,
                "c": [codes[:len(line)] for codes, line in zip(analysis.shown, lines)],  # every poem's tones,
                # 多音字 inferred where the book leaves them open
                "h": [how[:len(line)] for how, line in zip(analysis.how, lines)],  # D book or word, P position,
                # U usual reading (drawn lighter)
                "b": [[v["line"], v["pos"]] for v in violations],
                # [line, char, 失对, its English gloss]: the page shows the Chinese, the English in a tooltip
                "v": [[v["line"], v["pos"], *RULES[v["rule"]]] for v in violations],
                "r": [n for n in (analysis.rhyme.rhyming_lines if analysis.rhyme else []) if n <= len(lines)],
                "x": _shown_removed(analysis.extraction.removed),
                "k": [[pos for pos in positions if pos <= len(line)] for positions, line in zip(copy_mask, lines)],
                "s": {key: record[key] for key in registry.shown_in("viewer", per=None)},
                "f": DISPLAY_NAMES[record["form"]],
                **({"m": more} if more else {}),
                **({"d": hashlib.sha256(output.encode("utf-8", "surrogatepass")).hexdigest()[:16]}
                   if len(output) > SHOWN_CHARS else {}),
            }
        out[label] = views
    return out


def _truncated(total: int, unit: str = "characters") -> str:
    return f"… ({total:,} {unit}; truncated)"


def cut(text: str) -> str:
    """``text`` whole, or its first ``SHOWN_CHARS`` characters and a note of its full length."""
    return text if len(text) <= SHOWN_CHARS else text[:SHOWN_CHARS] + _truncated(len(text))


def _shown_lines(lines: list[str]) -> tuple[list[str], str | None]:
    """The poem's lines up to ``SHOWN_CHARS`` characters in all (the last one cut short), and the
    note for the page when some were cut."""
    total = sum(map(len, lines))
    if total <= SHOWN_CHARS:
        return lines, None
    shown, left = [], SHOWN_CHARS
    for line in lines:
        if left <= 0:
            break
        shown.append(line[:left])
        left -= len(shown[-1])
    return shown, _truncated(total, f"characters in {len(lines):,} lines")


def _shown_removed(removed: dict[str, list[str]]) -> dict[str, list[str]]:
    """What extraction removed, by kind, up to ``SHOWN_CHARS`` characters in all."""
    total = sum(len(text) for texts in removed.values() for text in texts)
    if total <= SHOWN_CHARS:
        return removed
    shown: dict[str, list[str]] = {}
    left = SHOWN_CHARS
    for kind, texts in removed.items():
        for text in texts:
            if left <= 0:
                break
            shown.setdefault(kind, []).append(text[:left])
            left -= len(text)
    last = next(reversed(shown))
    shown[last].append(_truncated(total, "characters removed in all"))
    return shown


def _copied(scorer: Scorer, analyses) -> list[list[list[int]]]:
    """Per poem, per line, the 1-based positions of characters inside a copied 4-gram."""
    if scorer.reference is None:
        return [[] for _ in analyses]
    batch = TextBatch([a.extraction.lines for a in analyses], simplify=True)
    _, covered = scorer.reference.covered(batch)
    out = [[[] for _ in a.extraction.lines] for a in analyses]
    line_starts = np.concatenate(([0], np.flatnonzero(batch.is_break) + 1))
    for position in np.flatnonzero(covered & ~batch.is_break).tolist():
        line = int(batch.line_of[position])
        poem = int(batch.poem_of_line[line])
        first_line = int(np.searchsorted(batch.poem_of_line, poem))
        out[poem][line - first_line].append(position - int(line_starts[line]) + 1)
    return out
