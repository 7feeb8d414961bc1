"""Extraction invariance (README figures): the same poem in a chat wrapper must score as the bare poem.

    python bench/invariance.py [--corpus DIR] [--every 20] [--markdown]

Takes the 全唐诗 poems the classical lexicon left out (every 20th; those with the corpus's own
bracketed editorial notes, quotation marks, □ for a lost character or {…} for a composed one
are left out, and so are one-line fragments), in Traditional as the corpus has
them and in Simplified (OpenCC), wraps each in every style of ``poetbench/audit/wrappers.py``
and scores bare and wrapped alike (``--blind``: the 12 styles of
``poetbench/audit/wrappers_blind.py``, written without sight of the extractor's rules and never
used to tune them). A wrapped reply is *invariant* when it gives the bare poem's lines, form,
``tone_ok``, ``rhyme_ok`` and ``classical_ratio``. Prints the rate per wrapper, then the
hand-written mixed set (``MIXED``: nested wrappers, drafts, no poem at all). The measurement is
``poetbench.audit.invariance``; this script prints it.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from poetbench.audit.invariance import held_out, invariance, mixed_failures
from poetbench.audit.wrappers import WRAPPERS
from poetbench.audit.wrappers_blind import BLIND
from poetbench.audit.wrappers_mixed import MIXED


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path)
    parser.add_argument("--every", type=int, default=20)
    parser.add_argument("--markdown", action="store_true", help="print the README table")
    parser.add_argument("--blind", action="store_true",
                        help="the blind styles of poetbench/audit/wrappers_blind.py, written apart from the extractor's rules")
    args = parser.parse_args()
    poems = held_out(args.corpus, args.every)
    start = time.perf_counter()
    rates = invariance(poems, wrappers=BLIND if args.blind else WRAPPERS)
    seconds = time.perf_counter() - start
    total = sum(n for n, _ in rates.values())
    hits = sum(h for _, h in rates.values())
    if args.markdown:
        print("| wrapper | replies | invariant |\n|---|---|---|")
        for name, (n, h) in rates.items():
            print(f"| `{name}` | {n} | {100 * h / n:.2f}% |")
        print(f"| all {len(rates)} wrappers | {total} | {100 * hits / total:.2f}% |")
    else:
        print(f"held-out poems: {len(poems) // 2} × 2 scripts; {len(rates)} wrappers; {total} replies in {seconds:.0f} s")
        for name, (n, h) in rates.items():
            print(f"  {name:<24} {100 * h / n:7.2f}%  ({n - h} differ)")
        print(f"  {'all':<24} {100 * hits / total:7.2f}%")
    failures = mixed_failures()
    print(f"mixed set: {len(MIXED) - len(failures)} of {len(MIXED)} right" + (f"; wrong: {', '.join(failures)}" if failures else ""))


if __name__ == "__main__":
    main()
