"""``poetbench audit``: the benchmark checks itself against text built to fool it.

From N real held-out poems (the ``data prepare`` split that the language model never saw) the
audit builds one of each control of ``audit/controls.py`` per poem, scores everything with one
``Scorer`` (the train split as the copy reference), and reports for every metric and for
PoetScore the mean on the real poems, the mean on each control, and the AUC: the chance that a
random real poem scores better than a random control (ties count half; "better" is lower for
the metrics the registry, ``metrics/registry.py``, marks lower-is-better). 1.0 separates perfectly, 0.5 not at all.

``chat_wrapped`` is the other way round: the same poems in chat replies must score like the
bare poems, so its AUC should be 0.5 and ``identical`` (the share of poems whose record, less
``chatter`` and ``extract_warnings``, equals the bare poem's) should be 1.

``TARGETS`` are the thresholds PoetScore must meet (issue 13); ``check_targets`` lists misses.

The audit's material lives in this package, and the tests and ``bench/`` import it from here
(never from each other): ``controls`` (texts built to fool the metrics), ``wrappers`` (chat
replies of many shapes around a poem), ``wrappers_mixed`` (hand-written replies with the lines
extraction must find), ``wrappers_blind`` (shapes written apart from the extractor's rules, to
measure, never to tune), ``poems`` (canonical poems and vernacular prose), ``invariance``
(extraction invariance over the wrappers), ``peer`` (the peer checker we compare against) and
``polyphones`` (how far the 多音字 are settled, and how rightly).
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from poetbench.audit import controls
from poetbench.audit.wrappers import WRAPPERS
from poetbench.compare import LANGUAGE  # what a model that games a meter reward loses
from poetbench.forms import REGULATED
from poetbench.metrics import registry
from poetbench.scoring import Scorer
from poetbench.stats import average_ranks
from poetbench.text.batch import TextBatch
from poetbench.text.lines import join

CONTROLS = ("char_shuffle", "tone_salad", "line_shuffle", "line_shuffle_rhymed", "vernacular", "cento", "loop",
            "chat_wrapped")
METRICS = registry.shown_in("audit")  # in registry order; "better" is the registry's direction
# PoetScore, real held-out poems against each control (issue 13)
TARGETS = {"auc": {"tone_salad": 0.99, "char_shuffle": 0.99, "vernacular": 0.99, "loop": 0.99,
                   "line_shuffle_rhymed": 0.95},
           "gap": {"tone_salad": 25.0}}
CENTO_DONORS = 5000  # training poems that lend their lines to the cento control


@dataclass
class Split:
    """Held-out and training poems (Simplified lines, form), and the train file for --reference."""

    held: list[tuple[list[str], str]]
    train: list[tuple[list[str], str]]
    train_file: Path


def split_poems(corpus: str | None) -> Split:
    """The poems of the prepared split at ``corpus`` (a ``data prepare`` directory), or of the
    default split of the raw corpus found by discovery (prepared once into the cache), as
    ``data.prepare.load_split`` reads them."""
    from poetbench.data.prepare import load_split, prepared_split

    prepared = prepared_split(corpus)
    parts = {}
    for name in ("heldout", "train"):
        rows = load_split(prepared, name)
        poems = TextBatch([r["lines"] for r in rows], simplify=True).poems  # as scoring converts
        parts[name] = list(zip(poems, (r["form"] for r in rows)))
    return Split(parts["heldout"], parts["train"], prepared / "train.jsonl")


def build_controls(real: list[tuple[list[str], str]], split: Split, scorer: Scorer,
                   seed: int = 0) -> dict[str, list[str | None]]:
    """One text per control per real poem (None where a control cannot be built for it)."""
    rng = random.Random(seed)
    core = Scorer(book=scorer.book.name, strict=scorer.strict, core_only=True)  # rhyme groups only
    held = _donors(split.held, core)
    chosen = {tuple(lines) for lines, _ in real}
    held_donors = controls.by_shape([d for d in held if d.lines not in chosen] or held)
    sample = random.Random(seed).sample(split.train, min(CENTO_DONORS, len(split.train)))
    train_donors = controls.by_shape(_donors(sample, core))
    pools = _tone_pools(split.train, scorer)
    by_lines = {d.lines: d for d in held}
    out: dict[str, list[str | None]] = {name: [] for name in CONTROLS}
    codes = scorer.book.many_poem_tones([lines for lines, _ in real])
    wrappers = list(WRAPPERS.values())
    for number, ((lines, form), code) in enumerate(zip(real, codes)):
        poem = by_lines.get(tuple(lines)) or controls.Donor(tuple(lines), form, None)
        text = join(lines)
        out["char_shuffle"].append(controls.shuffle_characters(text, rng))
        out["tone_salad"].append(controls.tone_salad(lines, code, pools, rng))
        out["line_shuffle"].append(controls.line_shuffle(poem, held_donors, rng, rhymed=False))
        out["line_shuffle_rhymed"].append(controls.line_shuffle(poem, held_donors, rng, rhymed=True))
        out["vernacular"].append(controls.vernacular(lines, rng))
        out["cento"].append(controls.line_shuffle(poem, train_donors, rng, rhymed=True))
        out["loop"].append(controls.loop(lines, number % 3))
        out["chat_wrapped"].append(wrappers[number % len(wrappers)](text, "", False))
    return out


def _donors(poems: list[tuple[list[str], str]], core: Scorer) -> list[controls.Donor]:
    records = core.score_many([join(lines) for lines, _ in poems])
    return [controls.Donor(tuple(lines), form, r["rhyme_group"]) for (lines, form), r in zip(poems, records)]


def _tone_pools(poems: list[tuple[list[str], str]], scorer: Scorer) -> dict[str, tuple[list[str], list[float]]]:
    """Training characters by tone code (平 P, 仄 Z), weighted by how often they occur."""
    counts: dict[str, int] = {}
    for lines, _ in poems:
        for char in "".join(lines):
            counts[char] = counts.get(char, 0) + 1
    chars = sorted(counts)
    codes = scorer.book.many_poem_tones([["".join(chars)]])[0][0]
    pools: dict[str, tuple[list[str], list[float]]] = {}
    for char, code in zip(chars, codes):
        if code in "PZ":
            pool = pools.setdefault(code, ([], []))
            pool[0].append(char)
            pool[1].append(counts[char])
    return pools


def auc(real: np.ndarray, control: np.ndarray) -> float | None:
    """P(real > control) + P(real == control) / 2 (Mann–Whitney), from average ranks."""
    if not len(real) or not len(control):
        return None
    ranks = average_ranks(np.concatenate([real, control]))
    n1, n2 = len(real), len(control)
    return float((ranks[:n1].sum() - n1 * (n1 + 1) / 2) / (n1 * n2))


def _column(records: list[dict | None], metric: str) -> np.ndarray:
    values = [r[metric] for r in records if r is not None and r.get(metric) is not None]
    return np.array(values, dtype=float)


def summarise(real: list[dict], scored: dict[str, list[dict | None]]) -> dict:
    """Per metric: the real mean, and each control's mean and AUC."""
    table = {}
    for metric in METRICS:
        sign = -1.0 if registry.lower_is_better(metric) else 1.0
        ours = _column(real, metric)
        row = {"real": _mean(ours), "controls": {}}
        for name, records in scored.items():
            theirs = _column(records, metric)
            score = auc(sign * ours, sign * theirs)
            row["controls"][name] = {"mean": _mean(theirs), "auc": None if score is None else round(score, 4)}
        table[metric] = row
    return table


