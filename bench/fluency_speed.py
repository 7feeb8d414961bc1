"""The speed of the fluency and coherence models alone (README, "Fluency and coherence").

    python bench/fluency_speed.py [--n 20000]

Scores N poems (the canonical poems of poetbench/audit/poems.py, repeated and shuffled line by line) with
the n-gram model (bits per character) and with the association statistics (coherence log-odds),
after loading the resource once, and prints poems per second for each and the load time.
"""

from __future__ import annotations

import argparse
import random
import time

from poetbench.audit.poems import REGULATED
from poetbench.language import model as language
from poetbench.metrics.fluency import poem_bits
from poetbench.text.batch import TextBatch
from poetbench.text.lines import split_lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=20000)
    args = parser.parse_args()
    started = time.perf_counter()
    model = language.load()
    loaded = time.perf_counter() - started
    rng = random.Random(0)
    base = TextBatch([split_lines(text) for _, text in REGULATED.values()], simplify=True).poems
    poems = [rng.sample(p, len(p)) for p in (base * (args.n // len(base) + 1))[:args.n]]
    started = time.perf_counter()
    poem_bits(model.ngram, poems)
    fluency = time.perf_counter() - started
    started = time.perf_counter()
    model.association.log_odds(poems)
    coherence = time.perf_counter() - started
    print(f"resource load: {loaded:.2f} s")
    print(f"fluency (4-gram bits per character): {args.n / fluency:,.0f} poems/s")
    print(f"coherence (association log-odds):    {args.n / coherence:,.0f} poems/s")


if __name__ == "__main__":
    main()
