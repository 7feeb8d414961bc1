"""The report's plots, drawn with matplotlib and returned as PNG data URIs (no files, no network)."""

from __future__ import annotations

import base64
import csv
import io
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from poetbench.diversity import RUN_METRICS  # noqa: E402
from poetbench.metrics import registry  # noqa: E402

COLUMNS = 4  # plots per row of the step curves


def _data_uri(figure) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=90, bbox_inches="tight")
    plt.close(figure)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def step_curves(comparison: dict) -> str | None:
    """Each key metric against training step, with its 95% CI band."""
    if not comparison["steps"]:
        return None
    metrics = registry.shown_in("plot")
    rows = -(-len(metrics) // COLUMNS)
    figure, axes = plt.subplots(rows, COLUMNS, figsize=(15, 3 * rows), squeeze=False)
    for axis in axes.flat[len(metrics):]:
        axis.set_visible(False)
    for axis, metric in zip(axes.flat, metrics):
        points = [p for p in comparison["steps"][metric] if p.get("mean") is not None]
        steps = [p["step"] for p in points]
        axis.plot(steps, [p["mean"] for p in points], marker="o")
        axis.fill_between(steps, [p["low"] for p in points], [p["high"] for p in points], alpha=0.25)
        axis.set_title(metric)
        axis.set_xlabel("training step")
    figure.tight_layout()
    return _data_uri(figure)


def diversity_curves(comparison: dict) -> str | None:
    """Diversity across each checkpoint's poems against training step (one value per run)."""
    diversity = comparison.get("diversity") or {}
    if not comparison["steps"] or not any(diversity.values()):
        return None
    points = [(p["step"], diversity[p["label"]]) for p in comparison["steps"]["poetscore"] if diversity.get(p["label"])]
    figure, axes = plt.subplots(1, 2, figsize=(10, 3.2))
    for axis, (metric, key) in zip(axes, RUN_METRICS.items()):  # the run rows of the registry
        kept = [(step, d[key]) for step, d in points if d.get(key) is not None]
        axis.plot([s for s, _ in kept], [v for _, v in kept], marker="o")
        axis.set_title(key + (" (lower is better)" if registry.lower_is_better(metric) else ""))
        axis.set_xlabel("training step")
        axis.set_ylim(0, 1.05)
    figure.tight_layout()
    return _data_uri(figure)


def bars(comparison: dict) -> str:
    """A grouped bar per plotted metric of scale 0–1, with 95% CIs; poetscore on its own 0-100 axis."""
    labels = comparison["labels"]
    figure, (left, right) = plt.subplots(1, 2, figsize=(12, 4), gridspec_kw={"width_ratios": [5, 1]})
    metrics = [m for m in registry.shown_in("plot") if registry.get(m).scale == registry.UNIT]
    width = 0.8 / max(len(labels), 1)
    for k, label in enumerate(labels):
        values = [comparison["means"][label][m] or {} for m in metrics]
        means = [v.get("mean") or 0 for v in values]
        errors = [[m - (v.get("low") or m) for v, m in zip(values, means)],
                  [(v.get("high") or m) - m for v, m in zip(values, means)]]
        left.bar([i + k * width for i in range(len(metrics))], means, width, yerr=errors, label=label, capsize=2)
        score = comparison["means"][label]["poetscore"] or {}
        if score.get("mean") is not None:
            right.bar(k, score["mean"], yerr=[[score["mean"] - score["low"]], [score["high"] - score["mean"]]], capsize=2)
    left.set_xticks([i + width * (len(labels) - 1) / 2 for i in range(len(metrics))], metrics, rotation=20)
    left.set_ylim(0, 1.05)
    left.legend(fontsize=8)
    right.set_xticks(range(len(labels)), labels, rotation=45)
    right.set_title("poetscore")
    figure.tight_layout()
    return _data_uri(figure)


def distribution(poetscores: dict[str, list[float]]) -> str:
    """The poetscore distribution of each label."""
    figure, axis = plt.subplots(figsize=(8, 3.5))
    labels = [label for label, values in poetscores.items() if values]
    if labels:
        axis.boxplot([poetscores[label] for label in labels])
        axis.set_xticks(range(1, len(labels) + 1), labels, rotation=30)
    axis.set_ylabel("poetscore")
    axis.set_ylim(0, 100)
    return _data_uri(figure)


def loss_curve(metrics_csv: Path) -> str | None:
    """The training loss, from a training directory's metrics.csv."""
    if not metrics_csv.is_file():
        return None
    steps, losses = [], []
    with open(metrics_csv, encoding="utf-8") as stream:
        for row in csv.DictReader(stream):
            if row["name"] == "loss":
                steps.append(int(row["step"]))
                losses.append(float(row["value"]))
    if not steps:
        return None
    figure, axis = plt.subplots(figsize=(8, 3))
    axis.plot(steps, losses)
    axis.set_xlabel("training step")
    axis.set_ylabel("training loss")
    return _data_uri(figure)
