"""PoetScore v2 against the alternatives it was chosen over (README, "PoetScore v2").

    python bench/poetscore_forms.py [--corpus DIR] [--n 500] [--seeds 0,1,2,3]

Scores the audit's real poems and controls once per seed (``audit.score_all``), then computes
each candidate composite from the same records and prints, per candidate, the PoetScore AUC
against the targeted controls and the gap to the tone-matched salad: the mean over the seeds,
and the worst seed in brackets.
"""

from __future__ import annotations

import argparse

import numpy as np

from poetbench.audit import TARGETS, auc, score_all
from poetbench.metrics import poetscore
from poetbench.metrics.coherence import WIDTH as COHERENCE_WIDTH

V1_WEIGHTS = {"form": 20, "tone": 20, "rhyme": 15, "classical": 20, "no_chatter": 5, "originality": 10,
              "repetition": 5, "adherence": 5}


def v1(record: dict) -> float:
    copied, repeats = record["copy_overlap"], record["repetition_ok"]
    parts = {"form": 1.0 if record["form_ok"] else 0.5 * (record["length_regularity"] or 0.0),
             "tone": record["tone_conformity"] or 0.0, "rhyme": record["rhyme_rate"] or 0.0,
             "classical": record["classical_ratio"] or 0.0, "no_chatter": 0.0 if record["chatter"] else 1.0,
             "originality": None if copied is None else 1 - copied,
             "repetition": None if repeats is None else float(repeats), "adherence": record["adherence"]}
    kept = {k: v for k, v in parts.items() if v is not None}
    return 100 * sum(V1_WEIGHTS[k] * v for k, v in kept.items()) / sum(V1_WEIGHTS[k] for k in kept)


def additive(record: dict) -> float:
    """v1's weighted mean with fluency and coherence added as parts (15 each)."""
    return (85 * v1(record) / 100 + 15 * (record["fluency"] or 0) + 15 * (record["coherence"] or 0)) / 115 * 100


def gated(coherence_width: float = COHERENCE_WIDTH, linkage: bool = True, repetition: bool = True):
    def score(record: dict) -> float:
        gates = poetscore.gates(record)
        gates["coherence"] **= (COHERENCE_WIDTH / coherence_width) ** 2  # the same z, another width
        if not linkage:
            gates["linkage"] = 1.0
        if not repetition:
            gates["repetition"] = 1.0
        return 100 * poetscore.crafts([record])[0] * float(np.prod(list(gates.values())))
    return score


CANDIDATES = {
    "v1: weighted mean of form, meter, diction, conduct": v1,
    "v1 + fluency and coherence as parts (additive)": additive,
    "craft × fluency × coherence (no 粘对, no repetition gate)": gated(linkage=False, repetition=False),
    "craft × fluency × coherence × repetition (no 粘对 gate)": gated(linkage=False),
    "v2, coherence width 2.0 instead of 1.5": gated(coherence_width=2.0),
    "v2: craft × fluency × coherence × 粘对 × repetition": gated(),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus")
    parser.add_argument("--n", type=int, default=500)
    parser.add_argument("--seeds", default="0,1,2,3")
    args = parser.parse_args()
    runs = [score_all(args.corpus, args.n, int(seed))[1:3] for seed in args.seeds.split(",")]
    controls = list(TARGETS["auc"])
    print("| composite | real mean | " + " | ".join(f"AUC {c}" for c in controls) + " | gap to tone_salad |")
    print("|---" * (len(controls) + 3) + "|")
    for name, score in CANDIDATES.items():
        cells, means, gaps = {c: [] for c in controls}, [], []
        for real, scored in runs:
            ours = np.array([score(r) for r in real])
            means.append(ours.mean())
            for control in controls:
                cells[control].append(auc(ours, np.array([score(r) for r in scored[control] if r])))
            gaps.append(ours.mean() - np.mean([score(r) for r in scored["tone_salad"] if r]))
        row = [f"{np.mean(cells[c]):.3f} [{min(cells[c]):.3f}]" for c in controls]
        print(f"| {name} | {np.mean(means):.1f} | " + " | ".join(row) + f" | {np.mean(gaps):.1f} [{min(gaps):.1f}] |")


if __name__ == "__main__":
    main()
