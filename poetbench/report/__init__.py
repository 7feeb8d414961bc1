"""``poetbench report``: a run directory into a self-contained HTML report, a Markdown summary for
PR comments, and (on request) a Hugging Face model card for one checkpoint.

The page opens with its verdict: for each checkpoint against the reference, the metrics that got
better and worse, significantly (Holm), with the paired Δ and CI; then every metric as a row with the
labels as columns, inside a box that scrolls sideways with the metric names fixed, so it fits an
800-pixel window (metrics no label has a value for are hidden, with a note saying why).

``index.html`` needs no network: the plots are PNG data URIs, the A/B viewer's script and data are
inline, and so is a subset of a CJK font as WOFF2 (``fonts``; a banner when none is found). Model
text reaches the page only as JSON data (with ``<``, ``>`` and ``&`` escaped) and is put into the
page with ``textContent``, never as HTML.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import jinja2
import yaml

from poetbench.compare import (
    compare,
    fmt,
    fmt_delta,
    hacking_sentences,
    verdict,
    verdict_sentences,
)
from poetbench import rundir
from poetbench.metrics import registry
from poetbench.jsonl import InputError, atomic_writer
from poetbench.report import fonts, plots, viewer



def _best(comparison: dict) -> dict[str, str | None]:
    best = {}
    for metric in registry.shown_in("table"):
        scored = [(v["mean"], label) for label in comparison["labels"]
                  if (v := comparison["means"][label].get(metric)) and v.get("mean") is not None]
        if not scored:
            best[metric] = None
            continue
        pick = min if registry.lower_is_better(metric) else max
        values = {mean for mean, _ in scored}
        best[metric] = pick(scored)[1] if len(values) > 1 else None  # nothing to highlight in a tie
    return best


def _json_for_html(data) -> str:
    """JSON that is safe inside a <script> element: no '<', '>' or '&' can end it early."""
    return (json.dumps(data, ensure_ascii=False).replace("&", "\\u0026").replace("<", "\\u003c")
            .replace(">", "\\u003e").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def _training_dir(manifest: dict) -> Path | None:
    for checkpoint in manifest["checkpoints"]:
        if checkpoint.get("adapter") and checkpoint.get("step") is not None:
            return Path(checkpoint["path"]).parent
    return None


def build(run_dir: Path, out_dir: Path | None = None, reference: str | None = None, embed_font: bool = True) -> Path:
    """Write ``index.html`` and ``summary.md`` (default: ``RUN/report/``); return the HTML path.
    ``embed_font``: carry a subset of the machine's CJK font (``fonts``), else show a banner."""
    run_dir = Path(run_dir)
    out_dir = Path(out_dir) if out_dir else run_dir / "report"
    with rundir.reading(run_dir):  # no writer changes the run while it is read
        run = rundir.load(run_dir)
        comparison = compare(run_dir, reference, run)
        manifest = run.manifest
        prompts = rundir.read_prompts(run_dir, manifest)
        settings = manifest.get("settings", {})
        # Only the samples the scores were made from: samples.jsonl may also hold other checkpoints' (the cache).
        keys = {label: found for label, data in run.labels.items() if None not in (found := {r.get("key") for r in data.rows})}
        samples = viewer.samples(run_dir, comparison["labels"], prompts, settings.get("reference"), keys)
    poetscores = {label: [v["s"]["poetscore"] for v in samples[label].values() if v["s"]["poetscore"] is not None]
                  for label in comparison["labels"]}
    training = _training_dir(manifest)
    figures = [("Key metrics against training step (95% CI bands)", plots.step_curves(comparison)),
               ("Key metrics by checkpoint (95% CI)", plots.bars(comparison)),
               ("Diversity across each checkpoint's poems against training step", plots.diversity_curves(comparison)),
               ("PoetScore distribution", plots.distribution(poetscores)),
               ("Training loss", plots.loss_curve(training / "metrics.csv") if training else None)]
    table = registry.shown_in("table")
    shown = [m for m in table if any((comparison["means"][label].get(m) or {}).get("mean") is not None
                                             for label in comparison["labels"])]
    verdicts = verdict(comparison, table)
    context = dict(
        run_name=run_dir.name, date=time.strftime("%Y-%m-%d %H:%M"), manifest=manifest, comparison=comparison,
        shown_metrics=shown, hidden=[(m, registry.get(m).empty_because or "no value") for m in table if m not in shown],
        glossary={m: registry.get(m) for m in table}, best=_best(comparison), fmt=fmt, fmt_delta=fmt_delta,
        verdict=verdicts, verdict_sentences=verdict_sentences(verdicts, comparison["reference"]),
        n_tests=sum(1 for d in comparison["paired"].values() for v in d.values() if v.get("p") is not None),
        plots=figures, hacking=hacking_sentences(comparison), helpful_fonts=fonts.HELPFUL_FONTS,
        data_json=_json_for_html({"labels": comparison["labels"], "samples": samples,
                                  "prompts": [{"id": p["id"], "kind": p["kind"], "prompt": p["prompt"]} for p in prompts]}))
    environment = jinja2.Environment(loader=jinja2.PackageLoader("poetbench.report", "templates"), autoescape=True,
                                     undefined=jinja2.StrictUndefined)
    # Every character the page can show: the page rendered (the glossary, the tables, the data the
    # viewer draws from) and the template's own text (what its script writes).
    template = environment.get_template("index.html.j2")
    plain = template.render(**context, font=None)
    font = fonts.embed(environment.loader.get_source(environment, "index.html.j2")[0] + plain) if embed_font else None
    html = template.render(**context, font=font) if font else plain
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"{out_dir}: cannot write the report here ({exc.strerror}); choose another -o") from None
    with atomic_writer(str(out_dir / "index.html")) as out:
        out.write(html)
    with atomic_writer(str(out_dir / "summary.md")) as out:
        out.write(markdown_summary(comparison))
    return out_dir / "index.html"