def _mean(values: np.ndarray) -> float | None:
    return round(float(values.mean()), 4) if len(values) else None


def identical_share(real: list[dict], wrapped: list[dict | None]) -> float:
    """The share of wrapped poems whose record equals the bare poem's, less chatter and warnings."""
    skip = {"chatter", "extract_warnings", "poetscore"}
    same = [w is not None and all(w[k] == r[k] for k in r if k not in skip) for r, w in zip(real, wrapped)]
    return round(sum(same) / max(len(same), 1), 4)


def check_targets(table: dict) -> list[str]:
    """Each PoetScore target the table misses, as a sentence."""
    misses = []
    row = table["poetscore"]
    for name, target in TARGETS["auc"].items():
        value = row["controls"][name]["auc"]
        if value is None or value < target:
            misses.append(f"PoetScore AUC against {name} is {value}, below {target}")
    for name, target in TARGETS["gap"].items():
        mean = row["controls"][name]["mean"]
        gap = None if mean is None or row["real"] is None else row["real"] - mean
        if gap is None or gap < target:
            misses.append(f"PoetScore gap to {name} is {gap}, below {target} points")
    return misses


def score_all(corpus: str | None = None, n: int = 500, seed: int = 0, reference: bool = True,
              progress: bool = False) -> tuple[Scorer, list[dict], dict[str, list[dict | None]], dict[str, list]]:
    """(scorer, real records, control records by name, texts by name incl. ``real``)."""
    split = split_poems(corpus)
    real = _real_sample(split, n, seed)
    scorer = Scorer(reference=str(split.train_file) if reference else None)
    texts = build_controls(real, split, scorer, seed)
    texts["real"] = [join(lines) for lines, _ in real]
    real_records = scorer.score_many(texts["real"])
    scored = {}
    names = CONTROLS
    if progress:
        from tqdm import tqdm

        names = tqdm(CONTROLS, desc="scoring controls", unit=" control")
    for name in names:
        present = [t for t in texts[name] if t is not None]
        records = iter(scorer.score_many(present))
        scored[name] = [next(records) if t is not None else None for t in texts[name]]
    return scorer, real_records, scored, texts


