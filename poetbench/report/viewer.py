"""The data behind the report's per-prompt A/B viewer: for every label and prompt, the poem's
lines with each character's tone (and whether it is inferred), the broken positions, the rhyming lines, what extraction
removed (chatter), and the characters found in the reference corpus (copied)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from poetbench.display import FORM_NAMES, RULES
from poetbench.metrics.adherence import Prompt
from poetbench.runner import read_samples
from poetbench.scoring import Scorer
from poetbench.text.batch import TextBatch

SHOWN_SCORES = ("poetscore", "form", "form_ok", "tone_ok", "rhyme_ok", "classical_ratio", "chatter", "copy_overlap",
                "extract_warnings")


def samples(run_dir: Path, labels: list[str], prompts: list[dict], reference: str | None) -> dict:
    """{label: {prompt_id: sample view}} for the first sample of every prompt."""
    scorer = Scorer(reference=reference)
    by_id = {p["id"]: p for p in prompts}
    out = {}
    for label in labels:
        rows = {}
        for row in read_samples(Path(run_dir) / label / "samples.jsonl").values():
            if row["sample_index"] == 0 and row["prompt_id"] in by_id and not row.get("missing"):
                rows[row["prompt_id"]] = row
        ids = list(rows)
        analyses = scorer._measure([rows[i]["output"] for i in ids], [Prompt.from_row(by_id[i]) for i in ids], detail=True)
        copied = _copied(scorer, analyses)
        views = {}
        for prompt_id, analysis, copy_mask in zip(ids, analyses, copied):
            record = analysis.record
            views[prompt_id] = {
                "o": rows[prompt_id]["output"],
                "l": analysis.extraction.lines,
                "c": analysis.shown,  # every poem's tones, 多音字 inferred where the book leaves them open
                "h": analysis.how,  # D book or word, P position, U usual reading (drawn lighter)
                "b": [[v["line"], v["pos"]] for v in record["tone_violations"] or []],
                # [line, char, 失对, its English gloss]: the page shows the Chinese, the English in a tooltip
                "v": [[v["line"], v["pos"], *RULES[v["rule"]]] for v in record["tone_violations"] or []],
                "r": analysis.rhyme.rhyming_lines if analysis.rhyme else [],
                "x": analysis.extraction.removed,
                "k": copy_mask,
                "s": {key: record[key] for key in SHOWN_SCORES},
                "f": FORM_NAMES[record["form"]],
            }
        out[label] = views
    return out


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