def markdown_summary(comparison: dict) -> str:
    """The summary table as Markdown, for a pull-request comment or a CI job summary."""
    metrics = registry.shown_in("key")
    lines = [f"### poetbench: `{comparison['eval_set']['name']}` (sha256 {comparison['eval_set']['sha256'][:12]})", "",
             f"`{comparison['signature']}` — mean [95% CI]; Δ against **{comparison['reference']}**, "
             "* = p < 0.05 after Holm correction", "",
             "| label | " + " | ".join(metrics) + " |", "|---" * (len(metrics) + 1) + "|"]
    for label in comparison["labels"]:
        cells = []
        for metric in metrics:
            v = comparison["means"][label].get(metric) or {}
            cell = "—" if v.get("mean") is None else f"{fmt(v['mean'], metric)} [{fmt(v['low'], metric)}, {fmt(v['high'], metric)}]"
            d = comparison["paired"].get(label, {}).get(metric)
            if d and d.get("delta") is not None:
                star = "*" if d.get("p_holm", 1) < 0.05 else ""
                cell += f" (Δ {d['delta']:+.3g}{star})"
            cells.append(cell)
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    verdicts = verdict(comparison, registry.shown_in("table"))
    if verdicts:
        lines += ["", f"Significant changes against **{comparison['reference']}** (Holm, p < 0.05), Δ [95% CI]:", ""]
        for v in verdicts:
            better = ", ".join(f"{m['metric']} {m['text']}" for m in v["better"]) or "none"
            worse = ", ".join(f"{m['metric']} {m['text']}" for m in v["worse"]) or "none"
            lines.append(f"- **{v['label']}**: better on {better}; worse on {worse}")
    lines += [""] + [f"**{sentence}**" for sentence in hacking_sentences(comparison)] if comparison.get("reward_hacking") else []
    collapsed = [label for label, d in (comparison.get("diversity") or {}).items() if d and d.get("mode_collapse")]
    if collapsed:
        lines += ["", "Mode collapse (模式坍缩): " + ", ".join(
            f"**{label}** opens {comparison['diversity'][label]['shared_first_line']:.0%} of its poems with a shared line"
            for label in collapsed)]
    return "\n".join(lines) + "\n"


def model_card(run_dir: Path, label: str, out_dir: Path | None = None, comparison: dict | None = None) -> Path:
    """A Hugging Face model card (README.md with model-index results) for one checkpoint;
    ``comparison`` is the run's (``compare`` is run when it is not given)."""
    run_dir = Path(run_dir)
    comparison = comparison or compare(run_dir)
    manifest = rundir.read_manifest(run_dir)
    checkpoint = next((c for c in manifest["checkpoints"] if c["label"] == label), None)
    if checkpoint is None:
        raise InputError(f"--model-card {label!r}: not a label of this run ({', '.join(comparison['labels'])})")
    eval_set = manifest["eval_set"]
    metrics = []
    for metric in registry.shown_in("viewer"):
        v = comparison["means"][label].get(metric) or {}
        if v.get("mean") is not None:
            metrics.append({"type": metric, "value": round(v["mean"], 4),
                            "name": f"{metric} (95% CI {v['low']:.4f}-{v['high']:.4f}, n={v['n']})"})
    header = {
        "base_model": checkpoint.get("base") or checkpoint["path"],
        "library_name": "peft" if checkpoint.get("adapter") else "transformers",
        "tags": ["poetbench", "chinese-poetry"],
        "model-index": [{"name": label, "results": [{
            "task": {"type": "text-generation", "name": "Classical Chinese poetry"},
            "dataset": {"type": f"poetbench/{eval_set['name']}", "name": f"poetbench {eval_set['name']}",
                        "revision": eval_set["sha256"]},
            "metrics": metrics,
            "source": {"name": "poetbench", "url": "https://pypi.org/project/poetbench/"},
        }]}],
    }
    # The header through a YAML library: an eval-set name with ": " or quotes stays one string.
    card = f"""---
{yaml.safe_dump(header, allow_unicode=True, sort_keys=False)}---

# {label}

Scored with poetbench on the eval set {json.dumps(eval_set['name'], ensure_ascii=False)} ({eval_set['n']} prompts, sha256 `{eval_set['sha256']}`).
Metric signature: `{comparison['signature']}` — numbers are comparable only under the same signature.
Checkpoint identity (sha256 of its weights): `{checkpoint['identity']}`.

{markdown_summary(comparison)}
"""
    folder = Path(out_dir) if out_dir else run_dir / "report" / "model-card" / label
    folder.mkdir(parents=True, exist_ok=True)
    with atomic_writer(str(folder / "README.md")) as out:
        out.write(card)
    return folder / "README.md"
