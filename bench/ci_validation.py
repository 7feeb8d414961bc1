"""How well the 词谱 checks Song ci it was not derived from, against controls (docs/validation.md).

    python bench/ci_validation.py [--corpus DIR] [--tunes 30] [--folds 5] [--seed 0]

The measures are ``poetbench/audit/ci_validation.py``'s (its docstring says how each is made):
the cross-validated pass rates of real ci, lenient and strict, and of their shuffled controls;
the ci checked against another tune of their length; the tune read from the text alone; and,
here only, the speed of scoring 词: ``Scorer(core_only=True).score_many`` (form, 平仄 and rhyme
with every rule) on the titled ci (《浣溪沙》…), in ci per second, the best of three passes.
"""

from __future__ import annotations

import argparse
import time

from poetbench.audit import ci_validation as cv
from poetbench.data.discovery import find_corpus
from poetbench.scoring import Scorer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus")
    parser.add_argument("--tunes", type=int, default=30)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    ci = cv.corpus_ci(find_corpus(args.corpus), args.tunes)
    result = cv.cross_validated(ci, args.folds, args.seed)
    print(f"{result.lenient.n} Song ci of the {len(ci)} commonest tunes in their main form, {args.folds}-fold "
          f"cross-validated (seed {args.seed}); pass: at most one 平仄 error and every required rhyme")
    print(f"{'':36} {'pass':>6} {'no 平仄 error':>13} {'and rhyme':>10}")
    wrong = cv.wrong_tune(ci)
    for name, r in (("real ci, lenient (the default)", result.lenient), ("real ci, strict", result.strict),
                    ("shuffled characters, lenient", result.shuffled),
                    (f"against another tune ({wrong.n} ci)", wrong)):
        print(f"{name:36} {r.passed:6.3f} {r.no_error:13.3f} {r.no_error_rhyme:10.3f}")

    right, misses = cv.tune_from_text(ci)
    print(f"\ntune from the text alone: {right:.3f} right; the misses (tune → read as): "
          + ", ".join(f"{a}→{b} {n}" for (a, b), n in misses.most_common(8)))

    titled = [f"《{tune}》{text}" for text, tune in cv.texts(ci)]
    scorer, best = Scorer(core_only=True), 0.0
    scorer.score_many(titled[:500])
    for _ in range(3):
        start = time.perf_counter()
        scorer.score_many(titled)
        best = max(best, len(titled) / (time.perf_counter() - start))
    print(f"speed: {best:,.0f} ci/s in process (Scorer(core_only=True): form, 平仄 and rhyme)")

    print("\nper tune (n; lenient pass, no 平仄 error; strict pass):")
    for name, (lenient, strict) in result.per_tune.items():
        print(f"  {name:6} {lenient.n:5}  {lenient.passed:.3f} {lenient.no_error:.3f}  {strict.passed:.3f}")


if __name__ == "__main__":
    main()
