"""Paired A/B statistics over a run: which checkpoint is better, on which metric, by how much.

For every label and metric: the mean with its 95% bootstrap CI (prompts resampled). For every
label against the reference (``base`` by default): the **paired** delta over the prompts both
answered (each prompt's samples averaged first), with a paired bootstrap CI and a two-sided
sign-flip permutation p-value; the p-values of one reference are Holm-corrected together.
Win, tie and loss rates per prompt on ``poetscore``, and step curves when labels carry steps.
The result goes to ``RUN/comparison.json``. The run is read through ``rundir.load``, which
refuses a run whose labels do not hold together (different metric signatures, a summary that
does not match its scores, swapped folders, duplicate or foreign rows): their numbers would not
be comparable.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import numpy as np

from poetbench import rundir
from poetbench.jsonl import InputError, atomic_writer
from poetbench.metrics import registry
from poetbench.stats import N_RESAMPLES, SEED

METER = ("tone_conformity", "tone_ok", "rhyme_rate", "rhyme_ok")  # what a meter reward pays for
LANGUAGE = ("fluency", "coherence")  # what verse that scans and means nothing loses
# The smallest LANGUAGE fall that is flagged: at the scores' ceiling (1.0, as likely as real poems)
# a paired CI lies below 0 even for a fall of 0.0001.
MIN_FALL = 0.01


def fmt(value: float, metric: str) -> str:
    """A metric value as the tables print it: PoetScore (0-100) to one decimal, the rest to two."""
    return f"{value:.1f}" if metric == "poetscore" else f"{value:.2f}"
PERMUTATIONS = 10000


def load(run_dir: Path, run: rundir.ScoredRun | None = None) -> tuple[dict, dict[str, dict], dict[str, dict]]:
    """(run.json, {label: summary}, {label: {prompt_id: {metric: value averaged over samples}}}),
    from the run as ``rundir.load`` reads and checks it (or ``run``, read already)."""
    run = run or rundir.load(run_dir)
    metrics = registry.shown_in("compare")
    per_prompt = {}
    for label, data in run.labels.items():
        values: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
        for row in data.rows:
            for metric in metrics:
                value = row["scores"].get(metric)
                if value is not None:
                    values[row["prompt_id"]][metric].append(float(value))
        per_prompt[label] = {p: {m: float(np.mean(v)) for m, v in metrics.items()} for p, metrics in values.items()}
    return run.manifest, run.summaries, per_prompt


def paired(a: list[float], b: list[float], seed: int = SEED) -> dict:
    """Delta mean(a - b) with a paired bootstrap CI and a sign-flip permutation p-value."""
    d = np.array(a) - np.array(b)
    if not len(d):
        return {"delta": None, "low": None, "high": None, "p": None, "n": 0}
    rng = np.random.default_rng(seed)
    boot = d[rng.integers(0, len(d), size=(N_RESAMPLES, len(d)))].mean(axis=1)
    observed = abs(d.mean())
    flips = rng.choice((-1.0, 1.0), size=(PERMUTATIONS, len(d)))
    p = (np.sum(np.abs((flips * d).mean(axis=1)) >= observed - 1e-12) + 1) / (PERMUTATIONS + 1)
    return {"delta": float(d.mean()), "low": float(np.percentile(boot, 2.5)), "high": float(np.percentile(boot, 97.5)),
            "p": float(p), "n": int(len(d))}


def holm(pvalues: list[float]) -> list[float]:
    """Holm-Bonferroni adjusted p-values (same order as given)."""
    order = np.argsort(pvalues)
    adjusted = np.empty(len(pvalues))
    running = 0.0
    for rank, index in enumerate(order):
        running = max(running, min(1.0, (len(pvalues) - rank) * pvalues[index]))
        adjusted[index] = running
    return adjusted.tolist()


def compare(run_dir: Path, reference: str | None = None, run: rundir.ScoredRun | None = None) -> dict:
    """The comparison of a scored run (``run``: as ``rundir.load`` read it), also written to
    ``RUN/comparison.json``."""
    manifest, summaries, per_prompt = load(run_dir, run)
    labels = list(summaries)
    reference = reference or ("base" if "base" in labels else labels[0])
    if reference not in labels:
        raise InputError(f"--reference {reference!r}: not a label of this run ({', '.join(labels)})")
    metrics = registry.shown_in("compare")
    means = {label: {m: summaries[label]["metrics"].get(m) for m in metrics} for label in labels}
    deltas: dict[str, dict] = {}
    tests = []
    for label in labels:
        if label == reference:
            continue
        deltas[label] = {}
        for metric in metrics:
            shared = [p for p in per_prompt[label] if metric in per_prompt[label][p]
                      and metric in per_prompt[reference].get(p, {})]
            result = paired([per_prompt[label][p][metric] for p in shared],
                            [per_prompt[reference][p][metric] for p in shared])
            deltas[label][metric] = result
            if result["p"] is not None:
                tests.append((label, metric))
    for (label, metric), adjusted in zip(tests, holm([deltas[l][m]["p"] for l, m in tests])):
        deltas[label][metric]["p_holm"] = adjusted
    wins = {}
    for label in labels:
        if label == reference:
            continue
        shared = [p for p in per_prompt[label] if "poetscore" in per_prompt[label][p]
                  and "poetscore" in per_prompt[reference].get(p, {})]
        diffs = [per_prompt[label][p]["poetscore"] - per_prompt[reference][p]["poetscore"] for p in shared]
        n = len(diffs) or 1
        wins[label] = {"win": sum(d > 1e-9 for d in diffs) / n, "tie": sum(abs(d) <= 1e-9 for d in diffs) / n,
                       "loss": sum(d < -1e-9 for d in diffs) / n, "n": len(diffs)}
    steps = {c["label"]: c.get("step") for c in manifest["checkpoints"]}
    if reference in steps and steps[reference] is None and any(v is not None for v in steps.values()):
        steps[reference] = 0  # the base is step 0 of its own training run
    curve_labels = sorted((label for label in labels if steps.get(label) is not None), key=lambda l: steps[l])
    curves = {metric: [{"label": l, "step": steps[l], **(means[l][metric] or {})} for l in curve_labels]
              for metric in metrics} if len(curve_labels) > 1 else {}
    result = {"reference": reference, "labels": labels, "signature": next(iter(summaries.values()))["signature"],
              "eval_set": manifest["eval_set"], "means": means, "paired": deltas, "wins": wins, "steps": curves,
              "reward_hacking": reward_hacking(deltas),
              "extract_warnings": {label: summaries[label].get("extract_warnings") for label in labels},
              "diversity": {label: summaries[label].get("diversity") for label in labels},
              "method": {"ci": f"percentile bootstrap over prompts, {N_RESAMPLES} resamples, seed {SEED}",
                         "paired_test": f"two-sided sign-flip permutation test, {PERMUTATIONS} permutations",
                         "multiple_comparisons": "Holm-Bonferroni over every (label, metric) against the reference"}}
    with atomic_writer(str(Path(run_dir) / "comparison.json")) as out:
        out.write(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    return result


def reward_hacking(deltas: dict[str, dict]) -> dict[str, dict]:
    """Labels whose meter rose while their language fell, against the reference (give the SFT
    checkpoint as the reference to judge a GRPO run): some METER metric's paired 95% CI lies
    above 0 and some LANGUAGE metric's below 0, by at least MIN_FALL. {label: {"meter_up":
    {metric: delta}, "language_down": {metric: delta}}}; labels that are not flagged are left out."""
    flags = {}
    for label, by_metric in deltas.items():
        def moved(metrics, up):
            return {m: round(d["delta"], 4) for m in metrics if (d := by_metric.get(m)) and d.get("low") is not None
                    and (d["low"] > 0 if up else d["high"] < 0 and d["delta"] <= -MIN_FALL)}

        rose, fell = moved(METER, True), moved(LANGUAGE, False)
        if rose and fell:
            flags[label] = {"meter_up": rose, "language_down": fell}
    return flags


def hacking_sentences(comparison: dict, labels: list[str] | None = None) -> list[str]:
    """One sentence per flagged label (of ``labels``, default all), as the report and summary.md
    print them."""
    out = []
    for label, flag in (comparison.get("reward_hacking") or {}).items():
        if labels is not None and label not in labels:
            continue
        up = ", ".join(f"{m} {d:+.3f}" for m, d in flag["meter_up"].items())
        down = ", ".join(f"{m} {d:+.3f}" for m, d in flag["language_down"].items())
        out.append(f"奖励投机 reward hacking? {label}: meter up ({up}) while language fell ({down}) against "
                   f"{comparison['reference']}, paired 95% CIs clear of 0")
    return out


def fmt_delta(d: dict, metric: str) -> str:
    """A paired difference with its CI, e.g. ``+0.160 [+0.110, +0.210]`` (PoetScore to one decimal)."""
    f = "{:+.1f}" if metric == "poetscore" else "{:+.3f}"
    return f"{f.format(d['delta'])} [{f.format(d['low'])}, {f.format(d['high'])}]"


def verdict(comparison: dict, metrics: tuple[str, ...] | None = None) -> list[dict]:
    """For every label against the reference, the metrics that got better and those that got
    worse, significantly (p < 0.05 after Holm), each with its paired difference and CI:
    [{"label", "n", "better": [{"metric", "delta", "low", "high", "text"}], "worse": [...]}]
    (``metrics``: default, every compared metric)."""
    out = []
    metrics = registry.shown_in("compare") if metrics is None else metrics
    for label, by_metric in comparison["paired"].items():
        moved = {"better": [], "worse": []}
        for metric in metrics:
            d = by_metric.get(metric)
            if not d or d.get("delta") is None or d.get("p_holm", 1) >= 0.05 or d["delta"] == 0:
                continue
            up = d["delta"] > 0
            side = "better" if up != registry.lower_is_better(metric) else "worse"
            moved[side].append({"metric": metric, "delta": d["delta"], "low": d["low"], "high": d["high"],
                                "text": fmt_delta(d, metric)})
        n = max((d.get("n") or 0 for d in by_metric.values()), default=0)
        out.append({"label": label, "n": n, **moved})
    return out


def verdict_sentences(verdicts: list[dict], reference: str) -> list[str]:
    """One sentence per label of ``verdict(…)``: what got better and what got worse against ``reference``."""
    out = []
    for v in verdicts:
        parts = [f"better on {len(v['better'])} metric{'s' * (len(v['better']) != 1)} "
                 f"({', '.join(m['metric'] for m in v['better'])})" if v["better"] else "better on none",
                 f"worse on {len(v['worse'])} ({', '.join(m['metric'] for m in v['worse'])})" if v["worse"]
                 else "worse on none"]
        out.append(f"{v['label']} against {reference}, over {v['n']} shared prompts: " + "; ".join(parts) + ".")
    return out


def read_comparison(run_dir: Path) -> dict:
    """``RUN/comparison.json`` as ``compare`` last wrote it."""
    return json.loads((Path(run_dir) / "comparison.json").read_text(encoding="utf-8"))
