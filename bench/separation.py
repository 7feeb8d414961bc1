"""How well the style and content metrics separate real poems from controls (README figures).

    python bench/separation.py [--corpus DIR]

Prints, for each metric, its mean on real text and on the control, and the AUC: the chance
that a random real poem scores higher than a random control (1.0 = perfect separation).

* classical_ratio: Tang poems the lexicon never saw (every 20th) against the vernacular prose
  of poetbench/audit/poems.py, as written and forced into 7-character lines;
* poetscore: the same;
* copy_overlap (reference: 全唐诗): 200 Tang poems verbatim against the same poems with their
  characters shuffled;
* chatter: 13 canonical poems inside 6 chat wrappers against the bare poems.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

from pass_rates import load_tang  # bench/, the script's own folder

from poetbench.audit import auc
from poetbench.audit.controls import shuffle_characters
from poetbench.audit.poems import CHAT_WRAPPERS, REGULATED, VERNACULAR, forced_into_lines
from poetbench.data.discovery import find_corpus
from poetbench.scoring import Scorer


def separations(corpus: Path) -> list[tuple[str, float, float, float]]:
    tang = load_tang(corpus)
    held_out = tang[::20]
    scorer = Scorer()
    real = scorer.score_many(held_out)
    vernacular = scorer.score_many(VERNACULAR)
    forced = scorer.score_many([forced_into_lines(v) for v in VERNACULAR])
    rows = []
    for metric in ("classical_ratio", "poetscore"):
        real_values = [r[metric] for r in real if r[metric] is not None]
        for name, control in (("vernacular", vernacular), ("vernacular in 7-char lines", forced)):
            values = [r[metric] for r in control if r[metric] is not None]
            rows.append((f"{metric}: Tang vs {name}", _mean(real_values), _mean(values), auc(real_values, values)))
    copier = Scorer(reference=str(corpus))
    rng = random.Random(0)
    sample = [t for t in tang[::250] if t.strip()][:200]
    verbatim = [r["copy_overlap"] for r in copier.score_many(sample)]
    shuffled = [r["copy_overlap"] for r in copier.score_many([shuffle_characters(t, rng) for t in sample])]
    rows.append(("copy_overlap: verbatim vs shuffled", _mean(verbatim), _mean(shuffled), auc(verbatim, shuffled)))
    poems = [text for _, text in REGULATED.values()]
    wrapped = scorer.score_many([w.format(p) for w in CHAT_WRAPPERS for p in poems])
    bare = scorer.score_many(poems)
    rows.append(("chatter: wrapped vs bare", _mean([float(r["chatter"]) for r in wrapped]),
                 _mean([float(r["chatter"]) for r in bare]), auc([float(r["chatter"]) for r in wrapped],
                                                                  [float(r["chatter"]) for r in bare])))
    return rows


def _mean(values: list[float]) -> float:
    return sum(values) / len(values)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, help="chinese-poetry directory (default: corpus discovery)")
    args = parser.parse_args()
    args.corpus = find_corpus(args.corpus)
    print("| separation | mean, real | mean, control | AUC |")
    print("|---|---|---|---|")
    for name, real, control, area in separations(args.corpus):
        print(f"| {name} | {real:.3f} | {control:.3f} | {area:.3f} |")


if __name__ == "__main__":
    main()
