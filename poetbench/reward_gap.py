"""Do the rewards a GRPO run earned on its training prompts hold on held-out prompts?

GRPO raises the rewards on the samples it trains on: that is what it optimises. Reward hacking
shows where the two sides part: a reward that climbs during training while the same reward, on
the held-out eval set's outputs, does not move or falls.

Rules:

* **Training side**: trl's log of each reward part (``rewards/NAME/mean`` in the training
  directory's ``metrics.csv``): the mean over the first logging window and over the last. These
  are sampled completions (the config's temperature) on training prompts.
* **Held-out side**: the same reward function (``rewards.reward_value``) applied to the score
  records of the SFT checkpoint and of the GRPO checkpoint in a run on an eval set (greedy, as
  the run was generated), paired by prompt and sample: Δ = GRPO − SFT with the paired bootstrap
  95% CI of ``compare.paired``.
* A reward **falls held out** when its held-out Δ lies below 0 (the whole CI), whatever it did
  in training; it **does not carry** when it rose in training (by ``ROSE`` or more) while its
  held-out Δ does not lie above 0.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

from poetbench.compare import paired
from poetbench import rundir
from poetbench.jsonl import InputError
from poetbench.rewards import reward_value

ROSE = 0.02  # a training-side rise smaller than this is noise, not a rise


def training_rewards(train_dir: Path) -> tuple[dict[str, float], dict[str, tuple[float, float]]]:
    """(weights, {reward: (first logged mean, last logged mean)}) of a GRPO training directory."""
    train_dir = Path(train_dir)
    manifest, metrics = train_dir / "train_manifest.json", train_dir / "metrics.csv"
    if not manifest.is_file() or not metrics.is_file():
        raise InputError(f"{train_dir}: no train_manifest.json and metrics.csv; give a GRPO training directory "
                         "(output_dir of `python -m training.grpo`)")
    weights = json.loads(manifest.read_text(encoding="utf-8")).get("rewards") or {}
    curves: dict[str, list[tuple[int, float]]] = {}
    with open(metrics, encoding="utf-8", newline="") as stream:
        for row in csv.DictReader(stream):
            name = row["name"]
            if name.startswith("rewards/") and name.endswith("/mean"):
                curves.setdefault(name[len("rewards/"):-len("/mean")], []).append((int(row["step"]), float(row["value"])))
    ends = {name: sorted(curve) for name, curve in curves.items() if name in weights}  # in step order
    return weights, {name: (curve[0][1], curve[-1][1]) for name, curve in ends.items()}


def heldout_rewards(run_dir: Path, label: str, names: list[str]) -> dict[tuple[str, int], dict[str, float]]:
    """{(prompt_id, sample_index): {reward: value}} from a run label's scores.jsonl, as
    ``rundir.label_rows`` reads and checks it."""
    return {(row["prompt_id"], row["sample_index"]): {name: reward_value(name, row["scores"]) for name in names}
            for row in rundir.label_rows(run_dir, label)}


def reward_gap(train_dir: Path, run_dir: Path, sft: str, grpo: str) -> list[dict]:
    """One row a reward: its weight, the training side (first, last), the held-out side (SFT,
    GRPO and the paired Δ) and its verdict ('falls held out', 'does not carry' or '')."""
    weights, training = training_rewards(train_dir)
    names = [name for name in weights if name in training]
    before, after = heldout_rewards(run_dir, sft, names), heldout_rewards(run_dir, grpo, names)
    keys = sorted(before.keys() & after.keys())
    rows = []
    for name in names:
        a, b = [after[k][name] for k in keys], [before[k][name] for k in keys]
        delta = paired(a, b)
        first, last = training[name]
        rows.append({"reward": name, "weight": weights[name], "train_first": first, "train_last": last,
                     "heldout_sft": sum(b) / len(b) if b else None, "heldout_grpo": sum(a) / len(a) if a else None,
                     "delta": delta, "verdict": _verdict(last - first, delta)})
    return rows


def _verdict(rise: float, delta: dict) -> str:
    """'falls held out', 'does not carry' or '' (see the module's rules)."""
    if delta["delta"] is None:
        return ""
    if delta["high"] < 0:
        return "falls held out"
    return "does not carry" if rise >= ROSE and delta["low"] <= 0 else ""


def format_table(rows: list[dict], sft: str, grpo: str) -> str:
    """The rows as a plain-text table (the demo prints it; docs/grpo.md shows it)."""
    cells = [["reward", "weight", "training: first → last", f"held-out: {sft} → {grpo}", "Δ [95% CI]", ""]]
    for row in rows:
        d = row["delta"]
        cells.append([row["reward"], f"{row['weight']:g}", f"{row['train_first']:.2f} → {row['train_last']:.2f}",
                      f"{row['heldout_sft']:.2f} → {row['heldout_grpo']:.2f}",
                      "—" if d["delta"] is None else f"{d['delta']:+.3f} [{d['low']:+.3f}, {d['high']:+.3f}]",
                      row["verdict"]])
    widths = [max(len(line[column]) for line in cells) for column in range(len(cells[0]))]
    return "\n".join("  ".join(cell.ljust(width) for cell, width in zip(line, widths)).rstrip() for line in cells)