def run(corpus: str | None = None, n: int = 500, seed: int = 0, reference: bool = True,
        progress: bool = False) -> dict:
    """Build, score and summarise; the dict that ``-o`` writes as JSON."""
    scorer, real_records, scored, _ = score_all(corpus, n, seed, reference, progress)
    table = summarise(real_records, scored)
    return {
        "signature": scorer.signature,
        "n": len(real_records),
        "seed": seed,
        "counts": {name: sum(r is not None for r in records) for name, records in scored.items()},
        "chat_wrapped_identical": identical_share(real_records, scored["chat_wrapped"]),
        "metrics": table,
        "targets": TARGETS,
        "misses": check_targets(table),
    }


def _real_sample(split: Split, n: int, seed: int) -> list[tuple[list[str], str]]:
    real = [p for p in split.held if p[1] in REGULATED]
    return random.Random(seed).sample(real, min(n, len(real)))


def against_real(run_dir: str | Path, corpus: str | None = None, n: int = 500, seed: int = 0) -> dict:
    """A model's own outputs as the audit's other side: for each label of a scored run, the
    fluency and coherence of its poems against N real held-out poems (mean, and the AUC: the
    chance that a real poem scores better; 0.5 is indistinguishable, 1.0 always worse). Outputs
    with no verse have neither figure and are left out (``n`` says how many count)."""
    from poetbench import rundir

    scored = rundir.load(Path(run_dir))  # every label read and checked (rundir) before the split loads
    real = [join(lines) for lines, _ in _real_sample(split_poems(corpus), n, seed)]
    real_records = Scorer().score_many(real)
    labels = {}
    for label, data in scored.labels.items():
        records = [row["scores"] for row in data.rows]
        labels[label] = {}
        for metric in LANGUAGE:
            ours, theirs = _column(real_records, metric), _column(records, metric)
            score = auc(ours, theirs)
            labels[label][metric] = {"mean": _mean(theirs), "n": int(len(theirs)),
                                     "auc": None if score is None else round(score, 4)}
    return {"n_real": len(real_records), "seed": seed, "real": {m: _mean(_column(real_records, m)) for m in LANGUAGE},
            "labels": labels}


def format_against_real(result: dict) -> str:
    """``against_real`` as a markdown table: each label's mean (AUC against the real poems)."""
    lines = ["| label | n | " + " | ".join(f"{m} (AUC)" for m in LANGUAGE) + " |", "|" + " --- |" * (len(LANGUAGE) + 2),
             f"| real held-out poems | {result['n_real']} | " + " | ".join(_fmt(result["real"][m]) for m in LANGUAGE) + " |"]
    for label, row in result["labels"].items():
        lines.append(f"| {label} | {row[LANGUAGE[0]]['n']} | "
                     + " | ".join(f"{_fmt(row[m]['mean'])} ({_fmt(row[m]['auc'])})" for m in LANGUAGE) + " |")
    return "\n".join(lines)


def format_table(result: dict, metrics: tuple[str, ...] = METRICS) -> str:
    """The audit as a markdown table: real mean, then each control's mean and AUC."""
    header = ["metric", "real"] + [f"{name} (AUC)" for name in CONTROLS]
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    for metric in metrics:
        row = result["metrics"][metric]
        digits = 1 if metric == "poetscore" else 3
        cells = [metric, _fmt(row["real"], digits)]
        for name in CONTROLS:
            cell = row["controls"][name]
            cells.append(f"{_fmt(cell['mean'], digits)} ({_fmt(cell['auc'], 3)})")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _fmt(value, digits: int = 3) -> str:
    if value is None:
        return "–"
    return f"{value:.{digits}f}" if abs(value) < 10 else f"{value:.1f}"  # 10.2 bits, 80.8 points


def write(result: dict, path: str) -> None:
    from poetbench.jsonl import atomic_writer

    with atomic_writer(path) as out:
        out.write(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
